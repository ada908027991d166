/**
 * The retry policy as small pure functions: how long the server asks us to wait, and the
 * backoff when it does not say. The request loop (`./send.ts`) puts them together.
 * @module
 */
import { HEADER, parseDuration } from '@tollgate/protocol';

/**
 * The server's retry hint in milliseconds, or undefined if it gave none. In order of precedence:
 * `retry-after-ms` (float ms), `retry-after` (float seconds or an HTTP date), then — for a rate
 * limit — `x-ratelimit-reset-{requests,tokens,project-requests,project-tokens}` (Go durations).
 * `dimension` is the error `type` of a rate-limit error (`requests` or `tokens`) and picks the
 * matching reset headers (the longer of the binding limit's and the project's); without it the longer reset
 * of an exhausted family is used (reset is the time until the bucket is full again, so it is an
 * upper bound on the wait).
 */
export function serverRetryDelayMs(headers: Headers | undefined, nowMs: number, dimension?: string, rateLimited = false): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get(HEADER.retryAfterMs);
  if (ms !== null) {
    const v = Number.parseFloat(ms);
    if (Number.isFinite(v) && v >= 0) return v;
  }
  const after = headers.get(HEADER.retryAfter);
  if (after !== null) {
    const trimmed = after.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Number.parseFloat(trimmed) * 1000;
    const at = Date.parse(trimmed);
    if (Number.isFinite(at)) return Math.max(0, at - nowMs);
  }
  if (!rateLimited) return undefined;
  const reset = (name: string): number | undefined => {
    const h = headers.get(name);
    return h === null ? undefined : parseDuration(h.trim());
  };
  const longest = (...waits: (number | undefined)[]): number | undefined => {
    const known = waits.filter((x): x is number => x !== undefined);
    return known.length > 0 ? Math.max(...known) : undefined;
  };
  if (dimension === 'requests') return longest(reset(HEADER.resetRequests), reset(HEADER.resetProjectRequests));
  if (dimension === 'tokens') return longest(reset(HEADER.resetTokens), reset(HEADER.resetProjectTokens));
  const exhausted = (remaining: string) => headers.get(remaining)?.trim() === '0';
  return longest(
    exhausted(HEADER.remainingRequests) ? reset(HEADER.resetRequests) : undefined,
    exhausted(HEADER.remainingTokens) ? reset(HEADER.resetTokens) : undefined,
    exhausted(HEADER.remainingProjectRequests) ? reset(HEADER.resetProjectRequests) : undefined,
    exhausted(HEADER.remainingProjectTokens) ? reset(HEADER.resetProjectTokens) : undefined,
  );
}

export interface BackoffOptions {
  /** Cap of the first retry's delay window. Default 500 ms. */
  initialMs?: number;
  /** Largest delay window. Default 8000 ms. */
  maxMs?: number;
}

/**
 * Exponential backoff with full jitter: a uniformly random delay in
 * `[0, min(maxMs, initialMs · 2^retryIndex))`. Full jitter spreads the retries of many clients
 * that failed together, so they do not return together (AWS architecture blog, "Exponential
 * Backoff And Jitter").
 */
export function backoffDelayMs(retryIndex: number, random: () => number, opts: BackoffOptions = {}): number {
  const initial = opts.initialMs ?? 500;
  const max = opts.maxMs ?? 8000;
  const window = Math.min(max, initial * 2 ** Math.min(retryIndex, 30));
  return random() * window;
}

/**
 * Whether a status the catalog does not explain is worth retrying: the server's
 * `x-should-retry` first, then the rule every official SDK uses (408, 409, 429, >= 500).
 */
export function statusLooksRetryable(status: number | undefined, headers: Headers | undefined): boolean {
  const say = headers?.get(HEADER.shouldRetry);
  if (say === 'true') return true;
  if (say === 'false') return false;
  if (status === undefined) return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Header names and value formats of the wire contract.
 * @module
 */

export const HEADER = {
  requestId: 'x-request-id',
  processingMs: 'openai-processing-ms',
  version: 'openai-version',
  organization: 'openai-organization',
  /** Request: the project the caller means (checked against the key's); response: the key's project. */
  project: 'openai-project',
  shouldRetry: 'x-should-retry',
  retryAfter: 'retry-after',
  retryAfterMs: 'retry-after-ms',
  limitRequests: 'x-ratelimit-limit-requests',
  limitTokens: 'x-ratelimit-limit-tokens',
  remainingRequests: 'x-ratelimit-remaining-requests',
  remainingTokens: 'x-ratelimit-remaining-tokens',
  resetRequests: 'x-ratelimit-reset-requests',
  resetTokens: 'x-ratelimit-reset-tokens',
  /**
   * A project's own token limit, beside the plain headers (which describe the binding limit,
   * whoever's it is): sent when the key's project has a token limit of its own. OpenAI's API
   * overview lists these three.
   */
  limitProjectTokens: 'x-ratelimit-limit-project-tokens',
  remainingProjectTokens: 'x-ratelimit-remaining-project-tokens',
  resetProjectTokens: 'x-ratelimit-reset-project-tokens',
  /** The same for a project's own request limit (Tollgate's counterpart; OpenAI documents none). */
  limitProjectRequests: 'x-ratelimit-limit-project-requests',
  remainingProjectRequests: 'x-ratelimit-remaining-project-requests',
  resetProjectRequests: 'x-ratelimit-reset-project-requests',
  fault: 'x-tollgate-fault',
  /** On a platform error of a model with an open status-page incident: `<id>; status=<status>; url=<incident page>`. */
  statusIncident: 'x-tollgate-incident',
  stainlessTimeout: 'x-stainless-timeout',
  stainlessRetryCount: 'x-stainless-retry-count',
} as const;

export const OPENAI_VERSION = '2020-10-01';

/** Every header a browser client may read (CORS `access-control-expose-headers`). */
export const EXPOSED_HEADERS: readonly string[] = [
  HEADER.requestId,
  HEADER.processingMs,
  HEADER.version,
  HEADER.organization,
  HEADER.project,
  HEADER.shouldRetry,
  HEADER.retryAfter,
  HEADER.retryAfterMs,
  HEADER.limitRequests,
  HEADER.limitTokens,
  HEADER.remainingRequests,
  HEADER.remainingTokens,
  HEADER.resetRequests,
  HEADER.resetTokens,
  HEADER.limitProjectTokens,
  HEADER.remainingProjectTokens,
  HEADER.resetProjectTokens,
  HEADER.limitProjectRequests,
  HEADER.remainingProjectRequests,
  HEADER.resetProjectRequests,
  HEADER.statusIncident,
];

const trim = (x: number, digits: number): string => {
  const s = x.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
};

/**
 * Formats milliseconds as Go's `time.Duration` prints them, which is what OpenAI's reset headers
 * and "Please try again in ..." use: `0s`, `120ms`, `1.5ms`, `1s`, `2.572s`, `6m0s`,
 * `23h47m36.648s`. Precision is kept to the microsecond below one second and to the
 * millisecond above.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  // Whole milliseconds (what the counters' reset times are): the same text without toFixed and a
  // regular expression per call; the rate-limit headers format two on every request.
  if (Number.isInteger(ms)) return wholeMsDuration(ms);
  if (ms < 1) return `${trim(ms * 1000, 0)}µs`;
  if (ms < 1000) return `${trim(ms, 3)}ms`;
  const totalMs = Math.round(ms);
  const h = Math.floor(totalMs / 3_600_000);
  const m = Math.floor((totalMs % 3_600_000) / 60_000);
  const s = (totalMs % 60_000) / 1000;
  const sec = `${trim(s, 3)}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

/** `formatDuration` of a whole number of milliseconds > 0. */
function wholeMsDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const rest = ms % 60_000;
  const frac = rest % 1000;
  // Milliseconds as Go prints them: three digits, trailing zeros dropped (".5", ".05", ".005").
  const sec = frac === 0 ? `${(rest - frac) / 1000}s` : `${(rest - frac) / 1000}.${String(frac).padStart(3, '0').replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

/** Parses a Go duration string (as produced by `formatDuration`) back to milliseconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|µs|us|ns)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v = Number(m[1]);
    const unit = m[2];
    total += v * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : unit === 'ms' ? 1 : unit === 'ns' ? 1e-6 : 1e-3);
    consumed += m[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

/**
 * The longest wait the official SDKs handle sensibly when told it (openai-wire.md §4): openai-node
 * up to v6.25 and v7.5 honour `retry-after(-ms)` only up to 60 s (longer: a short backoff, then
 * another 429), v6.26–v7.4 sleep whatever they are told (a day, inside one call), openai-python
 * v1–v2.51 up to 60 s. A longer wait is announced with `x-should-retry: false`.
 */
export const MAX_SDK_RETRY_WAIT_MS = 60_000;

/**
 * The retry headers for a wait: `retry-after-ms` (float ms) and `retry-after` (whole seconds,
 * rounded up, at least 1). Both are positive so that every SDK version honours them (a `0` is
 * ignored by older clients and means "immediately" to the newest). A wait longer than
 * `MAX_SDK_RETRY_WAIT_MS` (a per-day limit, a long lockout, an upstream's long hint) still says
 * how long it is, and adds `x-should-retry: false`: an SDK's automatic retry would either hang the
 * call for that long or come back at once into the same 429; the caller decides when to return.
 */
export function retryHeaders(waitMs: number): Record<string, string> {
  const ms = Math.max(1, Math.ceil(waitMs));
  return {
    [HEADER.retryAfterMs]: String(ms),
    [HEADER.retryAfter]: String(Math.max(1, Math.ceil(ms / 1000))),
    ...(ms > MAX_SDK_RETRY_WAIT_MS && { [HEADER.shouldRetry]: 'false' }),
  };
}

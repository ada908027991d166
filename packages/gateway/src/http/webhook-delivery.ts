/**
 * Outgoing webhook delivery, shared by the soft-limit notification and the status page's incident
 * webhooks: POST the body, retry with exponential backoff on the injected clock, stop at the first
 * success, at a permanent refusal (a 4xx other than 408/429) or after the last attempt. The caller
 * records each attempt (its delivery row) and logs the outcome.
 * @module
 */
import type { Clock } from '../clock.js';
import { webhookLabel } from '../config/redact-url.js';

export interface RetryPolicy {
  /** Delivery attempts in all (default 6). */
  maxAttempts: number;
  /** First retry delay; doubles per attempt (default 1 s). */
  baseDelayMs: number;
  /** Longest retry delay (default 60 s). */
  maxDelayMs: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: 10_000 };

export interface Attempt {
  /** 1-based, counting attempts made before a restart. */
  attempt: number;
  delivered: boolean;
  /** No attempt follows this one. */
  last: boolean;
  /** Why the attempt failed (null when delivered); never holds the URL (webhookLabel). */
  error: string | null;
}

export interface WebhookRequest {
  url: string;
  body: string;
  /** Read before every attempt (a signature may carry the attempt's time). */
  headers(): Record<string, string>;
}

/** Wait after failed attempt n (1-based): base × 2^(n-1), capped. */
export function retryDelay(p: RetryPolicy, attempt: number): number {
  return Math.min(p.baseDelayMs * 2 ** (attempt - 1), p.maxDelayMs);
}

/** The longest a delivery can take from its first attempt to its last giving up. */
export function retryWindowMs(p: RetryPolicy): number {
  let total = 0;
  for (let a = 1; a < p.maxAttempts; a++) total += retryDelay(p, a) + p.timeoutMs;
  return total + p.timeoutMs;
}

/**
 * Delivers `req`, starting after `attemptsSoFar` earlier attempts; `record` runs after each
 * attempt (before the wait for the next). Resolves with the final attempt.
 */
export async function deliverWebhook(o: RetryPolicy & { clock: Clock; fetch: typeof fetch }, req: WebhookRequest, attemptsSoFar: number, record: (a: Attempt) => Promise<void>): Promise<Attempt | undefined> {
  for (let attempt = attemptsSoFar + 1; attempt <= o.maxAttempts; attempt++) {
    let error: string;
    let permanent = false;
    try {
      const res = await o.fetch(req.url, { method: 'POST', headers: req.headers(), body: req.body, signal: AbortSignal.timeout(o.timeoutMs) });
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) {
        const done: Attempt = { attempt, delivered: true, last: true, error: null };
        await record(done);
        return done;
      }
      error = `HTTP ${res.status}`;
      // A client error other than timeout / rate limit will not change on retry.
      permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
    } catch (e) {
      // Stored and logged: a message that quotes the URL ("Failed to parse URL from …") must not carry its secret.
      error = (e instanceof Error ? e.message : String(e)).replaceAll(req.url, webhookLabel(req.url));
    }
    const a: Attempt = { attempt, delivered: false, last: permanent || attempt === o.maxAttempts, error };
    await record(a);
    if (a.last) return a;
    await o.clock.sleep(retryDelay(o, attempt));
  }
  return undefined;
}

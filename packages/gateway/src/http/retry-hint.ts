import { retryHeaders } from '@tollgate/protocol';

/** Upward jitter added to a known wait: up to this fraction of it. */
const JITTER_FRACTION = 0.2;

/**
 * Retry headers for a wait the gateway actually knows (a queue's drain rate, a circuit
 * breaker's reopen time), plus up to 20 % of it as upward jitter so that the clients told the
 * same wait do not all return in the same instant. Where the gateway knows nothing better it
 * sends no hint at all, and the SDKs back off exponentially with their own jitter.
 */
export function jitteredRetryHeaders(waitMs: number, random: () => number = Math.random): Record<string, string> {
  return retryHeaders(waitMs * (1 + JITTER_FRACTION * random()));
}

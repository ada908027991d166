import { HEADER, formatDuration } from '@tollgate/protocol';
import type { BucketStatus } from './counter-store.js';
import type { Dimension } from './dimensions.js';

/**
 * OpenAI's six `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` headers. Each family
 * describes the binding bucket of its kind: the one with the fewest tokens left (ties: the one
 * that takes longest to refill), among the org and key buckets that apply. A kind with no
 * configured limit gets no headers. Reset is a Go duration ("1s", "6m0s", "120ms").
 */
export function rateLimitHeaders(dims: readonly Dimension[], states: readonly BucketStatus[]): Record<string, string> {
  const headers: Record<string, string> = {};
  // Plain loops: this runs on every admitted request.
  const requests = binding(dims, states, 'requests');
  if (requests) {
    headers[HEADER.limitRequests] = String(requests.limit);
    headers[HEADER.remainingRequests] = String(requests.remaining);
    headers[HEADER.resetRequests] = formatDuration(requests.resetMs);
  }
  const tokens = binding(dims, states, 'tokens');
  if (tokens) {
    headers[HEADER.limitTokens] = String(tokens.limit);
    headers[HEADER.remainingTokens] = String(tokens.remaining);
    headers[HEADER.resetTokens] = formatDuration(tokens.resetMs);
  }
  return headers;
}

/** The bucket of `kind` with the fewest left (ties: the one that takes longest to refill). */
function binding(dims: readonly Dimension[], states: readonly BucketStatus[], kind: Dimension['kind']): BucketStatus | undefined {
  let best: BucketStatus | undefined;
  for (let i = 0; i < dims.length; i++) {
    const s = states[i];
    if (dims[i]!.kind !== kind || !s) continue;
    if (!best || s.remaining < best.remaining || (s.remaining === best.remaining && s.resetMs > best.resetMs)) best = s;
  }
  return best;
}

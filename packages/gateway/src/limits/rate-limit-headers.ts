import { HEADER, formatDuration } from '@tollgate/protocol';
import type { BucketStatus } from './counter-store.js';
import type { Dimension, LimitScope } from './dimensions.js';

/**
 * OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` headers, and the project's own
 * `x-ratelimit-{limit,remaining,reset}-project-{requests,tokens}`. The plain families describe the
 * limit that binds the caller, as OpenAI documents them ("the rate limit ... that applies"): of all
 * the limits the request was counted against (the organization's, the key's project's, the API
 * key's own), the bucket with the fewest left (ties: the one that takes longest to refill), so a
 * client that paces itself by them keeps to a project's limit that is tighter than the
 * organization's, and a 429's headers show the limit its message names. The project families
 * describe the project's own limits alone, sent when the key's project has one (openai-wire.md
 * §3.1 lists the tokens family; the requests family is its counterpart). A family with no limit
 * gets no header. Reset is a Go duration ("1s", "6m0s", "120ms").
 */
export function rateLimitHeaders(dims: readonly Dimension[], scopes: readonly LimitScope[], states: readonly BucketStatus[]): Record<string, string> {
  const headers: Record<string, string> = {};
  // Each family is written at stores of its own: one helper for all four made each of its stores
  // see four header names, a megamorphic keyed store on every admitted request.
  const requests = binding(dims, scopes, states, 'requests', false);
  if (requests) {
    headers[HEADER.limitRequests] = String(requests.limit);
    headers[HEADER.remainingRequests] = String(requests.remaining);
    headers[HEADER.resetRequests] = formatDuration(requests.resetMs);
  }
  const tokens = binding(dims, scopes, states, 'tokens', false);
  if (tokens) {
    headers[HEADER.limitTokens] = String(tokens.limit);
    headers[HEADER.remainingTokens] = String(tokens.remaining);
    headers[HEADER.resetTokens] = formatDuration(tokens.resetMs);
  }
  const projectRequests = binding(dims, scopes, states, 'requests', true);
  if (projectRequests) {
    headers[HEADER.limitProjectRequests] = String(projectRequests.limit);
    headers[HEADER.remainingProjectRequests] = String(projectRequests.remaining);
    headers[HEADER.resetProjectRequests] = formatDuration(projectRequests.resetMs);
  }
  const projectTokens = binding(dims, scopes, states, 'tokens', true);
  if (projectTokens) {
    headers[HEADER.limitProjectTokens] = String(projectTokens.limit);
    headers[HEADER.remainingProjectTokens] = String(projectTokens.remaining);
    headers[HEADER.resetProjectTokens] = formatDuration(projectTokens.resetMs);
  }
  return headers;
}

/**
 * The bucket of `kind` with the fewest left (ties: the one that takes longest to refill), among
 * all of them, or with `projectOnly` among the project's.
 */
function binding(dims: readonly Dimension[], scopes: readonly LimitScope[], states: readonly BucketStatus[], kind: Dimension['kind'], projectOnly: boolean): BucketStatus | undefined {
  let best: BucketStatus | undefined;
  // A plain loop: this runs on every admitted request.
  for (let i = 0; i < dims.length; i++) {
    const s = states[i];
    if (dims[i]!.kind !== kind || (projectOnly && scopes[i] !== 'project') || !s) continue;
    if (!best || s.remaining < best.remaining || (s.remaining === best.remaining && s.resetMs > best.resetMs)) best = s;
  }
  return best;
}

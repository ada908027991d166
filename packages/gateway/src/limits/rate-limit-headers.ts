import { HEADER, formatDuration } from '@tollgate/protocol';
import type { BucketStatus } from './counter-store.js';
import type { Dimension, LimitScope } from './dimensions.js';

/** One header family: `x-ratelimit-{limit,remaining,reset}-<suffix>`. */
const FAMILIES = {
  requests: [HEADER.limitRequests, HEADER.remainingRequests, HEADER.resetRequests],
  tokens: [HEADER.limitTokens, HEADER.remainingTokens, HEADER.resetTokens],
  projectRequests: [HEADER.limitProjectRequests, HEADER.remainingProjectRequests, HEADER.resetProjectRequests],
  projectTokens: [HEADER.limitProjectTokens, HEADER.remainingProjectTokens, HEADER.resetProjectTokens],
} as const;

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
  set(headers, FAMILIES.requests, binding(dims, scopes, states, 'requests', false));
  set(headers, FAMILIES.tokens, binding(dims, scopes, states, 'tokens', false));
  set(headers, FAMILIES.projectRequests, binding(dims, scopes, states, 'requests', true));
  set(headers, FAMILIES.projectTokens, binding(dims, scopes, states, 'tokens', true));
  return headers;
}

function set(headers: Record<string, string>, [limit, remaining, reset]: readonly [string, string, string], s: BucketStatus | undefined): void {
  if (!s) return;
  headers[limit] = String(s.limit);
  headers[remaining] = String(s.remaining);
  headers[reset] = formatDuration(s.resetMs);
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

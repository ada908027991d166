import { HEADER, formatDuration } from '@tollgate/protocol';
import type { BucketStatus } from './counter-store.js';
import type { Dimension, LimitScope } from './dimensions.js';

/**
 * OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` headers, and
 * `x-ratelimit-{limit,remaining,reset}-project-tokens`. The plain families describe the
 * organization's limits, as at OpenAI (and the API key's own, which OpenAI does not have: they
 * are narrower than the organization's); the project family describes the project's token limits,
 * sent when the key's project has one (openai-wire.md §3.1). Each family is its binding bucket:
 * the one with the fewest left (ties: the one that takes longest to refill). A project's request
 * limits get no header (OpenAI documents none), and a family with no limit gets none. Reset is a
 * Go duration ("1s", "6m0s", "120ms").
 */
export function rateLimitHeaders(dims: readonly Dimension[], scopes: readonly LimitScope[], states: readonly BucketStatus[]): Record<string, string> {
  const headers: Record<string, string> = {};
  // Plain loops: this runs on every admitted request.
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
  const projectTokens = binding(dims, scopes, states, 'tokens', true);
  if (projectTokens) {
    headers[HEADER.limitProjectTokens] = String(projectTokens.limit);
    headers[HEADER.remainingProjectTokens] = String(projectTokens.remaining);
    headers[HEADER.resetProjectTokens] = formatDuration(projectTokens.resetMs);
  }
  return headers;
}

/** The bucket of `kind` with the fewest left (ties: the one that takes longest to refill), among the project's or the others. */
function binding(dims: readonly Dimension[], scopes: readonly LimitScope[], states: readonly BucketStatus[], kind: Dimension['kind'], project: boolean): BucketStatus | undefined {
  let best: BucketStatus | undefined;
  for (let i = 0; i < dims.length; i++) {
    const s = states[i];
    if (dims[i]!.kind !== kind || (scopes[i] === 'project') !== project || !s) continue;
    if (!best || s.remaining < best.remaining || (s.remaining === best.remaining && s.resetMs > best.resetMs)) best = s;
  }
  return best;
}

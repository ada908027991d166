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
  for (const kind of ['requests', 'tokens'] as const) {
    let best: BucketStatus | undefined;
    dims.forEach((d, i) => {
      const s = states[i];
      if (d.kind !== kind || !s) return;
      if (!best || s.remaining < best.remaining || (s.remaining === best.remaining && s.resetMs > best.resetMs)) best = s;
    });
    if (!best) continue;
    const [limit, remaining, reset] = kind === 'requests' ? [HEADER.limitRequests, HEADER.remainingRequests, HEADER.resetRequests] : [HEADER.limitTokens, HEADER.remainingTokens, HEADER.resetTokens];
    headers[limit] = String(best.limit);
    headers[remaining] = String(best.remaining);
    headers[reset] = formatDuration(best.resetMs);
  }
  return headers;
}

import { formatDuration, retryHeaders } from '@tollgate/protocol';
import { ApiError } from '../errors/api-error.js';
import type { BucketRequest, ReserveFailure } from './counter-store.js';
import type { Dimension, LimitScope } from './dimensions.js';

export interface RejectionContext {
  model: string;
  orgId: string;
  /** The key's project: a project limit's message links its page. */
  projectId?: string | undefined;
  /** The organization's hard limit is its own spend limit rather than the operator's approved quota. */
  ownSpendLimit?: boolean;
  dims: readonly Dimension[];
  /** Whose limit each bucket is (the order of `dims`). */
  scopes: readonly LimitScope[];
  buckets: readonly BucketRequest[];
  failures: readonly ReserveFailure[];
  /** The x-ratelimit-* headers of the rejected call. */
  headers: Record<string, string>;
  /** The wait to tell the caller, when it differs from the store's (staggered, with jitter). */
  waitMs?: number;
}

/**
 * The one error for a rejected reservation, chosen in this order:
 * 1. spend over a hard limit → type `insufficient_quota`, the limit in `code`: the operator's
 *    approved quota (`/admin/v1/.../billing` hard_limit_usd) is OpenAI's own `insufficient_quota`,
 *    the organization's own spend limit (`/v1/organization/spend_limit`)
 *    `organization_spend_limit_exceeded`, a project's `project_spend_limit_exceeded`;
 *    retrying cannot help;
 * 2. a bucket the request can never fit → `request_too_large` (the same);
 * 3. otherwise the failing bucket with the longest wait → `rate_limit_requests`/`_tokens`, with
 *    `retry-after(-ms)` set to that wait (or the staggered one the limiter chose, never shorter),
 *    so the client waits once for every limit.
 * The words are OpenAI's whichever limit bound: the message names the organization ("in project
 * proj_…" is not an observed wording: openai-wire.md §2 (g) lists it as unverified), while its
 * figures are the bound limit's and its link the console page that shows that limit
 * (`limitsPage`). The headers say whose limit is whose (rate-limit-headers.ts).
 */
export function rejectionError(c: RejectionContext): ApiError {
  // Neither entry below is retryable, so ApiError adds `x-should-retry: false` to these headers.
  if (c.failures.some((f) => f.target === 'spend')) return new ApiError(c.ownSpendLimit === true ? 'organization_spend_limit_exceeded' : 'insufficient_quota', {}, { headers: c.headers });
  if (c.failures.some((f) => f.target === 'project_spend')) return new ApiError('project_spend_limit_exceeded', {}, { headers: c.headers });

  const onBuckets = c.failures.filter((f): f is ReserveFailure & { target: number } => typeof f.target === 'number');
  const never = onBuckets.find((f) => f.retryAfterMs === null);
  const words = (f: ReserveFailure & { target: number }) => {
    const d = c.dims[f.target]!;
    const b = c.buckets[f.target]!;
    return { model: c.model, organization: c.orgId, dimension: d.label, abbr: d.abbr, limit: b.limit, requested: b.cost, limits_page: limitsPage(c.scopes[f.target]!, c.projectId) };
  };
  if (never) return new ApiError('request_too_large', words(never), { headers: c.headers });

  const worst = onBuckets.reduce((a, f) => ((f.retryAfterMs ?? 0) > (a.retryAfterMs ?? 0) ? f : a));
  // Whole milliseconds, so the message's duration and retry-after-ms say the same (hints carry jitter).
  const wait = Math.ceil(c.waitMs ?? worst.retryAfterMs ?? 0);
  const w = words(worst);
  return new ApiError(
    c.dims[worst.target]!.kind === 'requests' ? 'rate_limit_requests' : 'rate_limit_tokens',
    { ...w, used: Math.round(w.limit - worst.available), wait: formatDuration(wait) },
    { headers: { ...c.headers, ...retryHeaders(wait) } },
  );
}

export interface BlockedContext {
  model: string;
  orgId: string;
  projectId?: string | undefined;
  dim: Dimension;
  /** Whose limit is 0: the organization's, the project's or the API key's. */
  scope: LimitScope;
  requested: number;
}

/**
 * A limit of 0 blocks the model for the organization or key (one meaning everywhere: config
 * tiers, organization and key overrides). Waiting cannot help, so the 429 says so and carries
 * `x-should-retry: false` (the catalog entry is not retryable) and no retry hint.
 */
export function blockedError(c: BlockedContext): ApiError {
  return new ApiError(c.dim.kind === 'requests' ? 'rate_limit_blocked_requests' : 'rate_limit_blocked_tokens', {
    model: c.model,
    organization: c.orgId,
    dimension: c.dim.label,
    abbr: c.dim.abbr,
    requested: c.requested,
    scope: c.scope === 'organization' ? 'this organization' : c.scope === 'project' ? 'this project' : 'this API key',
    limits_page: limitsPage(c.scope, c.projectId),
  });
}

/**
 * The console page (relative to its root) that shows a limit: the organization's limits page, the
 * project's page (its rate limits table), or, for a key's own limits (which the operator sets and
 * the console does not show), the API keys page.
 */
export function limitsPage(scope: LimitScope, projectId: string | undefined): string {
  if (scope === 'project' && projectId !== undefined) return `projects/${encodeURIComponent(projectId)}`;
  return scope === 'key' ? 'api-keys' : 'limits';
}

import { formatDuration, retryHeaders } from '@tollgate/protocol';
import { formatUsd } from '../billing/pricing.js';
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
  /** The spend the request asked to reserve, for a spend refusal's figures. */
  spend?: SpendFigures;
}

/** What a spend refusal can tell the caller: the worst case it was refused for and the limits it was held to. */
export interface SpendFigures {
  /** Pico-dollars: the request's worst-case cost. */
  amount: bigint;
  /** Pico-dollars; null: no limit. */
  hardLimit: bigint | null;
  projectHardLimit: bigint | null;
  promptTokens: number;
  /** The most output the request may produce (its max_tokens, or the model's maximum). */
  outputTokens: number;
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
  const spend = c.failures.find(isSpend('spend'));
  if (spend) {
    if (c.ownSpendLimit !== true) return new ApiError('insufficient_quota', {}, { headers: c.headers });
    return spendError('organization', spend.available, c.spend?.hardLimit, c);
  }
  const project = c.failures.find(isSpend('project_spend'));
  if (project) return spendError('project', project.available, c.spend?.projectHardLimit, c);

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

type SpendFailure = Extract<ReserveFailure, { target: 'spend' | 'project_spend' }>;
const isSpend = (target: SpendFailure['target']) => (f: ReserveFailure): f is SpendFailure => f.target === target;

/**
 * A refusal by the organization's own spend limit or a project's. When spent + reserved is still
 * below the limit, it is only this request's worst case that does not fit: saying "you exceeded
 * the limit" would be untrue, so the message gives the figures (exact, trailing zeros trimmed)
 * and says how to ask for less. Otherwise the limit is reached, and the words are OpenAI's.
 */
function spendError(scope: 'organization' | 'project', available: bigint, limit: bigint | null | undefined, c: RejectionContext): ApiError {
  const reached = scope === 'organization' ? 'organization_spend_limit_exceeded' : 'project_spend_limit_exceeded';
  if (available <= 0n || limit === null || limit === undefined || c.spend === undefined) return new ApiError(reached, {}, { headers: c.headers });
  const figures = {
    cost: formatUsd(c.spend.amount, 2),
    prompt_tokens: c.spend.promptTokens,
    output_tokens: c.spend.outputTokens,
    left: formatUsd(available, 2),
    spend_limit: formatUsd(limit, 2),
    limits_page: limitsPage(scope, c.projectId),
  };
  return new ApiError(scope === 'organization' ? 'organization_spend_limit_request_cost' : 'project_spend_limit_request_cost', figures, { headers: c.headers });
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

/**
 * What is left right now of a model's rate limits, for the organization and for one of its
 * projects, read from the counter store without changing it (`CounterStore.peek`): the console's
 * Limits page and the `remaining_*` fields of the rate-limit objects.
 *
 * A project's request takes from the organization's bucket and from the project's own (when it
 * has a limit of its own), so what is left for the project is the smaller of the two.
 * @module
 */
import type { CounterStore, PeekBucket } from './counter-store.js';
import { DIMENSIONS, type Dimension } from './dimensions.js';
import type { ResolvedLimits } from './limit-layers.js';
import { bucketName, ORG_SCOPE, projectScope } from './rate-limiter.js';

/** The field a limit's remaining count is reported in: `max_tokens_per_1_day` → `remaining_tokens_per_1_day`. */
export const remainingField = (d: Dimension): string => d.field.replace(/^max_/, 'remaining_');

/** Remaining per limit field (`remaining_requests_per_1_minute`, …); null = no limit. */
export type Remaining = Record<string, number | null>;

/**
 * The remaining counts of `model` for the organization and, with `project`, for that project
 * (`limits`: its own limits, absent when it has none), in one peek of the counter store.
 */
export async function remainingOf(
  counters: Pick<CounterStore, 'peek'>,
  q: { orgId: string; model: string; org: ResolvedLimits; project?: { id: string; limits?: ResolvedLimits | undefined } },
): Promise<{ org: Remaining; project?: Remaining }> {
  const buckets: PeekBucket[] = [];
  // Where each dimension's answer sits: a bucket index, 0 (a zero limit blocks), or null (none).
  const slot = (scope: string, limits: ResolvedLimits | undefined, d: Dimension): number | 'zero' | null => {
    const limit = limits?.[d.field];
    if (limit === null || limit === undefined) return null;
    if (limit === 0) return 'zero';
    buckets.push({ key: bucketName(scope, q.model, d), limit, windowMs: d.windowMs });
    return buckets.length - 1;
  };
  const orgSlots = DIMENSIONS.map((d) => slot(ORG_SCOPE, q.org, d));
  const projectSlots = q.project ? DIMENSIONS.map((d) => slot(projectScope(q.project!.id), q.project!.limits, d)) : [];
  const states = await counters.peek(q.orgId, buckets);
  const read = (s: number | 'zero' | null): number | null => (s === null ? null : s === 'zero' ? 0 : states[s]!.remaining);

  const org: Remaining = {};
  DIMENSIONS.forEach((d, i) => (org[remainingField(d)] = read(orgSlots[i]!)));
  if (!q.project) return { org };
  const project: Remaining = {};
  DIMENSIONS.forEach((d, i) => {
    const own = read(projectSlots[i]!);
    const shared = org[remainingField(d)] ?? null;
    project[remainingField(d)] = own === null ? shared : shared === null ? own : Math.min(own, shared);
  });
  return { org, project };
}

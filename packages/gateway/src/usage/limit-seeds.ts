/**
 * A rate limit that first applies to an organization, a project or a key — set where that scope
 * had none for the field, or was blocked (0) — starts from what the scope already used within the
 * limit's window, not from a full bucket. A scope without a limit has no bucket (the limit stage
 * counts only limited scopes, so the hot path does no extra work), so the bucket is started here,
 * on the admin path: the scope's admitted requests of the last window are read from the usage
 * ledger and replayed through the bucket's drain rule (limits/bucket-replay.ts), which gives the
 * level the bucket would have had, had it always existed — for requests and tokens, per minute
 * and per day. `CounterStore.seed` lowers the bucket to that level unless it is already lower, so
 * nothing a reserve debited is given back, on the memory store and on Redis (Cluster) alike.
 *
 * `around` seeds twice: before the change is written (nothing debits the new bucket yet, and the
 * ledger has everything up to then) and right after it (the requests recorded meanwhile). Each
 * pass flushes this instance's journal into the ledger first.
 *
 * What it cannot see, and so does not count:
 * - requests still in another instance's journal, not yet flushed to the ledger (at most their
 *   `usage.flush_interval_ms`), and requests still in flight (recorded when they finish) — unless
 *   they reached a bucket that already applied;
 * - requests that arrive between the first pass and the moment an instance learns of the new limit
 *   (its invalidation event), if they are not in the ledger by the second pass;
 * - a request counted under another model (a fallback served it) is counted under the model it
 *   named, as the limit stage counts it;
 * - rows older than the ledger's retention (days; windows are at most a day).
 *
 * A limit raised or lowered is started the same way, from the lower of the replayed level and
 * what its bucket holds now (bucket-math.ts `rescaledLevel` carries what was used over), never
 * below empty, and written in the new limit's scale: from the change on it refills at the new
 * rate. Lowered to 3 a day after 3 requests under 1,000 a day, the next request waits 8 h (one
 * request's share of the new day), not the 86 s the old rate would give; lowered under what was
 * used (6 a minute used, lowered to 2), it counts as all used, so no wait exceeds one window.
 *
 * Started here: a project's limits (Administration API, console, org CLI), a key's and an
 * organization's (operator API and CLI), and an organization moved to a tier with limits its old
 * one lacked. Not here: tiers changed in the configuration file take effect at a restart; with the
 * memory store every bucket is rebuilt then (counter-rebuild.ts, daily buckets), with Redis a
 * daily bucket the new tier adds starts full. Spend limits have no such gap: the organization's
 * and every project's spend are counted on every request, limited or not (request-reservations.ts).
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { LimitSet } from '../config/types.js';
import type { BucketRestore, CounterStore } from '../limits/counter-store.js';
import { DIMENSIONS } from '../limits/dimensions.js';
import { ORG_SCOPE, keyScope, projectScope } from '../limits/rate-limiter.js';
import type { BillingStore } from '../store/billing-tables.js';
import { LIMIT_FIELDS, type LimitField } from '../store/index.js';
import { BucketsReplay, forEachAdmitted, type HistoryFilter } from './admitted-history.js';

/** Whose limit: the organization's (all its requests), one project's, or one key's. */
export type LimitSeedScope = { kind: 'organization' } | { kind: 'project'; projectId: string } | { kind: 'key'; keyId: string };

/** The fields of a model's limits that apply now and did not before, or at another value (each > 0). */
export interface NewLimit {
  model: string;
  limits: Partial<Record<LimitField, number>>;
}

/** A scope's limits for a model; undefined (or a null field) when it has none. */
export type LimitLookup = (model: string) => Partial<LimitSet> | undefined;

/** A field has a bucket when it is a positive number (0 blocks the model outright, null is no limit). */
const counted = (v: number | null | undefined): v is number => typeof v === 'number' && v > 0;

/** Per model, the fields counted under `after` that were not counted, or counted at another value, under `before`. */
export function changedLimits(models: readonly string[], before: LimitLookup, after: LimitLookup): NewLimit[] {
  const out: NewLimit[] = [];
  for (const model of models) {
    const was = before(model);
    const now = after(model);
    const limits: NewLimit['limits'] = {};
    for (const f of LIMIT_FIELDS) {
      const v = now?.[f];
      if (counted(v) && v !== was?.[f]) limits[f] = v;
    }
    if (Object.keys(limits).length > 0) out.push({ model, limits });
  }
  return out;
}

/** The scope's limits before a change, as the change will leave them, and as read back after it (from `change`'s result). */
export interface AroundLookups<T> {
  before: LimitLookup;
  predicted: LimitLookup;
  actual: (result: T) => LimitLookup;
}

export interface LimitSeedsDeps {
  store: BillingStore;
  counters: Pick<CounterStore, 'seed'>;
  clock: Pick<Clock, 'now'>;
  /** Writes this instance's buffered usage events, so that they count. */
  flushLedger(): Promise<void>;
  log?: Pick<Logger, 'info' | 'warn'>;
}

export class LimitSeeds {
  constructor(private readonly d: LimitSeedsDeps) {}

  /**
   * Starts the buckets of `newly` from the scope's admitted requests of their windows (the longest
   * of them: a day when a daily field is among them, else a minute), read from the ledger a page at
   * a time. Resolves with the number of buckets sent to `CounterStore.seed` (those the history
   * left below full; 0 when none, and nothing is sent); rejects when the ledger or the counters fail.
   */
  async seed(orgId: string, scope: LimitSeedScope, newly: readonly NewLimit[]): Promise<number> {
    if (newly.length === 0) return 0;
    await this.d.flushLedger();
    const now = this.d.clock.now();
    const windowMs = Math.max(...DIMENSIONS.filter((d) => newly.some((n) => n.limits[d.field] !== undefined)).map((d) => d.windowMs));
    const filter: HistoryFilter = { models: newly.map((n) => n.model), ...(scope.kind === 'project' && { projectId: scope.projectId }), ...(scope.kind === 'key' && { keyId: scope.keyId }) };
    const name = scope.kind === 'organization' ? ORG_SCOPE : scope.kind === 'project' ? projectScope(scope.projectId) : keyScope(scope.keyId);
    // Each request is replayed as it is read, into the buckets of the model it was counted under
    // (changedLimits gives one entry per model).
    const byModel = new Map(newly.map((n) => [n.model, new BucketsReplay(name, n.model, n.limits, now, DIMENSIONS)]));
    await forEachAdmitted(this.d.store, orgId, now - windowMs, filter, (a) => byModel.get(a.bucketModel)?.add(a));
    const buckets: BucketRestore[] = [...byModel.values()].flatMap((r) => r.buckets());
    if (buckets.length === 0) return 0;
    await this.d.counters.seed(orgId, buckets);
    this.d.log?.info({ org_id: orgId, scope, buckets: buckets.map((b) => b.key) }, 'new rate limits started from the usage ledger');
    return buckets.length;
  }

  /**
   * Runs `change` (the write of new limits and its announcement) between two seeds of the limits
   * that first apply: `predicted` (the limits as the change will leave them) before it, and the
   * limits read back after it (`actual`) after. A failed first seed fails the call with nothing
   * changed; a failed second one is logged (the change is made, the first seed stands).
   */
  async around<T>(orgId: string, scope: LimitSeedScope, models: readonly string[], lookups: AroundLookups<T>, change: () => Promise<T>): Promise<T> {
    await this.seed(orgId, scope, changedLimits(models, lookups.before, lookups.predicted));
    const result = await change();
    try {
      await this.seed(orgId, scope, changedLimits(models, lookups.before, lookups.actual(result)));
    } catch (err) {
      this.d.log?.warn({ err, org_id: orgId, scope }, 'new rate limits: the second start from the usage ledger failed; the first stands');
    }
    return result;
  }
}

/** `seeds.around(…)`, or just `change()` where no seeding is wired (a bare admin API in tests). */
export function withLimitSeeds<T>(seeds: LimitSeeds | undefined, orgId: string, scope: LimitSeedScope, models: readonly string[], lookups: AroundLookups<T>, change: () => Promise<T>): Promise<T> {
  return seeds ? seeds.around(orgId, scope, models, lookups, change) : change();
}

/**
 * Counters lost with Redis must not reopen spent budgets. A guarded reserve refuses while an
 * organization's counter state is not marked restored (Redis restarted empty, or flushed; a new
 * month; the organization's first request); the gateway then rebuilds that organization's state
 * from the ledger here, in one atomic restore, and only then admits:
 *
 * - spent this month = the ledger's sum (daily rollups, exact whatever the retention);
 * - the daily buckets (RPD, TPD; organization and key limits) = the admissions of the last 24 h
 *   replayed through the bucket (limits/bucket-replay.ts).
 *
 * This instance's buffered usage events are flushed first so they count. Events still buffered by
 * other instances, and requests that were in flight when Redis lost their reservations, reach the
 * ledger a moment later: the periodic reconciliation (spend-reconcile.ts) raises a counter found
 * below the ledger. Per-minute buckets are not rebuilt: they refill within a minute anyway.
 *
 * One rebuild per organization at a time on an instance; concurrent callers share it. Instances
 * racing restore the same ledger figures, and only the first restore writes.
 * @module
 */
import { findEntry, type ErrorId } from '@tollgate/protocol';
import type { Logger } from 'pino';
import { periodOf, spendKey } from '../billing/period.js';
import { billingDb, type BillingStore } from '../store/billing-tables.js';
import { picoToUsd } from '../billing/pricing.js';
import type { Clock } from '../clock.js';
import type { LimitSet } from '../config/types.js';
import type { Metrics } from '../status/metrics.js';
import type { BucketRestore, CounterStore } from '../limits/counter-store.js';
import { replayDeficit, type Admitted } from '../limits/bucket-replay.js';
import { DIMENSIONS } from '../limits/dimensions.js';
import { ORG_SCOPE, bucketName, keyScope } from '../limits/rate-limiter.js';
import { ledgerSpendByOrg } from './spend-rebuild.js';

const DAY_MS = 86_400_000;
const DAILY = DIMENSIONS.filter((d) => d.windowMs === DAY_MS);

export interface CounterRebuildDeps {
  store: BillingStore;
  counters: Pick<CounterStore, 'restore'>;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Writes this instance's buffered usage events, so that the rebuild counts them. */
  flushLedger(): Promise<void>;
  /** The limits of (organization, tier, model, key), as the limit stage resolves them. */
  limitsFor(orgId: string, tier: string, model: string, keyId: string): Promise<{ org: LimitSet; key?: LimitSet }> | { org: LimitSet; key?: LimitSet };
}

export interface RebuildResult {
  orgId: string;
  spent: bigint;
  buckets: number;
  /** False when another instance restored first. */
  restored: boolean;
}

export class CounterRebuilder {
  private readonly running = new Map<string, Promise<RebuildResult>>();
  private count = 0;

  constructor(private readonly d: CounterRebuildDeps) {}

  /** Organizations rebuilt by this instance so far. */
  get rebuilt(): number {
    return this.count;
  }

  registerMetrics(metrics: Metrics): void {
    metrics.gauge('tollgate_counter_rebuilds', 'Organizations whose lost counters this instance rebuilt from the ledger, since start.', [], () => [[{}, this.rebuilt]]);
  }

  rebuild(orgId: string, tier: string): Promise<RebuildResult> {
    const pending = this.running.get(orgId);
    if (pending) return pending;
    const p = this.run(orgId, tier).finally(() => this.running.delete(orgId));
    this.running.set(orgId, p);
    return p;
  }

  private async run(orgId: string, tier: string): Promise<RebuildResult> {
    const { store, clock } = this.d;
    await this.d.flushLedger();
    const now = clock.now();
    const period = periodOf(now);
    const db = billingDb(store);
    const [ledger, events] = await Promise.all([
      ledgerSpendByOrg(store, period.startMs, period.endMs, orgId),
      db
        .selectFrom('usage_events')
        .select(['model', 'key_id', 'created_at', 'prompt_tokens', 'completion_tokens', 'status_code', 'error_code'])
        .where('org_id', '=', orgId)
        .where('created_at', '>', now - DAY_MS)
        .execute(),
    ]);
    const spent = ledger.get(orgId) ?? 0n;

    // The admissions per (model, key): the organization's buckets sum over keys.
    const byModelKey = new Map<string, { model: string; keyId: string; admitted: Array<Admitted & { tokens: number }> }>();
    for (const row of events) {
      const e = { ...row, prompt_tokens: Number(row.prompt_tokens), completion_tokens: Number(row.completion_tokens) };
      if (!wasAdmitted(e)) continue;
      const k = `${e.model}\n${e.key_id}`;
      let g = byModelKey.get(k);
      if (!g) byModelKey.set(k, (g = { model: e.model, keyId: e.key_id, admitted: [] }));
      g.admitted.push({ at: Number(e.created_at), cost: 1, tokens: e.prompt_tokens + e.completion_tokens });
    }
    const orgHistory = new Map<string, { limits: LimitSet; admitted: Array<Admitted & { tokens: number }> }>();
    const buckets: BucketRestore[] = [];
    for (const g of byModelKey.values()) {
      const limits = await this.d.limitsFor(orgId, tier, g.model, g.keyId);
      let o = orgHistory.get(g.model);
      if (!o) orgHistory.set(g.model, (o = { limits: limits.org, admitted: [] }));
      o.admitted.push(...g.admitted);
      if (limits.key) buckets.push(...dailyBuckets(keyScope(g.keyId), g.model, limits.key, g.admitted, now));
    }
    for (const [model, o] of orgHistory) buckets.push(...dailyBuckets(ORG_SCOPE, model, o.limits, o.admitted, now));

    const restored = await this.d.counters.restore({ tag: orgId, spend: { key: spendKey(orgId, period.startMs), spent, periodEndMs: period.endMs }, buckets });
    if (restored) {
      this.count++;
      this.d.log.info({ org_id: orgId, spent_usd: picoToUsd(spent), buckets: buckets.length }, 'counters restored from the usage ledger');
    }
    return { orgId, spent, buckets: buckets.length, restored };
  }
}

function dailyBuckets(scope: string, model: string, limits: LimitSet, admitted: Array<Admitted & { tokens: number }>, now: number): BucketRestore[] {
  const out: BucketRestore[] = [];
  for (const d of DAILY) {
    const limit = limits[d.field];
    // 0 blocks the model outright (never counted in a bucket); null/absent is no limit.
    if (limit === null || limit === undefined || limit === 0) continue;
    const history = d.kind === 'tokens' ? admitted.map((a) => ({ at: a.at, cost: a.tokens })) : admitted;
    const deficitUnits = replayDeficit(history, limit, d.windowMs, now);
    if (deficitUnits > 0) out.push({ key: bucketName(scope, model, d), limit, windowMs: d.windowMs, deficitUnits });
  }
  return out;
}

/**
 * Whether a ledger event held a reservation that stayed counted: answered, or tokens used, or an
 * engine failure after admission. Refusals before admission (validation, rate limits, quota, the
 * counters being unavailable) and the gateway's own overload (given back) did not.
 */
export function wasAdmitted(e: { status_code: number; error_code: string | null; prompt_tokens: number; completion_tokens: number }): boolean {
  if (e.status_code < 400 || e.prompt_tokens > 0 || e.completion_tokens > 0) return true;
  if (e.status_code < 500 || e.error_code === null) return false;
  return e.error_code !== ('store_unavailable' satisfies ErrorId) && findEntry(e.error_code)?.kind !== 'overloaded';
}

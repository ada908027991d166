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
import type { Logger } from 'pino';
import { periodOf, projectSpendKey, spendKey } from '../billing/period.js';
import type { BillingStore } from '../store/billing-tables.js';
import { picoToUsd } from '../billing/pricing.js';
import type { Clock } from '../clock.js';
import type { LimitSet } from '../config/types.js';
import type { Metrics } from '../status/metrics.js';
import type { BucketRestore, CounterStore } from '../limits/counter-store.js';
import { DIMENSIONS } from '../limits/dimensions.js';
import { ORG_SCOPE, keyScope, projectScope } from '../limits/rate-limiter.js';
import { admittedSince, replayedBuckets, type AdmittedRequest } from './admitted-history.js';
import { ledgerSpendByOrg, ledgerSpendOfProject } from './spend-rebuild.js';

const DAY_MS = 86_400_000;
const DAILY = DIMENSIONS.filter((d) => d.windowMs === DAY_MS);

export interface CounterRebuildDeps {
  store: BillingStore;
  counters: Pick<CounterStore, 'restore'>;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Writes this instance's buffered usage events, so that the rebuild counts them. */
  flushLedger(): Promise<void>;
  /** The limits of (organization, tier, model, key, project), as the limit stage resolves them. */
  limitsFor(orgId: string, tier: string, model: string, keyId: string, projectId?: string): Promise<RebuildLimits> | RebuildLimits;
}

type RebuildLimits = { org: LimitSet; project?: LimitSet; key?: LimitSet };

export interface RebuildResult {
  orgId: string;
  spent: bigint;
  buckets: number;
  /** False when another instance restored first. */
  restored: boolean;
}

export class CounterRebuilder {
  private readonly running = new Map<string, Promise<unknown>>();
  private count = 0;

  constructor(private readonly d: CounterRebuildDeps) {}

  /** Organizations rebuilt by this instance so far. */
  get rebuilt(): number {
    return this.count;
  }

  registerMetrics(metrics: Metrics): void {
    metrics.gauge('tollgate_counter_rebuilds', 'Organizations whose lost counters this instance rebuilt from the ledger, since start.', [], () => [[{}, this.rebuilt]]);
  }

  /**
   * Rebuilds the organization's state (if lost), then the project's spend (if lost): the project's
   * spend counter is its own hash, restored when the project is first seen in a period too.
   */
  async rebuild(orgId: string, tier: string, projectId?: string): Promise<RebuildResult> {
    const r = await this.shared(orgId, () => this.run(orgId, tier));
    if (projectId !== undefined) await this.rebuildProject(orgId, projectId);
    return r;
  }

  /** Rebuilds only the project's spend this period (if lost); the organization's state is left as it is. */
  rebuildProject(orgId: string, projectId: string): Promise<boolean> {
    return this.shared(`${orgId}\n${projectId}`, () => this.runProject(orgId, projectId));
  }

  private shared<T>(id: string, run: () => Promise<T>): Promise<T> {
    const pending = this.running.get(id) as Promise<T> | undefined;
    if (pending) return pending;
    const p = run().finally(() => this.running.delete(id));
    this.running.set(id, p);
    return p;
  }

  /** The project's spend this month from the ledger, restored unless another instance did first. */
  private async runProject(orgId: string, projectId: string): Promise<boolean> {
    await this.d.flushLedger();
    const period = periodOf(this.d.clock.now());
    const spent = await ledgerSpendOfProject(this.d.store, period.startMs, period.endMs, projectId);
    const restored = await this.d.counters.restore({ tag: orgId, spend: { key: projectSpendKey(projectId, period.startMs), spent, periodEndMs: period.endMs }, buckets: [] });
    if (restored) this.d.log.info({ org_id: orgId, project_id: projectId, spent_usd: picoToUsd(spent) }, 'project spend restored from the usage ledger');
    return restored;
  }

  private async run(orgId: string, tier: string): Promise<RebuildResult> {
    const { store, clock } = this.d;
    await this.d.flushLedger();
    const now = clock.now();
    const period = periodOf(now);
    const [ledger, events] = await Promise.all([ledgerSpendByOrg(store, period.startMs, period.endMs, orgId), admittedSince(store, orgId, now - DAY_MS)]);
    const spent = ledger.get(orgId) ?? 0n;

    // The admissions per (model, key), under the model each was counted under (the one it named,
    // not a fallback that answered it), as the limit stage charged them.
    const byModelKey = new Map<string, { model: string; keyId: string; projectId: string | null; admitted: AdmittedRequest[] }>();
    for (const e of events) {
      const k = `${e.bucketModel}\n${e.keyId}`;
      let g = byModelKey.get(k);
      if (!g) byModelKey.set(k, (g = { model: e.bucketModel, keyId: e.keyId, projectId: e.projectId, admitted: [] }));
      g.admitted.push(e);
    }
    // The organization's and each project's buckets sum over their keys.
    const history = new Map<string, { scope: string; model: string; limits: LimitSet; admitted: AdmittedRequest[] }>();
    const add = (scope: string, model: string, limits: LimitSet, admitted: AdmittedRequest[]) => {
      const id = `${scope}\n${model}`;
      let h = history.get(id);
      if (!h) history.set(id, (h = { scope, model, limits, admitted: [] }));
      h.admitted.push(...admitted);
    };
    const buckets: BucketRestore[] = [];
    for (const g of byModelKey.values()) {
      const limits = await this.d.limitsFor(orgId, tier, g.model, g.keyId, g.projectId ?? undefined);
      add(ORG_SCOPE, g.model, limits.org, g.admitted);
      if (limits.project && g.projectId !== null) add(projectScope(g.projectId), g.model, limits.project, g.admitted);
      if (limits.key) buckets.push(...replayedBuckets(keyScope(g.keyId), g.model, limits.key, g.admitted, now, DAILY));
    }
    for (const h of history.values()) buckets.push(...replayedBuckets(h.scope, h.model, h.limits, h.admitted, now, DAILY));

    const restored = await this.d.counters.restore({ tag: orgId, spend: { key: spendKey(orgId, period.startMs), spent, periodEndMs: period.endMs }, buckets });
    if (restored) {
      this.count++;
      this.d.log.info({ org_id: orgId, spent_usd: picoToUsd(spent), buckets: buckets.length }, 'counters restored from the usage ledger');
    }
    return { orgId, spent, buckets: buckets.length, restored };
  }
}

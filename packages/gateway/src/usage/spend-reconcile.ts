/**
 * Counters converge to the ledger. Two things leave the shared spend counter (Redis) away from
 * the ledger for good, and this periodic pass repairs both, per organization, in one atomic script
 * each (limits/redis-scripts.ts RECONCILE_LUA):
 *
 * 1. A lease that ran out (its instance was killed, or lost its settlement) is charged in full
 *    by the sweep, which remembers it. Once its request is in the ledger, the counter is corrected
 *    to the request's real cost; if it never reaches the ledger within `graceMs` of the sweep (the
 *    instance died mid-request, so no answer was ever sent), the charge is taken back.
 * 2. A counter below the ledger (spent + reserved < the ledger's sum: usage whose reservation was
 *    lost with Redis, or events another instance flushed after a rebuild) is raised to it.
 *
 * Both corrections only ever move the counter toward the ledger, and each swept lease is corrected
 * once (the script deletes it as it applies it), so instances running the pass at once cannot
 * double count; a Redis lock still lets only one of them do the work each interval.
 *
 * The gauge `tollgate_spend_counter_drift_micros` reports Σ(counter spent − ledger) after the last
 * pass, in micro-dollars (fractional: money is counted in pico-dollars): 0 when converged (usage
 * settled but not yet flushed by some instance shows briefly).
 * @module
 */
import type { RedisClient } from '../redis-client.js';
import type { Logger } from 'pino';
import { periodOf, spendKey } from '../billing/period.js';
import { moneyText } from '../billing/money-column.js';
import { toPico } from '../billing/pricing.js';
import { billingDb, type BillingStore } from '../store/billing-tables.js';
import type { Clock } from '../clock.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';
import type { Metrics } from '../status/metrics.js';
import type { RedisCounterStore, SweptCorrection } from '../limits/redis-counter-store.js';
import { ledgerSpendByOrg } from './spend-rebuild.js';

export interface SpendReconcilerOptions {
  store: BillingStore;
  counters: RedisCounterStore;
  /** For the lock that lets one instance work per interval. */
  redis: RedisClient;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn'>;
  flushLedger(): Promise<void>;
  intervalMs: number;
  /** How long after its sweep a lease whose request is not in the ledger is taken back. */
  graceMs: number;
}

export interface ReconcileReport {
  organizations: number;
  /** Swept leases corrected against the ledger. */
  corrected: number;
  /** Pico-dollars added to counters found below the ledger. */
  raised: bigint;
  /** Σ(counter spent − ledger) after the pass, pico-dollars. */
  drift: bigint;
}

export class SpendReconciler {
  private last: ReconcileReport = { organizations: 0, corrected: 0, raised: 0n, drift: 0n };
  private totals = { passes: 0, corrected: 0, raised: 0n, failures: 0 };
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly failures: RepeatingFailureLog;

  constructor(private readonly o: SpendReconcilerOptions) {
    this.failures = new RepeatingFailureLog(o.log, o.clock, { job: 'spend reconciliation', message: 'spend reconciliation failed; retrying next interval', recovered: 'spend reconciliation running again' });
  }

  start(): void {
    this.loop ??= (async () => {
      while (!this.stop.signal.aborted) {
        try {
          await this.o.clock.sleep(this.o.intervalMs, this.stop.signal);
        } catch {
          return;
        }
        await this.runOnce({ lock: true }).catch(() => undefined);
      }
    })();
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  lastReport(): ReconcileReport {
    return this.last;
  }

  stats(): { passes: number; corrected: number; raised: bigint; failures: number } {
    return { ...this.totals };
  }

  registerMetrics(metrics: Metrics): void {
    metrics.gauge('tollgate_spend_counter_drift_micros', 'Sum over organizations of spend counter minus usage ledger (micro-dollars) after the last reconciliation; 0 when converged.', [], () => [[{}, Number(this.lastReport().drift) / 1e6]]);
    metrics.gauge('tollgate_spend_reconcile_corrected', 'Swept leases corrected against the ledger by this instance since start.', [], () => [[{}, this.stats().corrected]]);
    metrics.gauge('tollgate_spend_reconcile_raised_micros', 'Micro-dollars added by this instance to spend counters found below the ledger, since start.', [], () => [[{}, Number(this.stats().raised) / 1e6]]);
  }

  /** One pass over every organization with spend this month or swept leases. */
  async runOnce(opts: { lock?: boolean } = {}): Promise<ReconcileReport | undefined> {
    const { store, counters, clock } = this.o;
    try {
      if (opts.lock) {
        const got = await this.o.redis.set(`${counters.prefix}spend-reconcile-lock`, String(process.pid), 'PX', Math.max(1000, this.o.intervalMs - 100), 'NX');
        if (got !== 'OK') return undefined;
      }
      await this.o.flushLedger();
      const period = periodOf(clock.now());
      const ledger = await ledgerSpendByOrg(store, period.startMs, period.endMs);
      const orgs = new Set([...ledger.keys(), ...(await counters.tagsWithSwept())]);
      const report: ReconcileReport = { organizations: orgs.size, corrected: 0, raised: 0n, drift: 0n };
      for (const orgId of orgs) {
        await counters.sweep(orgId);
        const swept = await counters.swept(orgId);
        const costs = await ledgerCosts(store, swept.map((s) => s.reservationId));
        const corrections: SweptCorrection[] = swept.map((s) => {
          const cost = costs.get(s.reservationId);
          return cost === undefined ? { reservationId: s.reservationId, kind: 'absent', delta: -s.amount } : { reservationId: s.reservationId, kind: 'ledger', delta: cost - s.amount };
        });
        const ledgerSpent = ledger.get(orgId) ?? 0n;
        const r = await counters.reconcile(orgId, spendKey(orgId, period.startMs), { ledgerSpent, graceMs: this.o.graceMs, corrections });
        report.corrected += r.corrected;
        report.raised += r.raised;
        report.drift += r.spent - ledgerSpent;
        if (r.corrected > 0 || r.raised > 0) this.o.log.info({ org_id: orgId, corrected: r.corrected, raised_pico: r.raised.toString(), counter_pico: r.spent.toString(), ledger_pico: ledgerSpent.toString() }, 'spend counter reconciled with the usage ledger');
      }
      this.last = report;
      this.totals.passes++;
      this.totals.corrected += report.corrected;
      this.totals.raised += report.raised;
      this.failures.ok();
      return report;
    } catch (err) {
      this.totals.failures++;
      this.failures.failed(err);
      throw err;
    }
  }
}

/** The cost of each of these requests that is in the ledger. */
async function ledgerCosts(store: BillingStore, ids: string[]): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await billingDb(store).selectFrom('usage_events').select(['request_id', moneyText('cost_pico').as('cost')]).where('request_id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.request_id, toPico(r.cost));
  }
  return out;
}

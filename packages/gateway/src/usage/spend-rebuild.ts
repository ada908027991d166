/**
 * Spend rebuild at start: the counter store holds each organization's spend for the current
 * month, and the durable ledger is its source of truth. Run after `UsageLedger.open` (which
 * replays the journal) and before serving.
 *
 * The sums come from the daily rollups, which are written in the same transaction as the raw
 * events and outlive their retention, so the result is exact whatever `retention_days` is.
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { CounterStore } from '../limits/counter-store.js';
import { dayOf, periodOf, spendKey } from '../billing/period.js';
import { toPico } from '../billing/pricing.js';
import { billingDb, type BillingStore, type DbInt } from '../store/billing-tables.js';
import { moneyText } from '../billing/money-column.js';

export interface RebuildOptions {
  /**
   * True for memory counters, which start empty: every organization's spend is set from the
   * ledger. False for Redis, which is shared by the instances and more current than the ledger
   * (the newest events may still sit in other instances' buffers): only a missing value is
   * filled, and a difference is logged as drift.
   */
  authoritative: boolean;
  log: Pick<Logger, 'info' | 'warn'>;
}

export interface SpendRebuildEntry {
  orgId: string;
  /** Pico-dollars. */
  ledgerPico: bigint;
  counterPico: bigint;
  action: 'set' | 'match' | 'drift';
}

/** Sums this month's cost per organization from the ledger; see RebuildOptions for what it writes. */
export async function rebuildSpend(
  store: BillingStore,
  counters: Pick<CounterStore, 'spendOf' | 'setSpent'>,
  clock: Clock,
  opts: RebuildOptions,
): Promise<SpendRebuildEntry[]> {
  const period = periodOf(clock.now());
  const totals = await ledgerSpendByOrg(store, period.startMs, period.endMs);
  const out: SpendRebuildEntry[] = [];
  for (const [orgId, ledgerPico] of totals) {
    const key = spendKey(orgId, period.startMs);
    const current = await counters.spendOf(orgId, key);
    const missing = current.spent === 0n && current.reserved === 0n;
    let action: SpendRebuildEntry['action'];
    if (current.spent === ledgerPico) action = 'match';
    else if (opts.authoritative || missing) {
      await counters.setSpent(orgId, key, ledgerPico, period.endMs);
      action = 'set';
    } else {
      action = 'drift';
      opts.log.warn({ org_id: orgId, period: period.key, ledger_pico: ledgerPico.toString(), counter_pico: current.spent.toString() }, 'spend counter differs from the usage ledger');
    }
    out.push({ orgId, ledgerPico, counterPico: current.spent, action });
  }
  opts.log.info({ period: period.key, organizations: out.length, set: out.filter((x) => x.action === 'set').length }, 'spend rebuilt from the usage ledger');
  return out;
}

/**
 * Cost per organization over whole UTC days in [startMs, endMs), from the daily rollups; only
 * `orgId`'s when given (an organization with no usage is absent from the map).
 */
export async function ledgerSpendByOrg(store: BillingStore, startMs: number, endMs: number, orgId?: string): Promise<Map<string, bigint>> {
  let q = billingDb(store)
    .selectFrom('usage_daily')
    .select((eb) => ['org_id', moneyText(eb.fn.sum<DbInt>('cost_pico')).as('cost')])
    .where('day', '>=', dayOf(startMs))
    .where('day', '<', dayOf(endMs));
  if (orgId !== undefined) q = q.where('org_id', '=', orgId);
  const rows = await q.groupBy('org_id').execute();
  return new Map(rows.map((r) => [r.org_id, toPico(r.cost ?? 0n)]));
}

/**
 * Cost of one project over whole UTC days in [startMs, endMs): the daily rollups of its keys (a
 * key never changes project, so this is exact).
 */
export async function ledgerSpendOfProject(store: BillingStore, startMs: number, endMs: number, projectId: string): Promise<bigint> {
  const row = await billingDb(store)
    .selectFrom('usage_daily')
    .select((eb) => [moneyText(eb.fn.sum<DbInt>('cost_pico')).as('cost')])
    .where('day', '>=', dayOf(startMs))
    .where('day', '<', dayOf(endMs))
    .where('key_id', 'in', (eb) => eb.selectFrom('api_keys').select('id').where('project_id', '=', projectId))
    .executeTakeFirst();
  return toPico(row?.cost ?? 0n);
}

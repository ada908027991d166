import { DeleteQueryNode, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spendKey } from '../../src/billing/period.js';
import { billingDb, type BillingStore } from '../../src/store/billing-tables.js';
import { FakeClock, MemoryCounterStore } from 'tollgate';
import type { UsageEvent } from '../../src/usage/event.js';
import { writeUsageBatch } from '../../src/usage/ledger-writer.js';
import { parseReportQuery } from '../../src/usage/report-query.js';
import { usageCompletionsReport } from '../../src/usage/reports.js';
import { cleanupUsage } from '../../src/usage/retention.js';
import { rebuildSpend } from '../../src/usage/spend-rebuild.js';
import { DIALECTS, event, memoryLog, openTestStore, type TestStore } from './db.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 4, 20, 12); // 2026-05-20

/** Counts DELETE statements that pass through. */
function countDeletes(): KyselyPlugin & { deletes: number } {
  return {
    deletes: 0,
    transformQuery(args) {
      if (DeleteQueryNode.is(args.node)) this.deletes++;
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
}

describe.each(DIALECTS)('retention and spend rebuild on %s', (dialect) => {
  let t: TestStore;
  const clock = new FakeClock(NOW);

  beforeAll(async () => {
    t = await openTestStore(dialect, clock);
  });
  afterAll(async () => {
    await t.close();
  });

  const org = () => `org_${Math.random().toString(36).slice(2)}`;

  it('deletes raw events past retention in bounded batches and keeps the rollups', async () => {
    const o = org();
    const old: UsageEvent[] = [];
    const recent: UsageEvent[] = [];
    for (let i = 0; i < 1000; i++) old.push(event({ org_id: o, created_at: NOW - 31 * DAY - (i % 60) * DAY, cost_pico: BigInt(i) }));
    for (let i = 0; i < 300; i++) recent.push(event({ org_id: o, created_at: NOW - (i % 29) * DAY, cost_pico: BigInt(i) }));
    await writeUsageBatch(t.store, [...old, ...recent]);
    const dailyBefore = await billingDb(t.store).selectFrom('usage_daily').selectAll().where('org_id', '=', o).orderBy('day').orderBy('model').execute();

    const plugin = countDeletes();
    const counted: BillingStore = { db: t.store.db.withPlugin(plugin), dialect: t.store.dialect };
    // Other organizations' old rows from other tests may be deleted too; count only ours.
    const deleted = await cleanupUsage(counted, { retentionDays: 30, batchSize: 64, clock });
    expect(deleted).toBeGreaterThanOrEqual(1000);
    expect(plugin.deletes).toBe(Math.floor(deleted / 64) + 1);

    const left = await billingDb(t.store).selectFrom('usage_events').select(['request_id', 'created_at']).where('org_id', '=', o).execute();
    expect(left.map((r) => r.request_id).sort()).toEqual(recent.map((e) => e.request_id).sort());
    const dailyAfter = await billingDb(t.store).selectFrom('usage_daily').selectAll().where('org_id', '=', o).orderBy('day').orderBy('model').execute();
    expect(dailyAfter).toEqual(dailyBefore);
    expect(await cleanupUsage(t.store, { retentionDays: 30, batchSize: 64, clock })).toBe(0);

    // Daily reports still cover the deleted period exactly (from the rollups).
    const start = (NOW - 100 * DAY) / 1000;
    const q = parseReportQuery(`start_time=${start}&end_time=${NOW / 1000}&limit=31`, 'completions', NOW);
    let total = 0;
    for (let page = q; ; ) {
      const r = await usageCompletionsReport(t.store, o, page);
      total += r.data.flatMap((b) => b.results).reduce((n, x) => n + x.num_model_requests, 0);
      if (!r.has_more) break;
      page = parseReportQuery(`start_time=${start}&end_time=${NOW / 1000}&limit=31&page=${r.next_page}`, 'completions', NOW);
    }
    expect(total).toBe(1000 + recent.filter((e) => e.created_at < Math.ceil(NOW / DAY) * DAY).length);
  });

  it('rebuilds memory counters from this month of the ledger, retention or not', async () => {
    const a = org();
    const b = org();
    const may = (d: number) => Date.UTC(2026, 4, d, 10);
    const events = [
      event({ org_id: a, created_at: may(1), cost_pico: 1_000n }),
      event({ org_id: a, created_at: may(19), cost_pico: 2_500n }),
      event({ org_id: a, created_at: Date.UTC(2026, 3, 30, 23, 59), cost_pico: 99_999n }), // April: another period
      event({ org_id: b, created_at: may(20), cost_pico: 7n }),
    ];
    await writeUsageBatch(t.store, events);
    await cleanupUsage(t.store, { retentionDays: 1, clock }); // raw May 1 and 19 rows are gone
    const counters = new MemoryCounterStore(clock);
    const log = memoryLog();
    const result = await rebuildSpend(t.store, counters, clock, { authoritative: true, log });
    const key = spendKey(a, Date.UTC(2026, 4, 1));
    expect(await counters.spendOf(a, key)).toEqual({ spent: 3_500n, reserved: 0n });
    expect(await counters.spendOf(b, spendKey(b, Date.UTC(2026, 4, 1)))).toEqual({ spent: 7n, reserved: 0n });
    expect(result.filter((r) => r.orgId === a || r.orgId === b).map((r) => r.action)).toEqual(['set', 'set']);
    await counters.close();
  });

  it('with shared counters, fills only missing values and reports drift instead of overwriting', async () => {
    const a = org();
    const b = org();
    await writeUsageBatch(t.store, [event({ org_id: a, created_at: NOW, cost_pico: 500n }), event({ org_id: b, created_at: NOW, cost_pico: 800n })]);
    const counters = new MemoryCounterStore(clock);
    const period = Date.UTC(2026, 4, 1);
    await counters.setSpent(a, spendKey(a, period), 650n, Date.UTC(2026, 5, 1)); // ahead of the ledger
    const log = memoryLog();
    const result = await rebuildSpend(t.store, counters, clock, { authoritative: false, log });
    expect(await counters.spendOf(a, spendKey(a, period))).toEqual({ spent: 650n, reserved: 0n });
    expect(await counters.spendOf(b, spendKey(b, period))).toEqual({ spent: 800n, reserved: 0n });
    expect(result.find((r) => r.orgId === a)).toEqual({ orgId: a, ledgerPico: 500n, counterPico: 650n, action: 'drift' });
    expect(result.find((r) => r.orgId === b)?.action).toBe('set');
    expect(log.lines.some((l) => l.level === 'warn' && (l.obj as { org_id?: string }).org_id === a)).toBe(true);
    await counters.close();
  });
});

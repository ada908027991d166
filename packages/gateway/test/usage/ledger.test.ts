import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { billingDb, type BillingStore } from '../../src/store/billing-tables.js';
import { FakeClock } from 'tollgate';
import type { UsageEvent } from '../../src/usage/event.js';
import { readSegment } from '../../src/usage/journal.js';
import { UsageLedger, type UsageLedgerOptions } from '../../src/usage/ledger.js';
import { captureLog } from '../support/log-capture.js';
import { DIALECTS, event, openTestStore, silentLog, type TestStore } from './db.js';

/** A store whose database can be switched "down": queries then fail as they would without tables. */
function flaky(real: BillingStore): BillingStore & { down: boolean } {
  const broken = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  return {
    down: false,
    dialect: real.dialect,
    get db() {
      return this.down ? broken : real.db;
    },
  };
}

async function rows(store: BillingStore, orgId?: string) {
  let q = billingDb(store).selectFrom('usage_events').selectAll().orderBy('request_id');
  if (orgId) q = q.where('org_id', '=', orgId);
  return q.execute();
}

async function rollups(store: BillingStore, orgId: string) {
  const r = await billingDb(store).selectFrom('usage_daily').selectAll().where('org_id', '=', orgId).execute();
  return r.map((x) => ({ ...x, requests: Number(x.requests), prompt_tokens: Number(x.prompt_tokens), cached_tokens: Number(x.cached_tokens), completion_tokens: Number(x.completion_tokens), cost_pico: BigInt(x.cost_pico) }));
}

/** The daily rollups computed in the test from the events themselves. */
function expectedRollups(events: UsageEvent[]) {
  const m = new Map<string, { day: string; org_id: string; model: string; key_id: string; user_id: string; project_id: string | null; requests: number; prompt_tokens: number; cached_tokens: number; completion_tokens: number; cost_pico: bigint }>();
  for (const e of events) {
    const day = new Date(e.created_at).toISOString().slice(0, 10);
    const k = [day, e.org_id, e.model, e.key_id, e.user_id].join('|');
    const g = m.get(k) ?? { day, org_id: e.org_id, model: e.model, key_id: e.key_id, user_id: e.user_id, project_id: e.project_id, requests: 0, prompt_tokens: 0, cached_tokens: 0, completion_tokens: 0, cost_pico: 0n };
    g.requests++;
    g.prompt_tokens += e.prompt_tokens;
    g.cached_tokens += e.cached_tokens;
    g.completion_tokens += e.completion_tokens;
    g.cost_pico += e.cost_pico;
    m.set(k, g);
  }
  return [...m.values()];
}

/** A flush is waited for, not timed: on a loaded machine one can take longer than vi.waitFor's default 1 s. */
const WAIT = { timeout: 15_000 };

const byKey = (a: { day: string; model: string; key_id: string; user_id: string }, b: typeof a) =>
  [a.day, a.model, a.key_id, a.user_id].join('|') < [b.day, b.model, b.key_id, b.user_id].join('|') ? -1 : 1;

describe.each(DIALECTS)('usage ledger on %s', (dialect) => {
  let t: TestStore;
  let dir: string;
  let clock: FakeClock;
  let org: string;
  const open: UsageLedger[] = [];

  beforeAll(async () => {
    t = await openTestStore(dialect);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tg-ledger-'));
    clock = new FakeClock(Date.UTC(2026, 0, 20));
    org = `org_${Math.random().toString(36).slice(2)}`;
  });
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ledger(o: { store?: BillingStore; journal?: boolean; batch?: number; maxBuffered?: number; log?: UsageLedgerOptions['log'] } = {}) {
    const l = new UsageLedger(o.store ?? t.store, {
      clock,
      log: o.log ?? silentLog,
      config: { flush_interval_ms: 1000, flush_batch: o.batch ?? 50 },
      journalPath: o.journal === false ? null : join(dir, 'usage-journal.jsonl'),
      maxBackoffMs: 8000,
      ...(o.maxBuffered !== undefined ? { maxBuffered: o.maxBuffered } : {}),
    });
    open.push(l);
    await l.start();
    return l;
  }

  it('stores a request id once, however often it is recorded', async () => {
    const l = await ledger();
    const e = event({ org_id: org });
    l.record(e);
    l.record({ ...e, cost_pico: 999n }); // same id, same batch
    await l.flush();
    l.record({ ...e, cost_pico: 777n }); // same id, later batch
    await l.flush();
    const stored = await rows(t.store, org);
    expect(stored).toHaveLength(1);
    expect(BigInt(stored[0]!.cost_pico)).toBe(e.cost_pico);
    expect(await rollups(t.store, org)).toEqual(expectedRollups([e]));
    expect(l.stats()).toMatchObject({ recorded: 3, committed: 1, duplicates: 2, buffered: 0 });
  });

  it('keeps the daily rollups equal to the sums of the events', async () => {
    const l = await ledger({ batch: 7 });
    const events: UsageEvent[] = [];
    for (let i = 0; i < 120; i++) {
      const e = event({
        org_id: org,
        model: ['sim-small', 'sim-large'][i % 2]!,
        key_id: ['key_1', 'key_2', 'key_3'][i % 3]!,
        user_id: ['user_1', 'user_2'][i % 5 === 0 ? 1 : 0]!,
        prompt_tokens: i * 3,
        cached_tokens: i % 3 === 0 ? 0 : i,
        completion_tokens: i % 11,
        cost_pico: BigInt(i * 17 + 1) * 1_000_003n,
        // Across four UTC days, including the last millisecond of one.
        created_at: Date.UTC(2026, 0, 10 + (i % 4)) + (i % 4 === 1 ? 86_399_999 : i * 1000),
        streamed: i % 2 === 0,
        estimated: i % 7 === 0,
      });
      events.push(e);
      l.record(e);
    }
    await l.flush();
    const stored = await rows(t.store, org);
    expect(stored).toHaveLength(120);
    const sample = stored.find((r) => r.request_id === events[14]!.request_id)!;
    expect({ streamed: sample.streamed, estimated: sample.estimated, prompt: Number(sample.prompt_tokens), cached: Number(sample.cached_tokens) }).toEqual({ streamed: 1, estimated: 1, prompt: 42, cached: 14 });
    expect((await rollups(t.store, org)).sort(byKey)).toEqual(expectedRollups(events).sort(byKey));
  });

  it('flushes when a batch is full, without waiting for the interval', async () => {
    const l = await ledger({ batch: 10 });
    for (let i = 0; i < 9; i++) l.record(event({ org_id: org }));
    await new Promise((r) => setTimeout(r, 20));
    expect(l.stats().committed).toBe(0); // below a batch, the clock has not moved
    l.record(event({ org_id: org }));
    await vi.waitFor(() => expect(l.stats().committed).toBe(10), WAIT);
    expect(await rows(t.store, org)).toHaveLength(10);
  });

  it('flushes what waits every flush interval of the injected clock', async () => {
    const l = await ledger({ batch: 100 });
    l.record(event({ org_id: org }));
    l.record(event({ org_id: org }));
    await clock.advance(999);
    await new Promise((r) => setTimeout(r, 20));
    expect(l.stats().committed).toBe(0);
    await clock.advance(1);
    await vi.waitFor(() => expect(l.stats().committed).toBe(2), WAIT);
  });

  it('drains everything on close and leaves no journal behind', async () => {
    const l = await ledger({ batch: 1000 });
    for (let i = 0; i < 250; i++) l.record(event({ org_id: org }));
    expect(l.stats().buffered).toBe(250);
    expect(await l.close()).toEqual({ unflushed: 0 });
    expect(await rows(t.store, org)).toHaveLength(250);
    expect(readdirSync(dir)).toEqual([]);
    // A record after close is refused and counted, never thrown into the request path.
    expect(() => l.record(event({ org_id: org }))).not.toThrow();
    expect(l.stats().dropped).toBe(1);
  });

  it('group commit: events recorded in one turn are in the journal when their promise resolves, and stored once each', async () => {
    const l = await ledger({ batch: 1000 });
    const events = Array.from({ length: 25 }, () => event({ org_id: org }));
    await Promise.all(events.map((e) => l.recordGrouped(e)));
    // What a restart would replay: every event, from the journal alone.
    const journaled: string[] = [];
    for (const seg of readdirSync(dir).filter((f) => /^usage-journal\.jsonl\.\d+$/.test(f))) {
      for await (const { events: replayed, invalid } of readSegment(join(dir, seg), 1000)) {
        expect(invalid).toBe(0);
        journaled.push(...replayed.map((e) => e.request_id));
      }
    }
    expect(journaled.sort()).toEqual(events.map((e) => e.request_id).sort());
    await l.flush();
    expect((await rows(t.store, org)).map((r) => r.request_id).sort()).toEqual(events.map((e) => e.request_id).sort());
    expect(l.stats()).toMatchObject({ recorded: 25, committed: 25, duplicates: 0, buffered: 0 });
  });

  it('group commit: a flush or a close takes the events still waiting for their turn to end', async () => {
    const l = await ledger({ batch: 1000 });
    const first = l.recordGrouped(event({ org_id: org }));
    await l.flush();
    await first;
    expect(await rows(t.store, org)).toHaveLength(1);
    const second = l.recordGrouped(event({ org_id: org }));
    expect(await l.close()).toEqual({ unflushed: 0 });
    await second;
    expect(await rows(t.store, org)).toHaveLength(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes each of hundreds of concurrently recorded and flushed events exactly once', async () => {
    const l = await ledger({ batch: 13 });
    const events = Array.from({ length: 400 }, () => event({ org_id: org }));
    await Promise.all(
      events.map(async (e, i) => {
        await Promise.resolve();
        l.record(e);
        if (i % 3 === 0) await l.flush();
      }),
    );
    await l.flush();
    expect(await rows(t.store, org)).toHaveLength(400);
    const r = await rollups(t.store, org);
    expect(r.reduce((s, x) => s + x.requests, 0)).toBe(400);
    expect(l.stats()).toMatchObject({ committed: 400, duplicates: 0, buffered: 0 });
  });

  it('never blocks or throws while the database is down, backs off, and catches up', async () => {
    const store = flaky(t.store);
    const l = await ledger({ store, batch: 100 });
    store.down = true;
    const events = Array.from({ length: 12 }, () => event({ org_id: org }));
    for (const e of events) expect(() => l.record(e)).not.toThrow();
    await expect(l.flush()).rejects.toThrow();
    await clock.advance(1000);
    await vi.waitFor(() => expect(l.stats().flushFailures).toBeGreaterThanOrEqual(1), WAIT);
    expect(l.stats().buffered).toBe(12);
    // Backoff: the next attempt is 2 intervals later, not 1.
    const failures = l.stats().flushFailures;
    await clock.advance(1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(l.stats().flushFailures).toBe(failures);
    store.down = false;
    await clock.advance(1000);
    await vi.waitFor(() => expect(l.stats().committed).toBe(12), WAIT);
    expect(await rows(t.store, org)).toHaveLength(12);
    expect(await rollups(t.store, org)).toEqual(expectedRollups(events));
  });

  it('logs a long database outage by its state changes, not every tenth failed flush', async () => {
    const store = flaky(t.store);
    const { lines, log } = captureLog();
    const l = await ledger({ store, log });
    store.down = true;
    l.record(event({ org_id: org }));
    // 40 failed flushes, 8 s apart once the backoff is at its cap: over five minutes.
    for (let n = 1; n <= 40; n++) {
      await clock.advance(8000);
      await vi.waitFor(() => expect(l.stats().flushFailures).toBe(n), { ...WAIT, interval: 2 });
    }
    const msgs = lines.map((x) => x.msg);
    expect(msgs.filter((m) => m === 'usage ledger flush failed; retrying with backoff')).toHaveLength(1);
    const summaries = lines.filter((x) => x.msg === 'usage ledger flush still failing');
    expect(summaries.length).toBeGreaterThanOrEqual(4);
    expect(summaries.length).toBeLessThanOrEqual(5);
    expect(summaries[0]).toMatchObject({ level: 40, buffered: 1, failures: expect.any(Number) });
    store.down = false;
    await clock.advance(8000);
    await vi.waitFor(() => expect(l.stats().committed).toBe(1), WAIT);
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'usage ledger flushing again', failures: 40 });
  });

  it('bounds memory: past maxBuffered, events are kept in the journal only and replayed later', async () => {
    const store = flaky(t.store);
    const l = await ledger({ store, batch: 5, maxBuffered: 10 });
    store.down = true;
    const events = Array.from({ length: 50 }, () => event({ org_id: org }));
    for (const e of events) l.record(e);
    expect(l.stats()).toMatchObject({ buffered: 10, spilled: 40, dropped: 0 });
    store.down = false;
    await l.flush();
    expect(await rows(t.store, org)).toHaveLength(50);
    expect(await rollups(t.store, org)).toEqual(expectedRollups(events));
    expect(l.stats()).toMatchObject({ committed: 50, buffered: 0 });
  });

  it('without a journal, events past maxBuffered are dropped and counted', async () => {
    const store = flaky(t.store);
    const l = await ledger({ store, batch: 5, maxBuffered: 10, journal: false });
    store.down = true;
    for (let i = 0; i < 25; i++) l.record(event({ org_id: org }));
    expect(l.stats()).toMatchObject({ buffered: 10, spilled: 0, dropped: 15 });
    store.down = false;
    await l.flush();
    expect(await rows(t.store, org)).toHaveLength(10);
  });

  it('drops a malformed event instead of poisoning a batch', async () => {
    const l = await ledger();
    l.record({ ...event({ org_id: org }), cost_pico: -1n });
    l.record({ ...event({ org_id: org }), prompt_tokens: -1 });
    l.record(event({ org_id: org }));
    await l.flush();
    expect(await rows(t.store, org)).toHaveLength(1);
    expect(l.stats()).toMatchObject({ recorded: 1, dropped: 2 });
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { billingDb, type BillingStore } from '../../src/store/billing-tables.js';
import { moneyText } from '../../src/billing/money-column.js';
import { FakeClock } from 'tollgate';
import { serializeUsageEvent } from '../../src/usage/event.js';
import { UsageJournal } from '../../src/usage/journal.js';
import { UsageLedger } from '../../src/usage/ledger.js';
import { DIALECTS, event, openTestStore, silentLog, type TestStore } from './db.js';

describe.each(DIALECTS)('usage journal on %s', (dialect) => {
  let t: TestStore;
  let dir: string;
  let path: string;
  let org: string;
  const clock = new FakeClock(Date.UTC(2026, 0, 20));
  const open: UsageLedger[] = [];

  beforeAll(async () => {
    t = await openTestStore(dialect);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tg-journal-'));
    path = join(dir, 'usage-journal.jsonl');
    org = `org_${Math.random().toString(36).slice(2)}`;
  });
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A ledger on the journal; `crashed` ones are never closed (a killed process closes nothing). */
  async function ledger(store: BillingStore = t.store, crashed = false) {
    // The flush interval is far away on a clock nobody advances and batches never fill, so
    // nothing reaches the database unless the test says so.
    const l = new UsageLedger(store, { clock, log: silentLog, config: { flush_interval_ms: 3_600_000, flush_batch: 100_000 }, journalPath: path });
    if (!crashed) open.push(l);
    await l.start();
    return l;
  }

  async function stored() {
    const r = await billingDb(t.store).selectFrom('usage_events').select(['request_id', moneyText('cost_pico').as('cost')]).where('org_id', '=', org).execute();
    return new Map(r.map((x) => [x.request_id, BigInt(x.cost)]));
  }

  async function rollupTotals() {
    const r = await billingDb(t.store)
      .selectFrom('usage_daily')
      .select((eb) => [eb.fn.sum<number | string>('requests').as('requests'), moneyText(eb.fn.sum<number | string>('cost_pico')).as('cost')])
      .where('org_id', '=', org)
      .executeTakeFirstOrThrow();
    return { requests: Number(r.requests ?? 0), cost: BigInt(r.cost ?? 0) };
  }

  it('after a crash, the next start replays every finished request exactly once', async () => {
    const a = await ledger(t.store, true);
    const first = Array.from({ length: 100 }, (_, i) => event({ org_id: org, cost_pico: BigInt(i + 1) }));
    const rest = Array.from({ length: 200 }, (_, i) => event({ org_id: org, cost_pico: BigInt(1000 + i) * 10n ** 12n }));
    for (const e of first) a.record(e);
    await a.flush(); // these reached the database before the crash
    for (const e of rest) a.record(e); // these had not: only the journal has them
    expect((await stored()).size).toBe(100);

    // kill -9: `a` is never closed. A new process opens the same journal.
    const b = await ledger();
    const rows = await stored();
    expect(rows.size).toBe(300);
    for (const e of [...first, ...rest]) expect(rows.get(e.request_id)).toBe(e.cost_pico);
    const all = [...first, ...rest];
    expect(await rollupTotals()).toEqual({ requests: 300, cost: all.reduce((s, e) => s + e.cost_pico, 0n) });
    expect(b.stats()).toMatchObject({ committed: 200, duplicates: 0 });
  });

  it('replaying events the database already has adds nothing (crash between commit and delete)', async () => {
    const done = Array.from({ length: 40 }, () => event({ org_id: org, cost_pico: 7n }));
    const a = await ledger(t.store, true);
    for (const e of done) a.record(e);
    await a.flush();
    const fresh = Array.from({ length: 10 }, () => event({ org_id: org, cost_pico: 3n }));
    // A segment left on disk holding committed and new events alike.
    writeFileSync(`${path}.77`, [...done, ...fresh].map((e) => serializeUsageEvent(e)).join('\n') + '\n');
    const b = await ledger();
    expect((await stored()).size).toBe(50);
    expect(await rollupTotals()).toEqual({ requests: 50, cost: 40n * 7n + 10n * 3n });
    expect(b.stats()).toMatchObject({ committed: 10, duplicates: 40 });
    expect(readdirSync(dir)).not.toContain('usage-journal.jsonl.77');
  });

  it('skips a line torn by a machine crash and keeps the rest', async () => {
    const good = Array.from({ length: 3 }, () => event({ org_id: org }));
    const torn = serializeUsageEvent(event({ org_id: org })).slice(0, 40);
    writeFileSync(`${path}.5`, good.map((e) => serializeUsageEvent(e)).join('\n') + '\n' + torn);
    const b = await ledger();
    expect([...(await stored()).keys()].sort()).toEqual(good.map((e) => e.request_id).sort());
    expect(b.stats().invalidJournalLines).toBe(1);
  });

  it('keeps the journal when the database is down at start, and replays it once it is back', async () => {
    const a = await ledger(t.store, true);
    const events = Array.from({ length: 20 }, () => event({ org_id: org }));
    for (const e of events) a.record(e);
    const broken = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    const store = { dialect: t.store.dialect, down: true, get db() { return this.down ? broken : t.store.db; } };
    const b = await ledger(store); // does not throw
    expect((await stored()).size).toBe(0);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    store.down = false;
    await b.flush();
    expect((await stored()).size).toBe(20);
  });

  it('deletes segments once their events are committed', async () => {
    const a = await ledger();
    for (let i = 0; i < 30; i++) a.record(event({ org_id: org }));
    // The lock says which process writes this journal (usage/journal-lock.ts).
    expect(readdirSync(dir).sort()).toEqual(['usage-journal.jsonl.1', 'usage-journal.jsonl.lock']);
    await a.flush();
    // Only the fresh, empty current segment is left.
    expect(readdirSync(dir).sort()).toEqual(['usage-journal.jsonl.2', 'usage-journal.jsonl.lock']);
    expect(readFileSync(join(dir, 'usage-journal.jsonl.2'), 'utf8')).toBe('');
    a.record(event({ org_id: org }));
    await a.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('UsageJournal', () => {
  it('numbers segments after those already on disk and never reuses a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-journal-'));
    try {
      const path = join(dir, 'j.jsonl');
      writeFileSync(`${path}.9`, '');
      writeFileSync(join(dir, 'j.jsonl.x'), 'not a segment');
      const j = new UsageJournal(path);
      expect(j.open().map((s) => s.seq)).toEqual([9]);
      expect(j.currentSeq).toBe(10);
      j.append('{"a":1}');
      expect(j.rotate()).toBe(10);
      expect(j.rotate()).toBeUndefined(); // the new segment is empty
      expect(() => j.remove(11)).toThrow();
      j.close();
      expect(readdirSync(dir).sort()).toEqual(['j.jsonl.10', 'j.jsonl.9', 'j.jsonl.x']);
      expect(readFileSync(`${path}.10`, 'utf8')).toBe('{"a":1}\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

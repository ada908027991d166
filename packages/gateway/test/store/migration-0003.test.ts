/**
 * Migration 0003 moves every stored amount from micro-dollars to pico-dollars, on both dialects:
 * data written by the previous schema (0003 rolled back) is multiplied by 10^6 and its column
 * renamed, a value that would overflow stops the migration before anything changes, and down
 * restores micro-dollars rounded up.
 */
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MONEY_COLUMNS, picoDollarsMigration } from '../../src/store/migrations/0003_pico_dollars.js';
import { DIALECTS, openTestStore, type TestStore } from '../usage/db.js';

async function columnText(db: Kysely<any>, table: string, column: string, where: string): Promise<string | null> {
  const r = await sql<{ v: string | null }>`SELECT CAST(${sql.ref(column)} AS TEXT) AS v FROM ${sql.table(table)} WHERE ${sql.raw(where)}`.execute(db);
  return r.rows[0]!.v;
}

describe.each(DIALECTS)('migration 0003_pico_dollars on %s', (dialect) => {
  let t: TestStore;
  let db: Kysely<any>;
  beforeEach(async () => {
    t = await openTestStore(dialect);
    db = t.store.db;
    await picoDollarsMigration.down!(db); // back to the micro-dollar schema
  });
  afterEach(async () => {
    await t.close();
  });

  async function seedMicros(hardMicros: number | bigint = 9_000_000_000_000n): Promise<void> {
    await db.insertInto('organizations').values({ id: 'org_m', name: 'm', tier: 'free', created_at: 1, deleted_at: null, hard_limit_micros: hardMicros, soft_limit_micros: null, models_restricted: 0 }).execute();
    const ev = { org_id: 'org_m', key_id: 'k', user_id: 'u', model: 'sim-small', endpoint: '/v1/chat/completions', prompt_tokens: 1, completion_tokens: 1, status_code: 200, error_code: null, streamed: 0, latency_ms: 1, estimated: 0, created_at: 1 };
    await db.insertInto('usage_events').values([{ ...ev, request_id: 'req_1', cost_micros: 1 }, { ...ev, request_id: 'req_2', cost_micros: 250_000 }]).execute();
    await db.insertInto('usage_daily').values({ day: '1970-01-01', org_id: 'org_m', model: 'sim-small', key_id: 'k', user_id: 'u', requests: 2, prompt_tokens: 2, completion_tokens: 2, cost_micros: 250_001 }).execute();
    await db.insertInto('soft_limit_notifications').values({ org_id: 'org_m', period: '1970-01', spend_micros: 250_001, limit_micros: 200_000, status: 'delivered', attempts: 1, last_error: null, created_at: 1, delivered_at: 2 }).execute();
    await db.insertInto('quota_requests').values({ id: 'qr_m', org_id: 'org_m', requested_hard_limit_micros: 20_000_000, previous_hard_limit_micros: 5_000_000, reason: 'r', status: 'approved', note: null, created_at: 1, decided_at: 2 }).execute();
  }

  it('multiplies every amount by 10^6 and renames its column', async () => {
    await seedMicros();
    await picoDollarsMigration.up(db);
    expect(await columnText(db, 'organizations', 'hard_limit_pico', "id = 'org_m'")).toBe('9000000000000000000'); // $9M: beyond 2^53, exact
    expect(await columnText(db, 'organizations', 'soft_limit_pico', "id = 'org_m'")).toBeNull();
    expect(await columnText(db, 'usage_events', 'cost_pico', "request_id = 'req_1'")).toBe('1000000');
    expect(await columnText(db, 'usage_events', 'cost_pico', "request_id = 'req_2'")).toBe('250000000000');
    expect(await columnText(db, 'usage_daily', 'cost_pico', "org_id = 'org_m'")).toBe('250001000000');
    expect(await columnText(db, 'soft_limit_notifications', 'spend_pico', "org_id = 'org_m'")).toBe('250001000000');
    expect(await columnText(db, 'soft_limit_notifications', 'limit_pico', "org_id = 'org_m'")).toBe('200000000000');
    expect(await columnText(db, 'quota_requests', 'requested_hard_limit_pico', "id = 'qr_m'")).toBe('20000000000000');
    expect(await columnText(db, 'quota_requests', 'previous_hard_limit_pico', "id = 'qr_m'")).toBe('5000000000000');
    for (const [table, from] of MONEY_COLUMNS) await expect(sql`SELECT ${sql.ref(from)} FROM ${sql.table(table)}`.execute(db)).rejects.toThrow();
  });

  it('refuses an amount that pico-dollars cannot hold, before changing anything', async () => {
    await seedMicros(9_300_000_000_000n); // $9.3M > 2^63 p$
    await expect(picoDollarsMigration.up(db)).rejects.toThrow(/organizations\.hard_limit_micros/);
    expect(await columnText(db, 'usage_events', 'cost_micros', "request_id = 'req_2'")).toBe('250000');
  });

  it('down restores micro-dollars, rounding sub-micro-dollar amounts up', async () => {
    await seedMicros();
    await picoDollarsMigration.up(db);
    await db.updateTable('usage_events').set({ cost_pico: 1_000_001n }).where('request_id', '=', 'req_1').execute();
    await picoDollarsMigration.down!(db);
    expect(await columnText(db, 'usage_events', 'cost_micros', "request_id = 'req_1'")).toBe('2');
    expect(await columnText(db, 'organizations', 'hard_limit_micros', "id = 'org_m'")).toBe('9000000000000');
    await picoDollarsMigration.up(db); // so that close() sees the schema it expects
  });
});

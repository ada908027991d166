/**
 * Migration 0017 gives the usage ledger the upstream's cached prompt tokens, on both dialects:
 * rows written before it (events and daily rollups) have 0, the writer fills the column and adds
 * it to the rollups, the report index (0013's, every column a report reads) holds it, and down
 * removes it again keeping the rows and 0013's index. A journal line of the version
 * before 0017 (no `cached_tokens`) still replays, as 0.
 */
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usageCachedTokensMigration } from '../../src/store/migrations/0017_usage_cached_tokens.js';
import { parseUsageEvent, serializeUsageEvent } from '../../src/usage/event.js';
import { writeUsageBatch } from '../../src/usage/ledger-writer.js';
import { DIALECTS, event, openTestStore, type TestStore } from '../usage/db.js';

describe.each(DIALECTS)('migration 0017_usage_cached_tokens on %s', (dialect) => {
  let t: TestStore;
  let db: Kysely<any>;
  beforeEach(async () => {
    t = await openTestStore(dialect);
    db = t.store.db;
    await usageCachedTokensMigration.down!(db); // back to the ledger without cached tokens
  });
  afterEach(async () => {
    await t.close();
  });

  /** The report index's definition as the database holds it. */
  async function reportIndex(): Promise<string> {
    const r =
      dialect === 'sqlite'
        ? await sql<{ def: string }>`SELECT sql AS def FROM sqlite_master WHERE type = 'index' AND name = 'usage_events_org_report'`.execute(db)
        : await sql<{ def: string }>`SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'usage_events_org_report' AND schemaname = current_schema()`.execute(db);
    expect(r.rows).toHaveLength(1);
    return r.rows[0]!.def;
  }

  async function seed(): Promise<void> {
    const ev = { org_id: 'org_m', project_id: 'proj_m', key_id: 'key_1', user_id: 'user_u', model: 'sim-small', requested_model: null, endpoint: 'chat.completions', prompt_tokens: 40, completion_tokens: 2, cost_pico: 5, status_code: 200, error_code: null, error_message: null, upstream_request_id: null, streamed: 0, latency_ms: 1, estimated: 0, created_at: Date.UTC(2026, 0, 15, 12) };
    await db.insertInto('usage_events').values([{ ...ev, request_id: 'req_1' }, { ...ev, request_id: 'req_2' }]).execute();
    await db.insertInto('usage_daily').values({ day: '2026-01-15', org_id: 'org_m', model: 'sim-small', key_id: 'key_1', user_id: 'user_u', project_id: 'proj_m', requests: 2, prompt_tokens: 80, completion_tokens: 4, cost_pico: 10 }).execute();
  }

  it('gives the rows written before it 0; the writer stores the count and adds it to the rollup', async () => {
    await seed();
    expect(await reportIndex()).not.toMatch(/cached_tokens/);
    await usageCachedTokensMigration.up(db);
    expect(await reportIndex()).toMatch(/"?prompt_tokens"?, "?cached_tokens"?, "?completion_tokens"?/);
    const before = await db.selectFrom('usage_events').select(['request_id', 'cached_tokens']).orderBy('request_id').execute();
    expect(before.map((r) => [r.request_id, Number(r.cached_tokens)])).toEqual([['req_1', 0], ['req_2', 0]]);
    const day = () => db.selectFrom('usage_daily').select(['requests', 'prompt_tokens', 'cached_tokens']).where('day', '=', '2026-01-15').where('key_id', '=', 'key_1').executeTakeFirstOrThrow();
    expect(Number((await day()).cached_tokens)).toBe(0);

    // Not null, default 0: an insert that names no count (a writer of the version before) stores 0.
    const e = event({ org_id: 'org_m', project_id: 'proj_m', key_id: 'key_1', user_id: 'user_u', prompt_tokens: 30, cached_tokens: 24 });
    await writeUsageBatch(t.store, [e]);
    const row = await db.selectFrom('usage_events').select('cached_tokens').where('request_id', '=', e.request_id).executeTakeFirstOrThrow();
    expect(Number(row.cached_tokens)).toBe(24);
    const d = await day();
    expect([Number(d.requests), Number(d.prompt_tokens), Number(d.cached_tokens)]).toEqual([3, 110, 24]);
    await expect(db.updateTable('usage_events').set({ cached_tokens: null }).where('request_id', '=', e.request_id).execute()).rejects.toThrow();
  });

  it('down removes the column from both tables and keeps the rows', async () => {
    await seed();
    await usageCachedTokensMigration.up(db);
    await usageCachedTokensMigration.down!(db);
    expect(await reportIndex()).toMatch(/"?prompt_tokens"?, "?completion_tokens"?/);
    await expect(db.selectFrom('usage_events').select('cached_tokens').execute()).rejects.toThrow();
    await expect(db.selectFrom('usage_daily').select('cached_tokens').execute()).rejects.toThrow();
    expect(await db.selectFrom('usage_events').select('request_id').execute()).toHaveLength(2);
    expect(await db.selectFrom('usage_daily').select('day').execute()).toHaveLength(1);
    await usageCachedTokensMigration.up(db); // for afterEach's store, which expects the latest schema
  });
});

describe('a journal line of the version before 0017', () => {
  it('replays with cached_tokens 0; a line of this version keeps its count', () => {
    const line = JSON.parse(serializeUsageEvent(event({ prompt_tokens: 50, cached_tokens: 32 }))) as Record<string, unknown>;
    expect(line.cached_tokens).toBe(32);
    expect(parseUsageEvent(line)).toMatchObject({ prompt_tokens: 50, cached_tokens: 32 });
    const { cached_tokens: _, ...old } = line;
    expect(parseUsageEvent(old)).toMatchObject({ prompt_tokens: 50, cached_tokens: 0 });
    expect(parseUsageEvent({ ...old, cached_tokens: -1 })).toBe('cached_tokens is not a whole number >= 0');
    expect(parseUsageEvent({ ...old, cached_tokens: '3' })).toBe('cached_tokens is not a whole number >= 0');
  });
});

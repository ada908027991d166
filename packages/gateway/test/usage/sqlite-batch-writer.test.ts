/**
 * The writer thread's SQLite batch writer stores exactly what the Kysely writer stores: the same
 * event rows, the same rollups, the same counts of inserted and duplicate events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from 'tollgate';
import { openSqlite } from '../../src/store/sqlite-open.js';
import { billingDb } from '../../src/store/billing-tables.js';
import { writeUsageBatch } from '../../src/usage/ledger-writer.js';
import { sqliteBatchWriter } from '../../src/usage/sqlite-batch-writer.js';
import { event } from './db.js';

async function contents(store: Store) {
  const events = await billingDb(store).selectFrom('usage_events').selectAll().orderBy('request_id').execute();
  const daily = await billingDb(store).selectFrom('usage_daily').selectAll().orderBy('day').orderBy('org_id').orderBy('model').orderBy('key_id').orderBy('user_id').execute();
  return { events, daily };
}

describe('SQLite batch writer of the usage writer thread', () => {
  let dir: string;
  let kyselyStore: Store;
  let fastStore: Store;
  let fast: ReturnType<typeof sqliteBatchWriter>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tg-sqlite-writer-'));
    kyselyStore = await openStore(`sqlite:${join(dir, 'a.db')}`);
    fastStore = await openStore(`sqlite:${join(dir, 'b.db')}`);
    fast = sqliteBatchWriter(openSqlite(join(dir, 'b.db')));
  });
  afterAll(async () => {
    await kyselyStore.close();
    await fastStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the same rows, rollups and counts as writeUsageBatch', async () => {
    const day = Date.UTC(2026, 2, 3);
    const base = Array.from({ length: 40 }, (_, i) =>
      event({
        org_id: `org_${i % 3}`,
        project_id: i % 5 === 0 ? null : 'proj_x',
        key_id: `key_${i % 4}`,
        model: i % 2 ? 'sim-small' : 'sim-large',
        prompt_tokens: i * 7,
        cached_tokens: (i % 5) * i,
        completion_tokens: i % 9,
        // Beyond 2^53 pico-dollars: money must stay exact.
        cost_pico: 9_007_199_254_740_993n + BigInt(i),
        created_at: day + (i % 2) * 86_400_000 + i,
        status_code: i % 6 === 0 ? 429 : 200,
        error_code: i % 6 === 0 ? 'rate_limit_exceeded' : null,
        ...(i % 6 === 0 ? { prompt_tokens: 0, completion_tokens: 0 } : {}),
        streamed: i % 3 === 0,
        estimated: i % 4 === 0,
      }),
    );
    const batches = [
      [...base.slice(0, 20), { ...base[3]!, cost_pico: 1n }], // a duplicate within the batch: the first wins
      [...base.slice(15, 40)], // five already stored
      base.slice(0, 5), // all stored
    ];
    for (const b of batches) {
      const expected = await writeUsageBatch(kyselyStore, b);
      expect(fast(b)).toEqual(expected);
    }
    const a = await contents(kyselyStore);
    const b = await contents(fastStore);
    expect(a.events).toHaveLength(40);
    // The upstream's cached prompt tokens: in the rows and summed into the rollups.
    expect(a.events.filter((e) => Number(e.cached_tokens) > 0).length).toBeGreaterThan(10);
    expect(a.daily.reduce((sum, d) => sum + Number(d.cached_tokens), 0)).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});

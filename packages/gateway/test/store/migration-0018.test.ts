/**
 * Migration 0018 indexes stored Responses items by (organization, item id), on both dialects:
 * up fills the index from the responses already stored (their input items and output items, an
 * id held twice kept once), the store then keeps it with each save and delete, and down drops it
 * leaving the responses.
 */
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { responseItemsMigration } from '../../src/store/migrations/0018_response_items.js';
import { DIALECTS, openTestStore, type TestStore } from '../usage/db.js';

describe.each(DIALECTS)('migration 0018_response_items on %s', (dialect) => {
  let t: TestStore;
  let db: Kysely<any>;
  beforeEach(async () => {
    t = await openTestStore(dialect);
    db = t.store.db;
    await responseItemsMigration.down!(db); // back to stored responses without an item index
  });
  afterEach(async () => {
    await t.close();
  });

  function row(id: string, org: string, input: unknown[], output: unknown[]) {
    return { id, org_id: org, key_id: 'key_1', model: 'sim-small', previous_response_id: null, input_items: JSON.stringify(input), response: JSON.stringify({ id, output }), created_at: 1, expires_at: 2 };
  }

  async function indexed(): Promise<string[]> {
    const rows = await db.selectFrom('stored_response_items').select(['org_id', 'item_id', 'response_id']).execute();
    return rows.map((r) => `${r.org_id} ${r.item_id} ${r.response_id}`).sort();
  }

  it('fills the index from the stored responses, and down drops it keeping them', async () => {
    // More responses than one backfill page (200).
    const many = Array.from({ length: 205 }, (_, i) => row(`resp_${String(i).padStart(3, '0')}`, 'org_b', [{ id: `msg_in${i}`, type: 'message' }], []));
    await db
      .insertInto('stored_responses')
      .values([
        row('resp_a', 'org_a', [{ id: 'msg_u1', type: 'message' }, { id: 'fc_1', type: 'function_call' }, { type: 'message' }], [{ id: 'msg_o1', type: 'message' }, { id: 'fc_1', type: 'function_call' }]),
        row('resp_e', 'org_a', [], []),
      ])
      .execute();
    for (let i = 0; i < many.length; i += 50) await db.insertInto('stored_responses').values(many.slice(i, i + 50)).execute();
    await responseItemsMigration.up(db);
    const all = await indexed();
    expect(all.filter((r) => r.startsWith('org_a'))).toEqual(['org_a fc_1 resp_a', 'org_a msg_o1 resp_a', 'org_a msg_u1 resp_a']);
    expect(all.filter((r) => r.startsWith('org_b'))).toHaveLength(205);
    expect(all).toContain('org_b msg_in204 resp_204');

    // Keyed by (organization, item id): the same id in another organization is its own row.
    await db.insertInto('stored_response_items').values({ org_id: 'org_b', item_id: 'msg_u1', response_id: 'resp_000' }).execute();
    await expect(db.insertInto('stored_response_items').values({ org_id: 'org_a', item_id: 'msg_u1', response_id: 'resp_e' }).execute()).rejects.toThrow();

    await responseItemsMigration.down!(db);
    expect((await db.selectFrom('stored_responses').select('id').execute()).length).toBe(207);
    await expect(db.selectFrom('stored_response_items').selectAll().execute()).rejects.toThrow();
  });
});

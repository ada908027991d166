/**
 * Migration 0019 gives each stored response the project of the key that created it, and keys the
 * item index by (organization, project, item id), on both dialects: up fills `project_id` from
 * the key (a key gone: the organization's Default project; no Default project either: the
 * no-project value) and builds the index again with it, so an item id held in two projects is
 * two rows; the store then reaches a response from its project only, and the retention sweep
 * still deletes the rows with their index; down drops the column and gives back 0018's index.
 */
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, FakeClock } from 'tollgate';
import { ResponseStore } from '../../src/responses/store.js';
import { responseProjectsMigration } from '../../src/store/migrations/0019_response_projects.js';
import { DIALECTS, openTestStore, type TestStore } from '../usage/db.js';

describe.each(DIALECTS)('migration 0019_response_projects on %s', (dialect) => {
  let t: TestStore;
  let db: Kysely<any>;
  beforeEach(async () => {
    t = await openTestStore(dialect);
    db = t.store.db;
    await responseProjectsMigration.down!(db); // back to stored responses of an organization only
  });
  afterEach(async () => {
    await t.close();
  });

  function row(id: string, org: string, key: string, input: unknown[], output: unknown[]) {
    return { id, org_id: org, key_id: key, model: 'sim-small', previous_response_id: null, input_items: JSON.stringify(input), response: JSON.stringify({ id, output }), created_at: 1, expires_at: 2 };
  }

  async function key(orgId: string, userId: string, projectId?: string): Promise<string> {
    const k = await t.store.apiKeys.insert({ orgId, userId, ...(projectId !== undefined && { projectId }), name: 'k', keyHash: `hash-${Math.random()}`, redacted: 'sk-...', permissions: 'all', scopes: [], expiresAt: null });
    return k.id;
  }

  async function projectOf(id: string): Promise<unknown> {
    return (await db.selectFrom('stored_responses').select('project_id').where('id', '=', id).executeTakeFirstOrThrow()).project_id;
  }

  it("fills each response's project from its key, else the Default project; indexes items per project; down gives 0018's index back", async () => {
    const org = await t.store.organizations.create({ name: 'a', tier: 'free' });
    const other = await t.store.organizations.create({ name: 'b', tier: 'free' });
    const user = await t.store.users.create({ email: 'a@test.local', name: 'a' });
    const def = (await t.store.projects.defaultOf(org.id))!;
    const second = await t.store.projects.create(org.id, { name: 'second' });
    const keyDefault = await key(org.id, user.id);
    const keySecond = await key(org.id, user.id, second.id);
    const keyOtherOrg = await key(other.id, user.id);
    await db
      .insertInto('stored_responses')
      .values([
        row('resp_second', org.id, keySecond, [{ id: 'msg_shared', type: 'message' }], [{ id: 'msg_o2', type: 'message' }]),
        row('resp_default', org.id, keyDefault, [{ id: 'msg_shared', type: 'message' }], [{ id: 'msg_o1', type: 'message' }]),
        // Its key is gone.
        row('resp_gone', org.id, 'key_gone', [], [{ id: 'msg_o3', type: 'message' }]),
        // A key id of another organization does not lend its project.
        row('resp_foreign_key', org.id, keyOtherOrg, [], []),
        // An organization with no Default project (none exists without one; written here by hand).
        row('resp_orphan', 'org_without_projects', 'key_gone', [{ id: 'msg_shared', type: 'message' }], []),
      ])
      .execute();
    await responseProjectsMigration.up(db);
    expect(await projectOf('resp_second')).toBe(second.id);
    expect(await projectOf('resp_default')).toBe(def.id);
    expect(await projectOf('resp_gone')).toBe(def.id);
    expect(await projectOf('resp_foreign_key')).toBe(def.id);
    expect(await projectOf('resp_orphan')).toBe('');

    const rows = await db.selectFrom('stored_response_items').select(['org_id', 'project_id', 'item_id', 'response_id']).execute();
    const indexed = rows.map((r) => `${r.org_id === org.id ? 'org' : r.org_id} ${r.project_id === def.id ? 'default' : r.project_id === second.id ? 'second' : JSON.stringify(r.project_id)} ${r.item_id} ${r.response_id}`).sort();
    expect(indexed).toEqual([
      'org default msg_o1 resp_default',
      'org default msg_o3 resp_gone',
      'org default msg_shared resp_default',
      'org second msg_o2 resp_second',
      'org second msg_shared resp_second',
      'org_without_projects "" msg_shared resp_orphan',
    ]);
    // Keyed by (organization, project, item id).
    await expect(db.insertInto('stored_response_items').values({ org_id: org.id, project_id: second.id, item_id: 'msg_o2', response_id: 'resp_second' }).execute()).rejects.toThrow();

    // The store reaches each response from its project only; the sweep deletes them with their index rows.
    const clock = new FakeClock(1);
    const responses = new ResponseStore(t.store, { clock, retentionDays: 1 });
    expect((await responses.items({ orgId: org.id, projectId: second.id }, ['msg_shared', 'msg_o2'])).size).toBe(2);
    expect((await responses.items({ orgId: org.id, projectId: def.id }, ['msg_shared', 'msg_o1', 'msg_o3'])).size).toBe(3);
    await expect(responses.get({ orgId: org.id, projectId: def.id }, 'resp_second')).rejects.toBeInstanceOf(ApiError);
    await expect(responses.items({ orgId: org.id, projectId: def.id }, ['msg_o2'])).rejects.toBeInstanceOf(ApiError);
    expect((await responses.get({ orgId: 'org_without_projects', projectId: null }, 'resp_orphan')).id).toBe('resp_orphan');

    await responseProjectsMigration.down!(db);
    await expect(db.selectFrom('stored_responses').select('project_id').execute()).rejects.toThrow();
    const back = await db.selectFrom('stored_response_items').selectAll().where('org_id', '=', org.id).execute();
    expect(back.map((r) => Object.keys(r).sort().join())).toContain('item_id,org_id,response_id');
    expect(back.filter((r) => r.item_id === 'msg_shared')).toHaveLength(1);
    expect(back).toHaveLength(4);

    await responseProjectsMigration.up(db);
    await clock.advance(1);
    expect(await responses.sweep(2)).toBe(5);
    expect(await db.selectFrom('stored_response_items').selectAll().execute()).toEqual([]);
  });
});

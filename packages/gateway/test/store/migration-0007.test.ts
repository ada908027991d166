/**
 * Migration 0007 gives every organization its Default project and moves the keys stored before
 * it into that project, on both dialects; down removes the projects again.
 */
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectsMigration } from '../../src/store/migrations/0007_projects.js';
import { DIALECTS, openTestStore, type TestStore } from '../usage/db.js';

describe.each(DIALECTS)('migration 0007_projects on %s', (dialect) => {
  let t: TestStore;
  let db: Kysely<any>;
  beforeEach(async () => {
    t = await openTestStore(dialect);
    db = t.store.db;
    await projectsMigration.down!(db); // back to the schema before projects
  });
  afterEach(async () => {
    await t.close();
  });

  async function seed(): Promise<void> {
    const org = (id: string, deleted: number | null) => ({ id, name: id, tier: 'free', created_at: 1000, deleted_at: deleted, hard_limit_pico: null, soft_limit_pico: null, models_restricted: 0 });
    await db.insertInto('organizations').values([org('org_a', null), org('org_b', null), org('org_gone', 5)]).execute();
    await db.insertInto('users').values({ id: 'user_u', email: 'u@test.local', name: 'u', created_at: 1 }).execute();
    const key = (id: string, orgId: string) => ({ id, org_id: orgId, user_id: 'user_u', name: id, key_hash: `h_${id}`, redacted: 'sk-...abcd', status: 'active', permissions: 'all', scopes: '[]', created_at: 2, expires_at: null, last_used_at: null, revoked_at: null });
    await db.insertInto('api_keys').values([key('key_a1', 'org_a'), key('key_a2', 'org_a'), key('key_b', 'org_b'), key('key_gone', 'org_gone')]).execute();
  }

  it('creates one Default project per organization and moves every key into its own', async () => {
    await seed();
    await projectsMigration.up(db);
    const projects = await db.selectFrom('projects').selectAll().orderBy('org_id').execute();
    expect(projects.map((p) => [p.org_id, p.name, Number(p.is_default), p.status, Number(p.created_at)])).toEqual([
      ['org_a', 'Default project', 1, 'active', 1000],
      ['org_b', 'Default project', 1, 'active', 1000],
      ['org_gone', 'Default project', 1, 'active', 1000],
    ]);
    for (const p of projects) expect(p.id).toMatch(/^proj_[A-Za-z0-9]{24}$/);
    const byOrg = new Map(projects.map((p) => [p.org_id, p.id]));
    const keys = await db.selectFrom('api_keys').select(['id', 'org_id', 'project_id', 'owner_type', 'ip_allowlist']).orderBy('id').execute();
    for (const k of keys) expect(k).toEqual({ id: k.id, org_id: k.org_id, project_id: byOrg.get(k.org_id), owner_type: 'user', ip_allowlist: null });

    // The repositories read the migrated rows: the key authenticates within its Default project.
    const auth = await t.store.apiKeys.findForAuth('h_key_a1');
    expect(auth?.project).toMatchObject({ id: byOrg.get('org_a'), isDefault: true, status: 'active' });
  });

  it('down removes the projects and the new columns', async () => {
    await seed();
    await projectsMigration.up(db);
    await projectsMigration.down!(db);
    await expect(db.selectFrom('projects').selectAll().execute()).rejects.toThrow();
    await expect(db.selectFrom('api_keys').select('project_id').execute()).rejects.toThrow();
    expect(await db.selectFrom('api_keys').select('id').execute()).toHaveLength(4);
  });
});

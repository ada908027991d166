/**
 * Migration 0020 deletes, on both dialects, the live admin keys whose owner is no longer a member
 * of the key's organization (removed before removals deleted them), and nothing else: keys of
 * current members (owners or not), keys with no owner, keys already deleted keep their state.
 */
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { adminKeysOfFormerMembersMigration } from '../../src/store/migrations/0020_admin_keys_of_former_members.js';
import { DIALECTS } from '../usage/db.js';
import { eachTestStore } from './each-test-store.js';

describe.each(DIALECTS)('migration 0020_admin_keys_of_former_members on %s', (dialect) => {
  const store = eachTestStore(dialect);

  it("deletes the live keys of former members only, in their own organization's terms", async () => {
    const t = store();
    const db: Kysely<any> = t.store.db;
    const org = await t.store.organizations.create({ name: 'o', tier: 'free' });
    const other = await t.store.organizations.create({ name: 'p', tier: 'free' });
    const [owner, reader, gone] = await Promise.all(['owner', 'reader', 'gone'].map((n) => t.store.users.create({ email: `${n}@${org.id}.test`, name: n })));
    await t.store.memberships.add(org.id, owner!.id, 'owner');
    await t.store.memberships.add(org.id, reader!.id, 'reader');
    await t.store.memberships.add(other.id, gone!.id, 'owner'); // a member elsewhere only
    const key = (id: string, orgId: string, ownerUserId: string | null, deletedAt: number | null) => ({ id, org_id: orgId, owner_user_id: ownerUserId, name: id, key_hash: `h-${id}-${org.id}`, redacted: 'sk-admin-...', created_at: 1, expires_at: null, last_used_at: null, deleted_at: deletedAt });
    const ids = [`ak_owner_${org.id}`, `ak_reader_${org.id}`, `ak_gone_${org.id}`, `ak_none_${org.id}`, `ak_gone_deleted_${org.id}`, `ak_gone_other_${org.id}`] as const;
    await db
      .insertInto('admin_api_keys')
      .values([key(ids[0], org.id, owner!.id, null), key(ids[1], org.id, reader!.id, null), key(ids[2], org.id, gone!.id, null), key(ids[3], org.id, null, null), key(ids[4], org.id, gone!.id, 7), key(ids[5], other.id, gone!.id, null)])
      .execute();

    await adminKeysOfFormerMembersMigration.up(db);
    const rows = await db.selectFrom('admin_api_keys').select(['id', 'deleted_at']).where('id', 'in', [...ids]).execute();
    const deleted = Object.fromEntries(rows.map((r) => [r.id, r.deleted_at === null ? null : Number(r.deleted_at)]));
    expect(deleted[ids[0]]).toBeNull();
    expect(deleted[ids[1]]).toBeNull();
    expect(deleted[ids[2]]).toEqual(expect.any(Number));
    expect(deleted[ids[3]]).toBeNull();
    expect(deleted[ids[4]]).toBe(7);
    expect(deleted[ids[5]]).toBeNull();
  });
});

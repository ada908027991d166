/**
 * Migration 0021 makes, on both dialects, the memberships written with the role `member` (which
 * every check treated as a reader) `reader`, OpenAI's role for them, and changes no other row.
 */
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { memberRoleIsReaderMigration } from '../../src/store/migrations/0021_member_role_is_reader.js';
import { DIALECTS } from '../usage/db.js';
import { eachTestStore } from './each-test-store.js';

describe.each(DIALECTS)('migration 0021_member_role_is_reader on %s', (dialect) => {
  const store = eachTestStore(dialect);

  it('turns member into reader, in memberships and pending invites, and leaves owners and readers', async () => {
    const { store: s } = store();
    const org = await s.organizations.create({ name: 'o', tier: 'free' });
    const written: Record<string, string> = {};
    for (const role of ['owner', 'reader', 'member']) {
      const user = await s.users.create({ email: `${role}@${org.id}.test`, name: role });
      // `member` as the operator API wrote it before 0021 (the store's types no longer allow it).
      await (s.db as Kysely<any>).insertInto('memberships').values({ org_id: org.id, user_id: user.id, role, created_at: 1 }).execute();
      written[user.id] = role;
    }

    const invite = (id: string, role: string) => ({ id, org_id: org.id, email: `${id}@${org.id}.test`, role, projects: null, token_hash: id, created_at: 1, expires_at: 2, accepted_at: null, accepted_user_id: null, deleted_at: null });
    await (s.db as Kysely<any>).insertInto('invites').values([invite('invite-m', 'member'), invite('invite-o', 'owner')]).execute();

    await memberRoleIsReaderMigration.up(s.db as Kysely<any>);
    const invites = await (s.db as Kysely<any>).selectFrom('invites').select(['id', 'role']).where('org_id', '=', org.id).orderBy('id').execute();
    expect(invites).toEqual([{ id: 'invite-m', role: 'reader' }, { id: 'invite-o', role: 'owner' }]);
    const roles = Object.fromEntries((await s.memberships.list(org.id, { limit: 10 })).items.map((m) => [m.userId, m.role]));
    expect(roles).toEqual(Object.fromEntries(Object.entries(written).map(([id, role]) => [id, role === 'member' ? 'reader' : role])));
  });
});

/** The repositories, run on SQLite and on PostgreSQL (a schema of its own per run). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, ConflictError, openStore, type Store } from 'tollgate';
import { DIALECTS, type TestDatabase } from '../support/databases.js';

describe.each(DIALECTS)('store on %s', (dialect, make) => {
  let db: TestDatabase;
  let store: Store;
  const clock = new FakeClock(Date.UTC(2026, 0, 1));

  beforeAll(async () => {
    db = make();
    store = await openStore(db.url, { clock });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  const tick = () => clock.advance(1);

  it('reports its dialect and is re-openable (migrations run once)', async () => {
    expect(store.dialect).toBe(dialect);
    if (dialect === 'postgres') {
      const again = await openStore(db.url, { clock });
      expect(await again.organizations.list({ limit: 1 })).toBeDefined();
      await again.close();
    }
  });

  it('organizations: create, get, update, soft delete; timestamps round-trip as numbers', async () => {
    const org = await store.organizations.create({ name: 'Acme', tier: 'free' });
    expect(org.id).toMatch(/^org-[A-Za-z0-9]{24}$/);
    const got = await store.organizations.get(org.id);
    expect(got).toEqual(org);
    expect(typeof got!.createdAt).toBe('number');
    const updated = await store.organizations.update(org.id, { name: 'Acme 2', tier: 'tier-1' });
    expect(updated).toMatchObject({ name: 'Acme 2', tier: 'tier-1' });
    expect(await store.organizations.exists(org.id)).toBe(true);
    expect(await store.organizations.softDelete(org.id)).toBe(true);
    expect(await store.organizations.softDelete(org.id)).toBe(false);
    expect(await store.organizations.get(org.id)).toBeUndefined();
    expect(await store.organizations.exists(org.id)).toBe(false);
    expect((await store.organizations.get(org.id, { includeDeleted: true }))?.deletedAt).toBe(clock.now());
    expect(await store.organizations.update(org.id, { name: 'x' })).toBeUndefined();
  });

  it('organizations: keyset paging in creation order, deleted ones skipped, ties broken by id', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push((await store.organizations.create({ name: `p${i}`, tier: 'free' })).id);
      if (i % 2 === 0) await tick(); // some share a millisecond
    }
    await store.organizations.softDelete(created[3]!);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.organizations.list({ limit: 2, after });
      seen.push(...page.items.map((o) => o.id));
      if (!page.hasMore) break;
      after = page.items.at(-1)!.id;
    }
    // Paging by 2 reproduces the one-page order, which is creation order (ties in the same
    // millisecond ordered by id, in the database's collation).
    const whole = (await store.organizations.list({ limit: 100 })).items;
    expect(seen).toEqual(whole.map((o) => o.id));
    const times = whole.map((o) => o.createdAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Those made in one millisecond list in the order they were made (ids sort by creation).
    expect(seen.filter((id) => created.includes(id))).toEqual(created.filter((id) => id !== created[3]));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await store.organizations.list({ limit: 2, after: 'org-nope' })).cursorFound).toBe(false);
  });

  it('audit log: entries written in one millisecond list newest first in the order they were written, on every page', async () => {
    const org = await store.organizations.create({ name: 'audited', tier: 'free' });
    const written: string[] = [];
    const at = clock.now();
    for (let i = 0; i < 40; i++) {
      const e = await store.auditLogs.insert({ orgId: org.id, type: i % 2 ? 'api_key.deleted' : 'user.deleted', effectiveAt: at, projectId: null, actorId: 'user-x', actorEmail: null, actor: {}, objectId: `o${i}`, details: {} });
      written.push(e.id);
    }
    const newestFirst = [...written].reverse();
    expect((await store.auditLogs.list(org.id, {}, { limit: 100 })).items.map((e) => e.id)).toEqual(newestFirst);
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.auditLogs.list(org.id, {}, { limit: 7, after });
      paged.push(...page.items.map((e) => e.id));
      if (!page.hasMore) break;
      after = page.items.at(-1)!.id;
    }
    expect(paged).toEqual(newestFirst);
    expect((await store.auditLogs.list(org.id, {}, { limit: 3, before: written[10] })).items.map((e) => e.id)).toEqual([written[13], written[12], written[11]]);
    expect((await store.auditLogs.list(org.id, { types: ['api_key.deleted'] }, { limit: 1 })).items[0]!.id).toBe(written[39]);
  });

  it('users: unique email (case-insensitive), even under concurrent creates', async () => {
    const u = await store.users.create({ email: 'Ann@Example.com', name: 'Ann' });
    expect(u.email).toBe('ann@example.com');
    expect(await store.users.getByEmail('ANN@example.com')).toEqual(u);
    await expect(store.users.create({ email: 'ann@example.com', name: 'Other' })).rejects.toBeInstanceOf(ConflictError);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.users.create({ email: 'race@example.com', name: 'r' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ConflictError)).toHaveLength(19);
  });

  it('memberships: add once, list with user details, remove', async () => {
    const org = await store.organizations.create({ name: 'M', tier: 'free' });
    const users = [];
    for (let i = 0; i < 3; i++) {
      users.push(await store.users.create({ email: `m${i}@${org.id}.test`, name: `M${i}` }));
      await store.memberships.add(org.id, users[i]!.id, i === 0 ? 'owner' : 'reader');
      await tick();
    }
    await expect(store.memberships.add(org.id, users[0]!.id, 'reader')).rejects.toBeInstanceOf(ConflictError);
    const page1 = await store.memberships.list(org.id, { limit: 2 });
    expect(page1.items.map((m) => [m.userId, m.role, m.email])).toEqual([
      [users[0]!.id, 'owner', users[0]!.email],
      [users[1]!.id, 'reader', users[1]!.email],
    ]);
    expect(page1.hasMore).toBe(true);
    const page2 = await store.memberships.list(org.id, { limit: 2, after: users[1]!.id });
    expect(page2.items.map((m) => m.userId)).toEqual([users[2]!.id]);
    expect(page2.hasMore).toBe(false);
    expect(await store.memberships.remove(org.id, users[1]!.id)).toEqual({ outcome: 'changed', revokedAdminKeys: [] });
    expect(await store.memberships.remove(org.id, users[1]!.id)).toEqual({ outcome: 'not_found', revokedAdminKeys: [] });
    expect(await store.memberships.get(org.id, users[1]!.id)).toBeUndefined();
  });

  it('memberships: the last owner stays, even when every owner demotes or removes another at once', async () => {
    const org = await store.organizations.create({ name: 'Owners', tier: 'free' });
    const owners = [];
    for (let i = 0; i < 10; i++) {
      owners.push(await store.users.create({ email: `o${i}@${org.id}.test`, name: `O${i}` }));
      await store.memberships.add(org.id, owners[i]!.id, 'owner');
    }
    const results = await Promise.all(owners.map((u, i) => store.memberships.changeKeepingAnOwner(org.id, u.id, i % 2 === 0 ? 'reader' : 'removed')));
    expect(results.filter((r) => r.outcome === 'changed')).toHaveLength(9);
    expect(results.filter((r) => r.outcome === 'last_owner')).toHaveLength(1);
    const left = (await store.memberships.list(org.id, { limit: 100 })).items.filter((m) => m.role === 'owner');
    expect(left).toHaveLength(1);
    expect((await store.memberships.changeKeepingAnOwner(org.id, left[0]!.userId, 'owner')).outcome).toBe('changed');
    expect((await store.memberships.changeKeepingAnOwner(org.id, 'user_nope', 'reader')).outcome).toBe('not_found');
  });

  it('memberships: a removal deletes the admin keys the user owns in that organization, and only those', async () => {
    const org = await store.organizations.create({ name: 'Admins', tier: 'free' });
    const other = await store.organizations.create({ name: 'Other', tier: 'free' });
    const [a, b] = [await store.users.create({ email: `a@${org.id}.test`, name: 'A' }), await store.users.create({ email: `b@${org.id}.test`, name: 'B' })];
    for (const o of [org, other]) for (const u of [a, b]) await store.memberships.add(o.id, u.id, 'owner');
    const key = async (orgId: string, ownerUserId: string | null, n: string) => {
      await tick(); // the list's order is the creation order
      return (await store.adminApiKeys.insert({ orgId, ownerUserId, name: n, keyHash: `ah-${orgId}-${n}`, redacted: `sk-admin-...${n}`, expiresAt: null }))!;
    };
    const [a1, a2] = [await key(org.id, a!.id, 'a1'), await key(org.id, a!.id, 'a2')];
    const [b1, aOther, orgKey] = [await key(org.id, b!.id, 'b1'), await key(other.id, a!.id, 'ao'), await key(org.id, null, 'op')];
    await store.adminApiKeys.delete(org.id, a2.id);

    expect((await store.memberships.changeKeepingAnOwner(org.id, a!.id, 'reader')).revokedAdminKeys).toEqual([]);
    expect(await store.memberships.changeKeepingAnOwner(org.id, a!.id, 'removed')).toEqual({ outcome: 'changed', revokedAdminKeys: [{ id: a1.id, redacted: 'sk-admin-...a1' }] });
    expect(await store.adminApiKeys.findForAuth(a1.keyHash)).toBeUndefined();
    expect((await store.adminApiKeys.list(org.id, { limit: 10 })).items.map((k) => k.id)).toEqual([b1.id, orgKey.id]);
    expect(await store.adminApiKeys.findForAuth(aOther.keyHash)).toMatchObject({ id: aOther.id, owner: { role: 'owner' } });
    // Back in the organization: the deleted key stays deleted.
    await store.memberships.add(org.id, a!.id, 'owner');
    expect(await store.adminApiKeys.findForAuth(a1.keyHash)).toBeUndefined();
    expect(await store.memberships.remove(org.id, b!.id)).toEqual({ outcome: 'changed', revokedAdminKeys: [{ id: b1.id, redacted: 'sk-admin-...b1' }] });
    expect(await store.adminApiKeys.findForAuth(orgKey.keyHash)).toMatchObject({ id: orgKey.id, owner: null });
  });

  it('admin keys: one issued while its owner is being removed never outlives the removal, nor comes back with the user', async () => {
    const org = await store.organizations.create({ name: 'Race', tier: 'free' });
    const keeper = await store.users.create({ email: `keeper@${org.id}.test`, name: 'Keeper' });
    await store.memberships.add(org.id, keeper.id, 'owner');
    const leavers = [];
    for (let i = 0; i < 24; i++) {
      leavers.push(await store.users.create({ email: `l${i}@${org.id}.test`, name: `L${i}` }));
      await store.memberships.add(org.id, leavers[i]!.id, 'owner');
    }
    const issue = (userId: string, n: string) =>
      store.adminApiKeys.insert({ orgId: org.id, ownerUserId: userId, name: n, keyHash: `race-${org.id}-${n}`, redacted: `sk-admin...${n}`, expiresAt: null });
    // Each leaver gets keys issued at the same moment as their removal, by the organization's
    // users API (last-owner check) for half of them and the operator's for the other half.
    const issued = await Promise.all(
      leavers.map(async (u, i) => {
        const remove = i % 2 === 0 ? store.memberships.changeKeepingAnOwner(org.id, u.id, 'removed') : store.memberships.remove(org.id, u.id);
        const [before, , after] = await Promise.all([issue(u.id, `${i}a`), remove, issue(u.id, `${i}b`)]);
        return [before, after];
      }),
    );
    // A key the store accepted was issued before the removal and went with it; none is live.
    for (const u of leavers) {
      for (const n of ['a', 'b']) expect(await store.adminApiKeys.findForAuth(`race-${org.id}-${leavers.indexOf(u)}${n}`)).toBeUndefined();
    }
    expect((await store.adminApiKeys.list(org.id, { limit: 100 })).items).toEqual([]);
    // A key for someone who is no longer an owner is not issued at all.
    expect(await issue(leavers[0]!.id, 'late')).toBeUndefined();
    await store.memberships.add(org.id, leavers[1]!.id, 'reader');
    expect(await issue(leavers[1]!.id, 'reader')).toBeUndefined();
    // Added back as owners: nothing that was issued around the removal comes back.
    for (const u of leavers) await store.memberships.changeKeepingAnOwner(org.id, u.id, 'owner').then(async (r) => r.outcome === 'not_found' && store.memberships.add(org.id, u.id, 'owner'));
    for (const k of issued.flat()) if (k) expect(await store.adminApiKeys.findForAuth(k.keyHash)).toBeUndefined();
    for (const n of ['late', 'reader']) expect(await store.adminApiKeys.findForAuth(`race-${org.id}-${n}`)).toBeUndefined();
    expect((await store.adminApiKeys.list(org.id, { limit: 100 })).items).toEqual([]);
    expect(await issue(keeper.id, 'keeper')).toMatchObject({ ownerUserId: keeper.id, owner: { role: 'owner' } });
  });

  it('api keys: insert, find for auth with org and role, revoke once, last_used never moves back', async () => {
    const org = await store.organizations.create({ name: 'K', tier: 'tier-1' });
    const user = await store.users.create({ email: `k@${org.id}.test`, name: 'K' });
    await store.memberships.add(org.id, user.id, 'reader');
    const k = await store.apiKeys.insert({ orgId: org.id, userId: user.id, name: 'ci', keyHash: `h-${org.id}`, redacted: 'sk-...abcd', permissions: 'restricted', scopes: ['model.request'], expiresAt: clock.now() + 1000 });
    expect(k).toMatchObject({ status: 'active', scopes: ['model.request'], lastUsedAt: null, revokedAt: null });
    const auth = await store.apiKeys.findForAuth(`h-${org.id}`);
    const project = await store.projects.defaultOf(org.id);
    expect(k.projectId).toBe(project!.id);
    expect(auth).toEqual({
      key: k,
      org: { id: org.id, name: 'K', tier: 'tier-1', deletedAt: null, modelsRestricted: false, ipAllowlist: [] },
      role: 'reader',
      project: { id: project!.id, name: 'Default project', isDefault: true, status: 'active', modelPermissions: null, ipAllowlist: [] },
      projectRole: null,
      serviceAccount: null,
    });
    await store.memberships.remove(org.id, user.id);
    expect((await store.apiKeys.findForAuth(`h-${org.id}`))?.role).toBeNull();
    expect(await store.apiKeys.findForAuth('nope')).toBeUndefined();

    await store.apiKeys.touchLastUsed([[k.id, 500]]);
    await store.apiKeys.touchLastUsed([[k.id, 400]]);
    expect((await store.apiKeys.get(k.id))?.lastUsedAt).toBe(500);

    const revoked = await store.apiKeys.revoke(k.id);
    expect(revoked).toMatchObject({ status: 'revoked', revokedAt: clock.now() });
    await tick();
    expect((await store.apiKeys.revoke(k.id))?.revokedAt).toBe(revoked!.revokedAt);
    expect(await store.apiKeys.revoke('key_nope')).toBeUndefined();

    const other = await store.apiKeys.insert({ orgId: org.id, userId: user.id, name: 'two', keyHash: `h2-${org.id}`, redacted: 'sk-...wxyz', permissions: 'all', scopes: [], expiresAt: null });
    const listed = await store.apiKeys.list({ orgId: org.id }, { limit: 10 });
    expect(listed.items.map((x) => x.id)).toEqual([k.id, other.id]);
    expect((await store.apiKeys.list({ orgId: org.id }, { limit: 1, after: k.id })).items.map((x) => x.id)).toEqual([other.id]);
    expect((await store.apiKeys.list({ orgId: 'org-none' }, { limit: 10 })).items).toEqual([]);
  });

  it('api keys: duplicate hashes are refused by the unique index', async () => {
    const org = await store.organizations.create({ name: 'D', tier: 'free' });
    const user = await store.users.create({ email: `d@${org.id}.test`, name: 'D' });
    const k = { orgId: org.id, userId: user.id, name: 'a', keyHash: `dup-${org.id}`, redacted: 'sk-...aaaa', permissions: 'all' as const, scopes: [], expiresAt: null };
    await store.apiKeys.insert(k);
    await expect(store.apiKeys.insert(k)).rejects.toThrow();
  });

  it('model access: null = all, a list (even empty) restricts; replaced atomically', async () => {
    const org = await store.organizations.create({ name: 'A', tier: 'free' });
    expect(await store.modelAccess.get(org.id)).toBeNull();
    await store.modelAccess.set(org.id, ['sim-small', 'sim-large', 'sim-small']);
    expect(await store.modelAccess.get(org.id)).toEqual(['sim-large', 'sim-small']);
    expect((await store.organizations.get(org.id))?.modelsRestricted).toBe(true);
    await store.modelAccess.set(org.id, []);
    expect(await store.modelAccess.get(org.id)).toEqual([]);
    await store.modelAccess.set(org.id, null);
    expect(await store.modelAccess.get(org.id)).toBeNull();
  });

  it('rate limits: absent = inherit, null = unlimited, numbers; empty override removes the row', async () => {
    const org = await store.organizations.create({ name: 'R', tier: 'free' });
    await store.rateLimits.setOrgOverride(org.id, 'sim-small', { max_requests_per_1_minute: 10, max_tokens_per_1_day: null });
    await store.rateLimits.setOrgOverride(org.id, '*', { max_tokens_per_1_minute: 0 });
    expect(await store.rateLimits.orgOverrides(org.id)).toEqual(
      new Map([
        ['sim-small', { max_requests_per_1_minute: 10, max_tokens_per_1_day: null }],
        ['*', { max_tokens_per_1_minute: 0 }],
      ]),
    );
    await store.rateLimits.setOrgOverride(org.id, 'sim-small', { max_requests_per_1_day: 3 });
    expect((await store.rateLimits.orgOverrides(org.id)).get('sim-small')).toEqual({ max_requests_per_1_day: 3 });
    await store.rateLimits.setOrgOverride(org.id, 'sim-small', {});
    expect([...(await store.rateLimits.orgOverrides(org.id)).keys()]).toEqual(['*']);

    const user = await store.users.create({ email: `r@${org.id}.test`, name: 'R' });
    const key = await store.apiKeys.insert({ orgId: org.id, userId: user.id, name: 'r', keyHash: `r-${org.id}`, redacted: 'sk-...rrrr', permissions: 'all', scopes: [], expiresAt: null });
    await store.rateLimits.setKeyLimit(key.id, '*', { max_requests_per_1_minute: 2 });
    expect(await store.rateLimits.keyLimits(key.id)).toEqual(new Map([['*', { max_requests_per_1_minute: 2 }]]));
  });

  it('settings: getOrCreate keeps the first value, also when many race', async () => {
    const values = await Promise.all(Array.from({ length: 20 }, (_, i) => store.settings.getOrCreate(`race-${dialect}`, () => `v${i}`)));
    expect(new Set(values).size).toBe(1);
    await store.settings.set('plain', 'a');
    await store.settings.set('plain', 'b');
    expect(await store.settings.get('plain')).toBe('b');
    expect(await store.settings.get('absent')).toBeUndefined();
  });
});

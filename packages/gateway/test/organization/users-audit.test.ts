/**
 * `/v1/organization/users` and `/v1/organization/audit_logs` through the official SDK's admin
 * client: objects, paging, role changes, removal taking a user's keys away at once, OpenAI's
 * 404s, 400s naming the field, and no reach into another organization.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startOrgHarness, type OrgHarness, type Tenant } from './harness.js';

let h: OrgHarness;
beforeAll(async () => {
  h = await startOrgHarness();
});
afterAll(() => h.close());

/** Adds a new user to the tenant's organization through the operator API, with a key. */
async function addMember(t: Tenant, role: string) {
  const email = `m-${Math.random().toString(36).slice(2)}@test.local`;
  const u = await h.gw.admin('POST', '/admin/v1/users', { email, name: `Member ${email}` });
  await h.gw.admin('POST', `/admin/v1/organizations/${t.orgId}/members`, { user_id: u.body.id, role });
  const k = await h.gw.admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: u.body.id, name: 'k' });
  return { userId: u.body.id as string, email, apiKey: k.body.key as string };
}

const chat = (apiKey: string) => new OpenAI({ apiKey, baseURL: h.gw.baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });

describe('users', () => {
  it('list (paging, emails filter), retrieve', async () => {
    const t = await h.tenant('users-list');
    const m1 = await addMember(t, 'reader');
    const m2 = await addMember(t, 'owner');
    const page = await t.org.users.list({ limit: 2 });
    expect(page.data.map((u) => u.id)).toEqual([t.userId, m1.userId]);
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const u of t.org.users.list({ limit: 1 })) all.push(u.id);
    expect(all).toEqual([t.userId, m1.userId, m2.userId]);
    const byEmail = await t.org.users.list({ emails: [m2.email.toUpperCase()] });
    expect(byEmail.data.map((u) => u.id)).toEqual([m2.userId]);
    const u = await t.org.users.retrieve(m1.userId);
    expect(u).toEqual({ object: 'organization.user', id: m1.userId, name: `Member ${m1.email}`, email: m1.email, role: 'reader', added_at: expect.any(Number) });
    const e = await rejection(t.org.users.retrieve('user-nope'));
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.error.message).toBe('No such user: user-nope.');
  });

  it('update the role; bad roles are a 400 naming role; the last owner stays', async () => {
    const t = await h.tenant('users-role');
    const m = await addMember(t, 'reader');
    expect((await t.org.users.update(m.userId, { role: 'owner' })).role).toBe('owner');
    expect((await t.org.users.update(m.userId, { role: 'reader' })).role).toBe('reader');
    const bad = await rejection(t.org.users.update(m.userId, { role: 'admin' }));
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad.error.param).toBe('role');
    const last = await rejection(t.org.users.update(t.userId, { role: 'reader' }));
    expect(last).toBeInstanceOf(OpenAI.ConflictError);
    expect(await rejection(t.org.users.delete(t.userId))).toBeInstanceOf(OpenAI.ConflictError);
  });

  it("delete: the user's keys are refused at their next request", async () => {
    const t = await h.tenant('users-delete');
    const m = await addMember(t, 'owner');
    await chat(m.apiKey); // cached as valid
    expect(await t.org.users.delete(m.userId)).toEqual({ object: 'organization.user.deleted', id: m.userId, deleted: true });
    const e = await rejection(chat(m.apiKey));
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(e.error.code).toBe('no_organization');
    expect(await rejection(t.org.users.retrieve(m.userId))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(t.org.users.delete(m.userId))).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("another organization's users are out of reach", async () => {
    const m = await addMember(h.a, 'reader');
    expect((await h.b.org.users.list({ limit: 100 })).data.map((u) => u.id)).not.toContain(m.userId);
    expect(await rejection(h.b.org.users.retrieve(m.userId))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(h.b.org.users.update(m.userId, { role: 'owner' }))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(h.b.org.users.delete(m.userId))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(h.b.org.users.list({ after: m.userId }))).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await h.a.org.users.retrieve(m.userId)).role).toBe('reader');
  });
});

describe('audit logs', () => {
  it('record every change with actor, time, object and changed fields; filter and page', async () => {
    const t = await h.tenant('audit');
    const m = await addMember(t, 'reader');
    const before = Math.floor(Date.now() / 1000) - 1;
    const k = await t.org.adminAPIKeys.create({ name: 'audited' });
    await t.org.users.update(m.userId, { role: 'owner' });
    await t.org.adminAPIKeys.delete(k.id);
    await t.org.users.delete(m.userId);

    const all = await t.org.auditLogs.list({ limit: 100 });
    const types = all.data.map((e) => e.type);
    // Newest first; the operator's setting up of the organization (created, its member, key and admin key) comes last.
    expect(types.slice(0, 4)).toEqual(['user.deleted', 'api_key.deleted', 'user.updated', 'api_key.created']);
    const setUp = all.data.slice(-4);
    expect(setUp.map((e) => (e.actor as any).type)).toEqual(['operator', 'operator', 'operator', 'operator']);
    expect(setUp.map((e) => e.type as string).sort()).toEqual(['api_key.created', 'api_key.created', 'organization.created', 'user.added']);
    const updated = all.data[2]!;
    expect(updated).toMatchObject({ type: 'user.updated', 'user.updated': { id: m.userId, changes_requested: { role: 'owner' } } });
    expect(updated.actor).toEqual({ type: 'api_key', api_key: { id: t.adminKeyId, type: 'user', user: { id: t.userId, email: expect.stringContaining('@') } } });
    expect(updated.effective_at).toBeGreaterThanOrEqual(before);
    expect((all.data.at(-1)!.actor as any).type).toBe('operator');

    const onlyUsers = await t.org.auditLogs.list({ event_types: ['user.updated', 'user.deleted'] });
    expect(onlyUsers.data.map((e) => e.type)).toEqual(['user.deleted', 'user.updated']);
    expect((await t.org.auditLogs.list({ resource_ids: [k.id] })).data.map((e) => e.type)).toEqual(['api_key.deleted', 'api_key.created']);
    expect((await t.org.auditLogs.list({ actor_ids: [t.adminKeyId] })).data).toHaveLength(4);
    expect((await t.org.auditLogs.list({ effective_at: { gt: Math.floor(Date.now() / 1000) + 10 } })).data).toEqual([]);
    expect((await t.org.auditLogs.list({ effective_at: { gte: before } })).data.length).toBeGreaterThanOrEqual(4);

    const p1 = await t.org.auditLogs.list({ limit: 2 });
    expect(p1.has_more).toBe(true);
    const seen: string[] = [];
    for await (const e of t.org.auditLogs.list({ limit: 2 })) seen.push(e.id);
    expect(seen).toEqual(all.data.map((e) => e.id));
    const back = await t.org.auditLogs.list({ before: all.data[2]!.id, limit: 2 });
    expect(back.data.map((e) => e.id)).toEqual(all.data.slice(0, 2).map((e) => e.id));

    const bad = await rejection(t.org.auditLogs.list({ effective_at: { gt: 'soon' as unknown as number } }));
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad.error.param).toBe('effective_at[gt]');
  });

  it("project-scoped entries name the project ({id, name}); a service account's key is logged as created like any key", async () => {
    const t = await h.tenant('audit-projects');
    const p = await t.org.projects.create({ name: 'Billing bots' });
    const sa = await t.org.projects.serviceAccounts.create(p.id, { name: 'ci' });
    const bare = await t.org.projects.serviceAccounts.create(p.id, { name: 'no key', create_service_account_only: true });
    expect(bare.api_key).toBeNull();
    await t.org.projects.update(p.id, { name: 'Billing robots' });

    const entries = (await t.org.auditLogs.list({ project_ids: [p.id], limit: 100 })).data;
    // (An account and its key are logged by one request, possibly within the same millisecond: their order is not asserted.)
    expect(entries.map((e) => e.type).sort()).toEqual(['api_key.created', 'project.created', 'project.updated', 'service_account.created', 'service_account.created']);
    // The project as it is named now, on every entry of it.
    for (const e of entries) expect(e.project).toEqual({ id: p.id, name: 'Billing robots' });
    const key = entries.find((e) => e.type === 'api_key.created')!;
    expect(key['api_key.created']).toMatchObject({ id: sa.api_key!.id, data: { scopes: [] } });
    expect(key.actor).toMatchObject({ type: 'api_key', api_key: { id: t.adminKeyId } });
    expect(entries.find((e) => e.type === 'service_account.created' && e['service_account.created']!.id === sa.id)!['service_account.created']).toEqual({ id: sa.id, data: { role: 'member' } });
    expect((await t.org.auditLogs.list({ resource_ids: [sa.api_key!.id] })).data.map((e) => e.type)).toEqual(['api_key.created']);
    expect((await t.org.auditLogs.list({ resource_ids: [bare.id] })).data.map((e) => e.type)).toEqual(['service_account.created']);
    // Entries of no project carry none.
    const orgWide = (await t.org.auditLogs.list({ event_types: ['organization.created' as 'organization.updated'] })).data; // Tollgate's own event type
    expect(orgWide.length).toBe(1);
    expect(orgWide[0]).not.toHaveProperty('project');
  });

  it("another organization's entries are out of reach", async () => {
    const mine = await h.a.org.auditLogs.list({ limit: 100 });
    expect(mine.data.length).toBeGreaterThan(0);
    const theirs = await h.b.org.auditLogs.list({ limit: 100 });
    const ids = new Set(theirs.data.map((e) => e.id));
    expect(mine.data.some((e) => ids.has(e.id))).toBe(false);
    expect(await rejection(h.b.org.auditLogs.list({ after: mine.data[0]!.id }))).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

/**
 * Credentials act with their owner's current standing, through the official SDK: an admin key of a
 * member made a reader is refused (OpenAI's "insufficient permissions" 401) and the list shows the
 * reader; made an owner again, it works again. Removing the member deletes their admin keys (gone
 * from the list, refused like any deleted key, never revived by adding the user back, each deletion
 * in the audit log), and their project keys are refused at once, also the operator's removal.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startOrgHarness, type OrgHarness, type Tenant } from './harness.js';

let h: OrgHarness;
beforeAll(async () => {
  h = await startOrgHarness();
});
afterAll(() => h.close());

const adminClient = (adminKey: string) => new OpenAI({ adminAPIKey: adminKey, apiKey: null as unknown as string, baseURL: h.gw.baseURL, maxRetries: 0 }).admin.organization;
const chat = (apiKey: string) => new OpenAI({ apiKey, baseURL: h.gw.baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });

/** A new member of `role` with an admin key of their own (made by the operator while they are an owner) and a Default-project key. */
async function memberWithAdminKey(t: Tenant) {
  const email = `m-${Math.random().toString(36).slice(2)}@test.local`;
  const u = await h.gw.admin('POST', '/admin/v1/users', { email, name: `Member ${email}` });
  const userId = u.body.id as string;
  await h.gw.admin('POST', `/admin/v1/organizations/${t.orgId}/members`, { user_id: userId, role: 'owner' });
  const ak = await h.gw.admin('POST', `/admin/v1/organizations/${t.orgId}/admin_api_keys`, { name: 'own admin key', owner_user_id: userId });
  expect(ak.status).toBe(200);
  const k = await h.gw.admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: userId, name: 'k' });
  return { userId, email, adminKeyId: ak.body.id as string, org: adminClient(ak.body.value as string), apiKey: k.body.key as string };
}

const MISSING_WRITE = "You have insufficient permissions for this operation. Missing scopes: api.management.write. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.";

describe("an admin key acts with its owner's current role", () => {
  it('made a reader: refused with the missing scope, listed with role reader; made an owner again: works again', async () => {
    const t = await h.tenant('standing-demote');
    const m = await memberWithAdminKey(t);
    await m.org.projects.create({ name: 'while owner' });

    expect((await t.org.users.update(m.userId, { role: 'reader' })).role).toBe('reader');
    const write = await rejection(m.org.projects.create({ name: 'after demotion' }));
    expect(write).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(write.error).toEqual({ message: MISSING_WRITE, type: 'invalid_request_error', param: null, code: null });
    // Nor can it give its owner the role back, or read anything.
    expect(await rejection(m.org.users.update(m.userId, { role: 'owner' }))).toBeInstanceOf(OpenAI.AuthenticationError);
    const read = await rejection(m.org.adminAPIKeys.list());
    expect(read).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(read.error.message).toContain('Missing scopes: api.management.read.');
    expect((await t.org.users.retrieve(m.userId)).role).toBe('reader');
    expect((await t.org.projects.list({ limit: 100 })).data.map((p) => p.name)).not.toContain('after demotion');

    const listed = (await t.org.adminAPIKeys.list({ limit: 100 })).data.find((k) => k.id === m.adminKeyId);
    expect(listed?.owner).toMatchObject({ type: 'user', id: m.userId, role: 'reader' });
    // A reader still uses the API with their own keys (OpenAI's Reader).
    await chat(m.apiKey);

    await t.org.users.update(m.userId, { role: 'owner' });
    expect((await m.org.projects.create({ name: 'owner again' })).name).toBe('owner again');
    expect((await t.org.adminAPIKeys.retrieve(m.adminKeyId)).owner).toMatchObject({ id: m.userId, role: 'owner' });
  });
});

describe("a removed member's credentials", () => {
  it('admin keys are deleted (gone, refused as invalid, audit-logged, not revived) and project keys refused', async () => {
    const t = await h.tenant('standing-remove');
    const m = await memberWithAdminKey(t);
    const second = await h.gw.admin('POST', `/admin/v1/organizations/${t.orgId}/admin_api_keys`, { name: 'second', owner_user_id: m.userId });
    const project = await t.org.projects.create({ name: 'team' });
    await t.org.projects.users.create(project.id, { user_id: m.userId, role: 'member' });
    const pk = await h.gw.admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: m.userId, name: 'team key', project_id: project.id });
    expect(pk.status).toBe(200);
    await chat(pk.body.key); // cached as valid
    await chat(m.apiKey);
    await m.org.projects.list();

    expect(await t.org.users.delete(m.userId)).toEqual({ object: 'organization.user.deleted', id: m.userId, deleted: true });

    const refused = await rejection(m.org.projects.create({ name: 'after removal' }));
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(refused.error.code).toBe('invalid_api_key');
    const keys = (await t.org.adminAPIKeys.list({ limit: 100 })).data.map((k) => k.id);
    expect(keys).toEqual([t.adminKeyId]);
    expect(await rejection(t.org.adminAPIKeys.retrieve(m.adminKeyId))).toBeInstanceOf(OpenAI.NotFoundError);

    const projectKey = await rejection(chat(pk.body.key));
    expect(projectKey).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(projectKey.error.code).toBe('no_organization');
    expect((await rejection(chat(m.apiKey))).error.code).toBe('no_organization');

    const deletions = await t.org.auditLogs.list({ event_types: ['api_key.deleted'] });
    expect(deletions.data.map((e) => (e as any)['api_key.deleted'].id).sort()).toEqual([m.adminKeyId, second.body.id].sort());
    for (const e of deletions.data) expect(e.actor).toEqual({ type: 'api_key', api_key: { id: t.adminKeyId, type: 'user', user: { id: t.userId, email: expect.stringContaining('@') } } });
    expect((await t.org.auditLogs.list({ limit: 1 })).data[0]!.type).toBe('api_key.deleted');

    // Added back, even as an owner: the deleted keys stay deleted.
    await h.gw.admin('POST', `/admin/v1/organizations/${t.orgId}/members`, { user_id: m.userId, role: 'owner' });
    expect((await rejection(m.org.projects.list())).error.code).toBe('invalid_api_key');
    expect((await t.org.adminAPIKeys.list({ limit: 100 })).data.map((k) => k.id)).toEqual([t.adminKeyId]);
  });

  it("removed from a project: the user's key of that project is refused, their Default-project key is not", async () => {
    const t = await h.tenant('standing-project');
    const m = await memberWithAdminKey(t);
    await t.org.users.update(m.userId, { role: 'reader' });
    const project = await t.org.projects.create({ name: 'team' });
    await t.org.projects.users.create(project.id, { user_id: m.userId, role: 'member' });
    const pk = await h.gw.admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: m.userId, name: 'team key', project_id: project.id });
    await chat(pk.body.key);
    await t.org.projects.users.delete(m.userId, { project_id: project.id });
    const e = await rejection(chat(pk.body.key));
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(e.error.code).toBe('invalid_api_key');
    await chat(m.apiKey);
  });

  it("the operator's removal deletes the admin keys too, in the organization's audit log", async () => {
    const t = await h.tenant('standing-operator');
    const m = await memberWithAdminKey(t);
    const del = await h.gw.admin('DELETE', `/admin/v1/organizations/${t.orgId}/members/${m.userId}`);
    expect(del.status).toBe(200);
    expect((await rejection(m.org.users.list())).error.code).toBe('invalid_api_key');
    expect((await t.org.adminAPIKeys.list({ limit: 100 })).data.map((k) => k.id)).toEqual([t.adminKeyId]);
    const entries = (await t.org.auditLogs.list({ resource_ids: [m.adminKeyId] })).data;
    expect(entries.map((e) => [e.type, (e.actor as any).type])).toEqual([
      ['api_key.deleted', 'operator'],
      ['api_key.created', 'operator'],
    ]);
  });
});

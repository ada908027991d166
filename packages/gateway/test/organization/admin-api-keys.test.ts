/**
 * The Administration API's frame and its admin keys, through the official SDK's admin client:
 * admin-key authentication, key separation, the list shape and cursor paging, OpenAI's 404s, and
 * one organization's admin key never reaching another's keys.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOperatorKey } from '../../src/admin/operator-key-format.js';
import { PUBLIC_URL } from '../support/gateway.js';
import { rejection, startOrgHarness, type OrgHarness } from './harness.js';

let h: OrgHarness;
beforeAll(async () => {
  h = await startOrgHarness();
});
afterAll(() => h.close());

describe('the operator issues an organization admin key', () => {
  it('shaped like the create response, value once, owner = the first owner', async () => {
    const r = await h.gw.admin('POST', `/admin/v1/organizations/${h.a.orgId}/admin_api_keys`, { name: 'ops' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: 'organization.admin_api_key', name: 'ops', expires_at: null, last_used_at: null, owner: { type: 'user', object: 'organization.user', id: h.a.userId, role: 'owner' } });
    expect(r.body.value).toMatch(/^sk-admin-[A-Za-z0-9_-]{43}$/);
    expect(r.body.redacted_value).toBe(`sk-admin...${r.body.value.slice(-4)}`);
    const again = await h.a.org.adminAPIKeys.retrieve(r.body.id);
    expect(again).not.toHaveProperty('value');
    expect(h.gw.logs()).not.toContain(r.body.value);
  });

  it('needs the operator key, a name, and a live organization', async () => {
    const noKey = await fetch(`${h.gw.url}/admin/v1/organizations/${h.a.orgId}/admin_api_keys`, { method: 'POST', body: '{"name":"x"}' });
    expect(noKey.status).toBe(401);
    const asOrgAdmin = await fetch(`${h.gw.url}/admin/v1/organizations/${h.a.orgId}/admin_api_keys`, { method: 'POST', headers: { authorization: `Bearer ${h.a.adminKey}` }, body: '{"name":"x"}' });
    expect(asOrgAdmin.status).toBe(401);
    const noName = await h.gw.admin('POST', `/admin/v1/organizations/${h.a.orgId}/admin_api_keys`, {});
    expect(noName).toMatchObject({ status: 400, body: { error: { param: 'name' } } });
    const noOrg = await h.gw.admin('POST', '/admin/v1/organizations/org-nope/admin_api_keys', { name: 'x' });
    expect(noOrg).toMatchObject({ status: 404, body: { error: { code: 'resource_not_found', message: 'No such organization: org-nope.' } } });
  });
});

describe('admin_api_keys through the SDK', () => {
  it('create, retrieve, list with cursor paging, delete', async () => {
    const t = await h.tenant('paging');
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await t.org.adminAPIKeys.create({ name: `k${i}` }));
    expect(made[0]!.value).toMatch(/^sk-admin-/);
    expect(made[0]!.object).toBe('organization.admin_api_key');
    const all = [t.adminKeyId, ...made.map((k) => k.id)];

    const first = await t.org.adminAPIKeys.list({ limit: 2 });
    expect(first.data.map((k) => k.id)).toEqual(all.slice(0, 2));
    expect(first.has_more).toBe(true);
    const raw = await (await fetch(`${h.gw.baseURL}/organization/admin_api_keys?limit=2`, { headers: { authorization: `Bearer ${t.adminKey}` } })).json();
    expect(raw).toMatchObject({ object: 'list', first_id: all[0], last_id: all[1], has_more: true });

    const seen: string[] = [];
    for await (const k of t.org.adminAPIKeys.list({ limit: 2 })) seen.push(k.id);
    expect(seen).toEqual(all);
    const last = await t.org.adminAPIKeys.list({ limit: 2, after: all[3] });
    expect(last.data.map((k) => k.id)).toEqual([all[4]]);
    expect(last.has_more).toBe(false);
    const desc = await t.org.adminAPIKeys.list({ order: 'desc', limit: 10 });
    expect(desc.data.map((k) => k.id)).toEqual([...all].reverse());

    const del = await t.org.adminAPIKeys.delete(made[1]!.id);
    expect(del).toEqual({ object: 'organization.admin_api_key.deleted', id: made[1]!.id, deleted: true });
    const gone = await rejection(t.org.adminAPIKeys.retrieve(made[1]!.id));
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    expect(gone.error).toMatchObject({ code: 'resource_not_found', message: `No such admin API key: ${made[1]!.id}.` });
    expect(await rejection(t.org.adminAPIKeys.delete(made[1]!.id))).toBeInstanceOf(OpenAI.NotFoundError);

    // The deleted key is refused at its next request.
    const client = new OpenAI({ adminAPIKey: made[1]!.value, apiKey: null as unknown as string, baseURL: h.gw.baseURL, maxRetries: 0 });
    const refused = await rejection(client.admin.organization.adminAPIKeys.list());
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(refused.error.code).toBe('invalid_api_key');
  });

  it('records last use', async () => {
    const k = await h.a.org.adminAPIKeys.retrieve(h.a.adminKeyId);
    expect(k.last_used_at).toEqual(expect.any(Number));
  });

  it('bad input is a 400 naming the field', async () => {
    const e = await rejection(h.a.org.adminAPIKeys.create({ name: '' }));
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.error.param).toBe('name');
    const e2 = await rejection(h.a.org.adminAPIKeys.create({ name: 'x', expires_in_seconds: 0 }));
    expect(e2.error.param).toBe('expires_in_seconds');
    const e3 = await rejection(h.a.org.adminAPIKeys.list({ limit: 0 }));
    expect(e3).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e3.error.param).toBe('limit');
    const e4 = await rejection(h.a.org.adminAPIKeys.list({ after: 'key_nope' }));
    expect(e4).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e4.error.param).toBe('after');
  });

  it("one organization's admin key neither sees nor deletes another's keys", async () => {
    expect((await h.b.org.adminAPIKeys.list({ limit: 100 })).data.map((k) => k.id)).not.toContain(h.a.adminKeyId);
    expect(await rejection(h.b.org.adminAPIKeys.retrieve(h.a.adminKeyId))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(h.b.org.adminAPIKeys.delete(h.a.adminKeyId))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(h.b.org.adminAPIKeys.list({ after: h.a.adminKeyId }))).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await h.a.org.adminAPIKeys.retrieve(h.a.adminKeyId)).id).toBe(h.a.adminKeyId);
  });
});

describe('key separation', () => {
  it('an API key on /v1/organization/*: 401, missing the management scope', async () => {
    const client = new OpenAI({ adminAPIKey: h.a.apiKey, apiKey: null as unknown as string, baseURL: h.gw.baseURL, maxRetries: 0 });
    const e = await rejection(client.admin.organization.adminAPIKeys.list());
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(e.error).toEqual({
      message: "You have insufficient permissions for this operation. Missing scopes: api.management.read. Check that you have the correct role in your organization, and if you're using a restricted API key, that it has the necessary scopes.",
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    const w = await rejection(client.admin.organization.adminAPIKeys.create({ name: 'x' }));
    expect(w.error.message).toContain('Missing scopes: api.management.write.');
  });

  it('an admin key on /v1/chat/completions: 401, missing model.request', async () => {
    const client = new OpenAI({ apiKey: h.a.adminKey, baseURL: h.gw.baseURL, maxRetries: 0 });
    const e = await rejection(client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }));
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(e.error.message).toMatch(/^You have insufficient permissions for this operation\. Missing scopes: model\.request\. /);
    const unknown = await rejection(new OpenAI({ apiKey: `sk-admin-${'x'.repeat(43)}`, baseURL: h.gw.baseURL, maxRetries: 0 }).models.list());
    expect(unknown.error.code).toBe('invalid_api_key');
  });

  it('no key, a malformed key, the operator key: 401', async () => {
    const r = await fetch(`${h.gw.baseURL}/organization/admin_api_keys`);
    expect(r.status).toBe(401);
    expect((await r.json()).error.message).toMatch(/^You didn't provide an API key\./);
    for (const key of ['sk-admin-short', 'test-admin-key-0123456789abcdef0123']) {
      const x = await fetch(`${h.gw.baseURL}/organization/admin_api_keys`, { headers: { authorization: `Bearer ${key}` } });
      expect(x.status).toBe(401);
      expect((await x.json()).error.code).toBe('invalid_api_key');
    }
  });

  it("a key shaped like the operator's: OpenAI's 401 invalid_api_key, naming the key to use instead, whichever key it is", async () => {
    const masked = (k: string) => `${k.slice(0, 8)}${'*'.repeat(k.length - 12)}${k.slice(-4)}`;
    const [one, two] = [generateOperatorKey(), generateOperatorKey()];
    const refusal = async (key: string) => {
      const e = await rejection(new OpenAI({ adminAPIKey: key, apiKey: null as unknown as string, baseURL: h.gw.baseURL, maxRetries: 0 }).admin.organization.projects.list());
      expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
      expect([e.status, e.error.type, e.error.code, e.error.param]).toEqual([401, 'invalid_request_error', 'invalid_api_key', null]);
      expect(e.error.message).not.toContain(key);
      return e.error.message as string;
    };
    const message = await refusal(one);
    expect(message).toBe(
      `Incorrect API key provided: ${masked(one)}. This looks like the gateway operator's key (TOLLGATE_ADMIN_KEY), which opens only the operator API at /admin/v1. The Administration API takes an organization admin key (sk-admin-...): create one with \`npx tollgate orgs admin-key --name me\`.`,
    );
    // The hint comes from the key's shape alone: any such key is answered alike, checked or not.
    expect((await refusal(two)).replace(masked(two), masked(one))).toBe(message);

    const e = await rejection(new OpenAI({ apiKey: one, baseURL: h.gw.baseURL, maxRetries: 0 }).models.list());
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect([e.status, e.error.type, e.error.code]).toEqual([401, 'invalid_request_error', 'invalid_api_key']);
    expect(e.error.message).toBe(
      `Incorrect API key provided: ${masked(one)}. This looks like the gateway operator's key (TOLLGATE_ADMIN_KEY), which opens only the operator API at /admin/v1. This API takes an API key (sk-proj-..., TOLLGATE_API_KEY in the first-start credentials), which you can find at ${PUBLIC_URL}/api-keys.`,
    );
  });

  it('an OpenAI-Organization header naming another organization is refused', async () => {
    const r = await fetch(`${h.gw.baseURL}/organization/admin_api_keys`, { headers: { authorization: `Bearer ${h.a.adminKey}`, 'openai-organization': h.b.orgId } });
    expect(r.status).toBe(401);
    expect((await r.json()).error.code).toBe('mismatched_organization');
  });
});

describe('paths Tollgate does not serve', () => {
  it("answer OpenAI's 404, never a 500, and send no CORS grant", async () => {
    for (const [method, path] of [['GET', '/organization/certificates'], ['POST', '/organization/groups'], ['GET', '/organization/admin_api_keys/x/y'], ['GET', '/organization']] as const) {
      const r = await fetch(`${h.gw.baseURL}${path}`, { method, headers: { authorization: `Bearer ${h.a.adminKey}` } });
      expect(r.status, path).toBe(404);
      expect((await r.json()).error.message).toBe(`Invalid URL (${method} /v1${path})`);
    }
    const ok = await fetch(`${h.gw.baseURL}/organization/admin_api_keys`, { headers: { authorization: `Bearer ${h.a.adminKey}` } });
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the operator creates an organization with its first owner', () => {
  it('a new user becomes the owner; the admin key then acts for them', async () => {
    const email = `first-${Date.now()}@acme.test`;
    const r = await h.gw.admin('POST', '/admin/v1/organizations', { name: 'Acme', owner: { email, name: 'Ana' } });
    expect(r.status).toBe(200);
    expect(r.body.owner).toMatchObject({ object: 'user', email, name: 'Ana' });
    const k = await h.gw.admin('POST', `/admin/v1/organizations/${r.body.id}/admin_api_keys`, { name: 'ana' });
    expect(k.body.owner).toMatchObject({ id: r.body.owner.id, role: 'owner' });
    const org = new OpenAI({ adminAPIKey: k.body.value, apiKey: null as unknown as string, baseURL: h.gw.baseURL, maxRetries: 0 }).admin.organization;
    expect((await org.users.list()).data.map((u) => [u.email, u.role])).toEqual([[email, 'owner']]);
    const noName = await h.gw.admin('POST', '/admin/v1/organizations', { name: 'X', owner: { email: `new-${Date.now()}@acme.test` } });
    expect(noName).toMatchObject({ status: 400, body: { error: { param: 'owner.name' } } });
    const badEmail = await h.gw.admin('POST', '/admin/v1/organizations', { name: 'X', owner: { email: 'nope' } });
    expect(badEmail).toMatchObject({ status: 400, body: { error: { param: 'owner.email' } } });
  });
});

import { adminKeyDigest } from '../../src/admin/auth.js';
/** The admin API over real HTTP: every route's happy path, paging, and its 400/401/404/409 answers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAdminRoutes } from '../../src/admin/routes.js';
import { AuditRecorder } from '../../src/organization/audit.js';
import { Router } from '../../src/http/router.js';
import { fakeContext } from '../identity/fake-context.js';
import { startHarness, type Harness } from '../identity/harness.js';
import { ADMIN_KEY, admin, adminOk, newTenant } from '../support/admin.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** Expects an error answer and returns its `error` object. */
async function expectError(p: Promise<{ status: number; body: any }>, status: number, code: string | null): Promise<any> {
  const r = await p;
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(r.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  return r.body.error;
}

describe('admin authentication', () => {
  it('no key: 401 missing_admin_key', async () => {
    const e = await expectError(admin(h, 'GET', '/organizations', undefined, null), 401, null);
    expect(e.message).toMatch(/^You didn't provide an admin key\./);
  });

  it('a wrong key: 401 invalid_admin_key, masked', async () => {
    const wrong = 'adm-wrong-key-0123456789abcdef';
    const e = await expectError(admin(h, 'GET', '/organizations', undefined, wrong), 401, 'invalid_admin_key');
    expect(e.message).toBe(`Incorrect admin key provided: adm-wron${'*'.repeat(wrong.length - 12)}cdef. See http://tollgate.test/docs/errors#invalid_admin_key.`);
  });

  it("an API key or an organization admin key says what it looks like and that this API takes the operator's key", async () => {
    // They got only "Incorrect admin key provided", where the operator's key sent to /v1 says what it is.
    const t = await newTenant(h, { name: 'wrong-api' });
    // Refused by its shape, never checked: any sk-admin- key answers the same.
    const orgAdminKey = `sk-admin-${'A1b2'.repeat(10)}xyz`;
    const masked = (k: string) => `${k.slice(0, 8)}${'*'.repeat(k.length - 12)}${k.slice(-4)}`;
    const api = await expectError(admin(h, 'GET', '/organizations', undefined, t.apiKey), 401, 'invalid_admin_key');
    expect(api.message).toBe(
      `Incorrect admin key provided: ${masked(t.apiKey)}. This looks like an API key (sk-proj-...), which opens only the API at /v1. The operator API at /admin/v1 takes the gateway operator's key (TOLLGATE_ADMIN_KEY, tga-..., in the first-start credentials). See http://tollgate.test/docs/errors#api_key_for_operator_api.`,
    );
    const org = await expectError(admin(h, 'GET', '/organizations', undefined, orgAdminKey), 401, 'invalid_admin_key');
    expect(org.message).toBe(
      `Incorrect admin key provided: ${masked(orgAdminKey)}. This looks like an organization admin key (sk-admin-...), which opens only the Administration API at /v1/organization. The operator API at /admin/v1 takes the gateway operator's key (TOLLGATE_ADMIN_KEY, tga-..., in the first-start credentials). See http://tollgate.test/docs/errors#org_admin_key_for_operator_api.`,
    );
  });

  it('the admin key with a suffix or a prefix is still wrong', async () => {
    await expectError(admin(h, 'GET', '/organizations', undefined, ADMIN_KEY + 'x'), 401, 'invalid_admin_key');
    await expectError(admin(h, 'GET', '/organizations', undefined, ADMIN_KEY.slice(0, -1)), 401, 'invalid_admin_key');
  });

  it('with no admin key (neither configured nor generated), nothing opens the admin API', async () => {
    const requireAdmin = registerAdminRoutes(new Router(), { store: h.store, identity: h.identity, config: h.config, clock: h.clock, adminKeyDigest: null, audit: new AuditRecorder(h.store, h.clock) });
    await expect(requireAdmin(fakeContext({ authorization: `Bearer ${ADMIN_KEY}` }, '198.51.100.9'))).rejects.toThrow(expect.objectContaining({ entry: expect.objectContaining({ id: 'invalid_admin_key' }) }));
  });
});

describe('the admin-key check for other admin routes', () => {
  it('is returned by registerAdminRoutes and throws the same catalog errors', async () => {
    const router = new Router();
    const requireAdmin = registerAdminRoutes(router, { store: h.store, identity: h.identity, config: h.config, clock: h.clock, adminKeyDigest: adminKeyDigest(h.config.secrets.admin_key, undefined), audit: new AuditRecorder(h.store, h.clock) });
    await expect(requireAdmin(fakeContext({}, '198.51.100.7'))).rejects.toThrow(expect.objectContaining({ entry: expect.objectContaining({ id: 'missing_admin_key' }) }));
    await expect(requireAdmin(fakeContext({ authorization: 'Bearer nope' }, '198.51.100.7'))).rejects.toThrow(expect.objectContaining({ entry: expect.objectContaining({ id: 'invalid_admin_key' }) }));
    await expect(requireAdmin(fakeContext({ authorization: `Bearer ${ADMIN_KEY}` }, '198.51.100.7'))).resolves.toBeUndefined();
  });
});

describe('organizations', () => {
  it('create (default tier), get, update, delete', async () => {
    const org = await adminOk(h, 'POST', '/organizations', { name: '  Acme  ' });
    expect(org).toEqual({ object: 'organization', id: expect.stringMatching(/^org-/), name: 'Acme', tier: h.config.default_tier, created_at: Math.floor(h.clock.now() / 1000) });
    expect(await adminOk(h, 'GET', `/organizations/${org.id}`)).toEqual(org);
    const updated = await adminOk(h, 'PUT', `/organizations/${org.id}`, { tier: 'tier-2' });
    expect(updated).toMatchObject({ id: org.id, name: 'Acme', tier: 'tier-2' });
    expect(await adminOk(h, 'PUT', `/organizations/${org.id}`, { name: 'Acme Corp' })).toMatchObject({ name: 'Acme Corp', tier: 'tier-2' });
    expect(await adminOk(h, 'DELETE', `/organizations/${org.id}`)).toEqual({ object: 'organization.deleted', id: org.id, deleted: true });
    const e = await expectError(admin(h, 'GET', `/organizations/${org.id}`), 404, 'resource_not_found');
    expect(e.message).toBe(`No such organization: ${org.id}.`);
    await expectError(admin(h, 'DELETE', `/organizations/${org.id}`), 404, 'resource_not_found');
    await expectError(admin(h, 'PUT', `/organizations/${org.id}`, { name: 'x' }), 404, 'resource_not_found');
  });

  it('create with a tier; the tier must be configured', async () => {
    expect((await adminOk(h, 'POST', '/organizations', { name: 'T', tier: 'tier-3' })).tier).toBe('tier-3');
    const e = await expectError(admin(h, 'POST', '/organizations', { name: 'T', tier: 'gold' }), 400, 'invalid_value');
    expect(e.param).toBe('tier');
    expect(e.message).toMatch(/^Invalid value: 'gold'\. Supported values are: 'free', 'tier-1'/);
    const org = await adminOk(h, 'POST', '/organizations', { name: 'U' });
    await expectError(admin(h, 'PUT', `/organizations/${org.id}`, { tier: 'gold' }), 400, 'invalid_value');
  });

  it('bad bodies are 400s that name the parameter', async () => {
    expect((await expectError(admin(h, 'POST', '/organizations', {}), 400, 'missing_required_parameter')).message).toBe("Missing required parameter: 'name'.");
    expect((await expectError(admin(h, 'POST', '/organizations', { name: '   ' }), 400, 'missing_required_parameter')).param).toBe('name');
    const t = await expectError(admin(h, 'POST', '/organizations', { name: 42 }), 400, 'invalid_type');
    expect(t).toMatchObject({ param: 'name', message: "Invalid type for 'name': expected a string, but got an integer instead." });
    expect((await expectError(admin(h, 'POST', '/organizations', { name: 'x', tire: 'free' }), 400, null)).message).toBe('Unrecognized request argument supplied: tire');
    await expectError(admin(h, 'POST', '/organizations', '{"name":'), 400, null);
    await expectError(admin(h, 'POST', '/organizations', '[1]'), 400, 'invalid_type');
    await expectError(admin(h, 'POST', '/organizations', { name: 'x'.repeat(257) }), 400, 'string_above_max_length');
  });

  it('lists page with limit/after in OpenAI list shape', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      await h.clock.advance(1);
      ids.push((await adminOk(h, 'POST', '/organizations', { name: `page-${i}` })).id);
    }
    const all: string[] = [];
    let after = '';
    for (;;) {
      const page = await adminOk(h, 'GET', `/organizations?limit=2${after ? `&after=${after}` : ''}`);
      expect(page.object).toBe('list');
      expect(page.data.length).toBeLessThanOrEqual(2);
      expect(page.first_id).toBe(page.data[0]?.id ?? null);
      expect(page.last_id).toBe(page.data.at(-1)?.id ?? null);
      all.push(...page.data.map((o: { id: string }) => o.id));
      if (!page.has_more) break;
      after = page.last_id;
    }
    expect(all.slice(-5)).toEqual(ids);
    expect((await adminOk(h, 'GET', '/organizations')).data.length).toBe(Math.min(20, all.length));
  });

  it('paging parameters are checked', async () => {
    expect((await expectError(admin(h, 'GET', '/organizations?limit=0'), 400, 'integer_below_min_value')).param).toBe('limit');
    expect((await expectError(admin(h, 'GET', '/organizations?limit=101'), 400, 'integer_above_max_value')).param).toBe('limit');
    expect((await expectError(admin(h, 'GET', '/organizations?limit=ten'), 400, 'invalid_type')).param).toBe('limit');
    expect((await expectError(admin(h, 'GET', '/organizations?after=org-nope'), 404, 'resource_not_found')).param).toBe('after');
    await expectError(admin(h, 'GET', '/organizations?page=2'), 400, null);
  });
});

describe('users', () => {
  it('create, get, list; emails are unique regardless of case', async () => {
    const u = await adminOk(h, 'POST', '/users', { email: 'Bob@Example.com', name: 'Bob' });
    expect(u).toEqual({ object: 'user', id: expect.stringMatching(/^user-/), email: 'bob@example.com', name: 'Bob', created_at: expect.any(Number) });
    expect(await adminOk(h, 'GET', `/users/${u.id}`)).toEqual(u);
    const e = await expectError(admin(h, 'POST', '/users', { email: 'BOB@example.com', name: 'Bobby' }), 409, 'resource_conflict');
    expect(e.message).toBe("A user with email 'bob@example.com' already exists.");
    expect((await adminOk(h, 'GET', '/users?limit=100')).data.map((x: { id: string }) => x.id)).toContain(u.id);
    await expectError(admin(h, 'GET', '/users/user-nope'), 404, 'resource_not_found');
  });

  it('checks email and name', async () => {
    expect((await expectError(admin(h, 'POST', '/users', { email: 'not-an-email', name: 'x' }), 400, 'invalid_value')).param).toBe('email');
    expect((await expectError(admin(h, 'POST', '/users', { email: 'a@b.co' }), 400, 'missing_required_parameter')).param).toBe('name');
  });
});

describe('members', () => {
  it('add, list, remove; duplicates 409; unknown org/user/role', async () => {
    const org = await adminOk(h, 'POST', '/organizations', { name: 'Team' });
    const u1 = await adminOk(h, 'POST', '/users', { email: `one@${org.id}.test`, name: 'One' });
    const u2 = await adminOk(h, 'POST', '/users', { email: `two@${org.id}.test`, name: 'Two' });
    const m = await adminOk(h, 'POST', `/organizations/${org.id}/members`, { user_id: u1.id, role: 'owner' });
    expect(m).toEqual({ object: 'organization.user', id: u1.id, organization_id: org.id, email: u1.email, name: 'One', role: 'owner', added_at: expect.any(Number) });
    await h.clock.advance(1);
    await adminOk(h, 'POST', `/organizations/${org.id}/members`, { user_id: u2.id, role: 'reader' });
    await expectError(admin(h, 'POST', `/organizations/${org.id}/members`, { user_id: u1.id, role: 'reader' }), 409, 'resource_conflict');
    const roleErr = await expectError(admin(h, 'POST', `/organizations/${org.id}/members`, { user_id: u2.id, role: 'admin' }), 400, 'invalid_value');
    expect(roleErr.message).toBe("Invalid value: 'admin'. Supported values are: 'owner', 'reader'.");
    // OpenAI's organization roles only: `member` (which meant reader) is refused, not stored.
    expect((await expectError(admin(h, 'POST', `/organizations/${org.id}/members`, { user_id: u2.id, role: 'member' }), 400, 'invalid_value')).param).toBe('role');
    await expectError(admin(h, 'POST', `/organizations/org-nope/members`, { user_id: u1.id, role: 'owner' }), 404, 'resource_not_found');
    await expectError(admin(h, 'POST', `/organizations/${org.id}/members`, { user_id: 'user-nope', role: 'owner' }), 404, 'resource_not_found');

    const list = await adminOk(h, 'GET', `/organizations/${org.id}/members?limit=1`);
    expect(list.data.map((x: { id: string }) => x.id)).toEqual([u1.id]);
    expect(list.has_more).toBe(true);
    const next = await adminOk(h, 'GET', `/organizations/${org.id}/members?limit=1&after=${u1.id}`);
    expect(next.data.map((x: { id: string; role: string }) => [x.id, x.role])).toEqual([[u2.id, 'reader']]);
    expect(next.has_more).toBe(false);

    expect(await adminOk(h, 'DELETE', `/organizations/${org.id}/members/${u2.id}`)).toEqual({ object: 'organization.user.deleted', id: u2.id, deleted: true });
    await expectError(admin(h, 'DELETE', `/organizations/${org.id}/members/${u2.id}`), 404, 'resource_not_found');
    await expectError(admin(h, 'GET', `/organizations/org-nope/members`), 404, 'resource_not_found');
  });
});

describe('keys', () => {
  it('create shows the key once; get and list show the redacted form', async () => {
    const { orgId, userId, apiKey: key, keyId } = await newTenant(h);
    expect(key).toMatch(/^sk-proj-[A-Za-z0-9_-]{43}$/);
    const got = await adminOk(h, 'GET', `/keys/${keyId}`);
    expect(got).toEqual({
      object: 'organization.api_key',
      id: keyId,
      name: 'test key',
      redacted_value: `sk-...${key.slice(-4)}`,
      organization_id: orgId,
      project_id: (await h.store.projects.defaultOf(orgId))!.id,
      user_id: userId,
      permissions: 'all',
      scopes: [],
      status: 'active',
      created_at: expect.any(Number),
      expires_at: null,
      last_used_at: null,
      revoked_at: null,
    });
    const list = await adminOk(h, 'GET', `/keys?organization_id=${orgId}`);
    expect(list.data).toEqual([got]);
    expect((await adminOk(h, 'GET', `/keys?user_id=${userId}`)).data.map((k: { id: string }) => k.id)).toEqual([keyId]);
  });

  it('restricted keys need known scopes; scopes only with restricted; expiry in the future', async () => {
    const { orgId, userId } = await newTenant(h);
    const base = { organization_id: orgId, user_id: userId, name: 'r' };
    const k = await adminOk(h, 'POST', '/keys', { ...base, permissions: 'restricted', scopes: ['model.request'] });
    expect(k).toMatchObject({ permissions: 'restricted', scopes: ['model.request'] });
    expect((await expectError(admin(h, 'POST', '/keys', { ...base, permissions: 'restricted' }), 400, 'missing_required_parameter')).param).toBe('scopes');
    await expectError(admin(h, 'POST', '/keys', { ...base, permissions: 'restricted', scopes: [] }), 400, 'empty_array');
    const bad = await expectError(admin(h, 'POST', '/keys', { ...base, permissions: 'restricted', scopes: ['model.request', 'everything'] }), 400, 'invalid_value');
    expect(bad.param).toBe('scopes[1]');
    const combo = await expectError(admin(h, 'POST', '/keys', { ...base, scopes: ['model.request'] }), 400, 'invalid_value');
    expect(combo.message).toBe("The 'scopes' parameter is only allowed when 'permissions' is 'restricted'.");
    await expectError(admin(h, 'POST', '/keys', { ...base, permissions: 'root' }), 400, 'invalid_value');
    const now = Math.floor(h.clock.now() / 1000);
    expect((await expectError(admin(h, 'POST', '/keys', { ...base, expires_at: now }), 400, 'integer_below_min_value')).param).toBe('expires_at');
    expect((await adminOk(h, 'POST', '/keys', { ...base, expires_at: now + 3600 })).expires_at).toBe(now + 3600);
  });

  it("a key's user must be a member of the organization; both must exist", async () => {
    const { orgId } = await newTenant(h);
    const outsider = await adminOk(h, 'POST', '/users', { email: `outsider@${orgId}.test`, name: 'O' });
    const e = await expectError(admin(h, 'POST', '/keys', { organization_id: orgId, user_id: outsider.id, name: 'x' }), 409, 'resource_conflict');
    expect(e.message).toContain('is not a member of organization');
    await expectError(admin(h, 'POST', '/keys', { organization_id: 'org-nope', user_id: outsider.id, name: 'x' }), 404, 'resource_not_found');
    await expectError(admin(h, 'POST', '/keys', { organization_id: orgId, user_id: 'user-nope', name: 'x' }), 404, 'resource_not_found');
    await expectError(admin(h, 'POST', '/keys', { organization_id: orgId, user_id: outsider.id }), 400, 'missing_required_parameter');
  });

  it('revoke is idempotent; unknown keys are 404', async () => {
    const { keyId } = await newTenant(h);
    const r1 = await adminOk(h, 'POST', `/keys/${keyId}/revoke`);
    expect(r1).toMatchObject({ id: keyId, status: 'revoked', revoked_at: expect.any(Number) });
    await h.clock.advance(5000);
    expect(await adminOk(h, 'POST', `/keys/${keyId}/revoke`)).toEqual(r1);
    await expectError(admin(h, 'POST', '/keys/key_nope/revoke'), 404, 'resource_not_found');
    expect((await expectError(admin(h, 'GET', '/keys/key_nope'), 404, 'resource_not_found')).message).toBe('No such API key: key_nope.');
    await expectError(admin(h, 'GET', '/keys?organization_id=org-nope'), 404, 'resource_not_found');
  });
});

describe('model access', () => {
  it('get and set the allow-list; only configured models; null lifts it', async () => {
    const org = await adminOk(h, 'POST', '/organizations', { name: 'Models' });
    expect(await adminOk(h, 'GET', `/organizations/${org.id}/models`)).toEqual({ object: 'organization.models', organization_id: org.id, allowed: null });
    expect((await adminOk(h, 'PUT', `/organizations/${org.id}/models`, { allowed: ['sim-small'] })).allowed).toEqual(['sim-small']);
    expect((await adminOk(h, 'GET', `/organizations/${org.id}/models`)).allowed).toEqual(['sim-small']);
    expect((await expectError(admin(h, 'PUT', `/organizations/${org.id}/models`, { allowed: ['gpt-9'] }), 400, 'invalid_value')).param).toBe('allowed[0]');
    await expectError(admin(h, 'PUT', `/organizations/${org.id}/models`, {}), 400, 'missing_required_parameter');
    await expectError(admin(h, 'PUT', `/organizations/${org.id}/models`, { allowed: 'sim-small' }), 400, 'invalid_type');
    expect((await adminOk(h, 'PUT', `/organizations/${org.id}/models`, { allowed: null })).allowed).toBeNull();
    await expectError(admin(h, 'PUT', `/organizations/org-nope/models`, { allowed: null }), 404, 'resource_not_found');
  });
});

describe('rate limits', () => {
  it('lists effective limits per configured model; overrides replace field by field; omitted = tier', async () => {
    const org = await adminOk(h, 'POST', '/organizations', { name: 'Limits', tier: 'free' });
    const list = await adminOk(h, 'GET', `/organizations/${org.id}/rate_limits`);
    expect(list.data.map((x: { model: string }) => x.model)).toEqual(h.config.models.map((m) => m.name));
    expect(list.data[0]).toEqual({
      object: 'organization.rate_limit',
      id: 'rl-sim-small',
      model: 'sim-small',
      max_requests_per_1_minute: 60,
      max_tokens_per_1_minute: 40_000,
      max_requests_per_1_day: 1_000,
      max_tokens_per_1_day: 1_000_000,
      tier: 'free',
      overrides: {},
    });
    const set = await adminOk(h, 'PUT', `/organizations/${org.id}/rate_limits/sim-small`, { max_requests_per_1_minute: 5, max_tokens_per_1_day: null });
    expect(set).toMatchObject({ max_requests_per_1_minute: 5, max_tokens_per_1_minute: 40_000, max_tokens_per_1_day: null, overrides: { max_requests_per_1_minute: 5, max_tokens_per_1_day: null } });
    expect(await adminOk(h, 'GET', `/organizations/${org.id}/rate_limits/sim-small`)).toEqual(set);
    // A '*' override applies to every model without its own.
    await adminOk(h, 'PUT', `/organizations/${org.id}/rate_limits/*`, { max_requests_per_1_minute: 7 });
    expect((await adminOk(h, 'GET', `/organizations/${org.id}/rate_limits/sim-large`)).max_requests_per_1_minute).toBe(7);
    expect((await adminOk(h, 'GET', `/organizations/${org.id}/rate_limits/sim-small`)).max_requests_per_1_minute).toBe(5);
    // PUT replaces: what is omitted goes back to the tier.
    expect((await adminOk(h, 'PUT', `/organizations/${org.id}/rate_limits/sim-small`, {})).overrides).toEqual({});
    expect((await adminOk(h, 'GET', `/organizations/${org.id}/rate_limits/sim-small`)).max_requests_per_1_minute).toBe(7);
  });

  it('checks model, values and organization', async () => {
    const org = await adminOk(h, 'POST', '/organizations', { name: 'L2' });
    await expectError(admin(h, 'GET', `/organizations/${org.id}/rate_limits/gpt-9`), 404, 'resource_not_found');
    await expectError(admin(h, 'PUT', `/organizations/${org.id}/rate_limits/gpt-9`, {}), 404, 'resource_not_found');
    expect((await expectError(admin(h, 'PUT', `/organizations/${org.id}/rate_limits/sim-small`, { max_requests_per_1_minute: -1 }), 400, 'integer_below_min_value')).param).toBe('max_requests_per_1_minute');
    await expectError(admin(h, 'PUT', `/organizations/${org.id}/rate_limits/sim-small`, { max_tokens_per_1_minute: '10' }), 400, 'invalid_type');
    await expectError(admin(h, 'PUT', `/organizations/${org.id}/rate_limits/sim-small`, { max_tokens_per_1_minute: 1.5 }), 400, 'invalid_type');
    await expectError(admin(h, 'PUT', `/organizations/${org.id}/rate_limits/sim-small`, { rpm: 1 }), 400, null);
    await expectError(admin(h, 'GET', `/organizations/org-nope/rate_limits`), 404, 'resource_not_found');
  });
});

describe('caller mistakes are never 500', () => {
  it('garbage bodies on every writing route answer 4xx', async () => {
    const { orgId, keyId, userId } = await newTenant(h);
    const routes: [string, string][] = [
      ['POST', '/organizations'],
      ['PUT', `/organizations/${orgId}`],
      ['POST', '/users'],
      ['POST', `/organizations/${orgId}/members`],
      ['POST', '/keys'],
      ['PUT', `/organizations/${orgId}/models`],
      ['PUT', `/organizations/${orgId}/rate_limits/sim-small`],
    ];
    const bodies = ['', 'null', '"x"', '42', '[]', '{"name": null}', '{"name": {}}', '{"email": [], "name": true}', `{"user_id": "${userId}", "role": null}`, '{"allowed": [1]}', '{"organization_id": 1}', '{"expires_at": "soon"}', '{"max_requests_per_1_minute": 1e400}', '{"__proto__": {"x": 1}}'];
    const statuses: number[] = [];
    for (const [method, path] of routes) for (const body of bodies) statuses.push((await admin(h, method, path, body)).status);
    statuses.push((await admin(h, 'POST', `/keys/${encodeURIComponent(keyId + '%')}/revoke`)).status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s >= 400)).toBe(true);
  });
});

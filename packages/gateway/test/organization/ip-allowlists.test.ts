/**
 * IP allowlists through the Administration API (Tollgate's paths: OpenAI's has none):
 * organization, project and key lists, IPv4 and IPv6, checked from the address the trusted proxy
 * saw; an invalid block is a 400 naming `allowed_ips[i]` and changes nothing; changes are in the
 * audit log; another organization's admin key reaches none of it; a change made on one instance
 * refuses the next request on another (shared PostgreSQL and Redis).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { TEST_PG_URL, TEST_REDIS_URL } from '../support/services.js';
import { startOrgHarness, type OrgHarness, type Tenant } from './harness.js';

const SERVER = { host: '127.0.0.1', port: 0, public_url: 'http://gateway.test', shutdown_grace_ms: 2000, trust_proxy: true, trusted_proxy_hops: 1 };

/** An Administration API call with the tenant's admin key (the SDK has no method for these paths). */
async function call(baseURL: string, t: Pick<Tenant, 'adminKey'>, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${baseURL}/organization${path}`, {
    method,
    headers: { authorization: `Bearer ${t.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, body: await r.json() };
}

/** A chat request with `key` as if from `ip` (the trusted proxy's X-Forwarded-For): its status and error code. */
async function chatFrom(baseURL: string, key: string, ip: string): Promise<{ status: number; code?: string; message?: string }> {
  const r = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
  });
  const b = (await r.json()) as any;
  return { status: r.status, code: b.error?.code, message: b.error?.message };
}

describe('IP allowlists: the Administration API', () => {
  let h: OrgHarness;
  beforeAll(async () => {
    h = await startOrgHarness({ server: SERVER });
  });
  afterAll(() => h.close());
  const api = (t: Tenant, method: string, path: string, body?: unknown) => call(h.gw.baseURL, t, method, path, body);
  const from = (key: string, ip: string) => chatFrom(h.gw.baseURL, key, ip);

  it('organization list: empty allows all; IPv4 and IPv6 blocks allow only their addresses; DELETE allows all again', async () => {
    const t = await h.tenant('ip-org');
    expect(await api(t, 'GET', '/ip_allowlist')).toEqual({ status: 200, body: { object: 'organization.ip_allowlist', id: t.orgId, allowed_ips: [] } });
    expect((await from(t.apiKey, '198.51.100.7')).status).toBe(200);

    const set = await api(t, 'POST', '/ip_allowlist', { allowed_ips: ['203.0.113.0/24', ' 2001:db8::/32', '192.0.2.5', '203.0.113.0/24'] });
    expect(set).toEqual({ status: 200, body: { object: 'organization.ip_allowlist', id: t.orgId, allowed_ips: ['203.0.113.0/24', '2001:db8::/32', '192.0.2.5/32'] } });
    expect((await api(t, 'GET', '/ip_allowlist')).body.allowed_ips).toEqual(['203.0.113.0/24', '2001:db8::/32', '192.0.2.5/32']);

    const refused = await from(t.apiKey, '198.51.100.7');
    expect(refused).toMatchObject({ status: 401, code: 'ip_not_authorized' });
    expect(refused.message).toBe('IP not authorized: your request IP 198.51.100.7 does not match the configured IP allowlist for your organization.');
    expect((await from(t.apiKey, '203.0.113.250')).status).toBe(200);
    expect((await from(t.apiKey, '2001:db8:1::9')).status).toBe(200);
    expect((await from(t.apiKey, '192.0.2.5')).status).toBe(200);
    expect((await from(t.apiKey, '192.0.2.6')).status).toBe(401);
    expect((await from(t.apiKey, '2001:db9::1')).status).toBe(401);

    expect(await api(t, 'DELETE', '/ip_allowlist')).toEqual({ status: 200, body: { object: 'organization.ip_allowlist.deleted', id: t.orgId, deleted: true } });
    expect((await from(t.apiKey, '198.51.100.7')).status).toBe(200);

    const audit = await t.org.auditLogs.list({ event_types: ['ip_allowlist.updated', 'ip_allowlist.deleted'] });
    expect(audit.data.map((e) => [e.type, (e as any)[e.type]])).toEqual([
      ['ip_allowlist.deleted', { id: t.orgId, allowed_ips: ['203.0.113.0/24', '2001:db8::/32', '192.0.2.5/32'] }],
      ['ip_allowlist.updated', { id: t.orgId, allowed_ips: ['203.0.113.0/24', '2001:db8::/32', '192.0.2.5/32'] }],
    ]);
  });

  it('project and key lists bind their own keys only; every non-empty list must allow the address', async () => {
    const t = await h.tenant('ip-project');
    const def = (await t.org.projects.list()).data[0]!;
    const team = await t.org.projects.create({ name: 'team' });
    const sa = await t.org.projects.serviceAccounts.create(team.id, { name: 'bot' });
    const bot = sa.api_key!.value;

    expect(await api(t, 'POST', `/projects/${def.id}/ip_allowlist`, { allowed_ips: ['10.0.0.0/8'] })).toMatchObject({ status: 200, body: { object: 'project.ip_allowlist', id: def.id, allowed_ips: ['10.0.0.0/8'] } });
    expect(await from(t.apiKey, '11.0.0.1')).toMatchObject({ status: 401, code: 'ip_not_authorized' });
    expect((await from(t.apiKey, '11.0.0.1')).message).toContain('for your project.');
    expect((await from(t.apiKey, '10.1.2.3')).status).toBe(200);
    // The other project's key is not bound by it.
    expect((await from(bot, '11.0.0.1')).status).toBe(200);

    const keyPath = `/projects/${team.id}/api_keys/${sa.api_key!.id}/ip_allowlist`;
    expect(await api(t, 'POST', keyPath, { allowed_ips: ['fd00::/8', '11.0.0.0/8'] })).toMatchObject({ status: 200, body: { object: 'organization.project.api_key.ip_allowlist', id: sa.api_key!.id, allowed_ips: ['fd00::/8', '11.0.0.0/8'] } });
    expect((await from(bot, '11.0.0.1')).status).toBe(200);
    expect((await from(bot, 'fd12::1')).status).toBe(200);
    expect(await from(bot, '12.0.0.1')).toMatchObject({ status: 401, code: 'ip_not_authorized' });
    expect((await from(bot, '12.0.0.1')).message).toContain('for your API key.');

    // Organization and key lists both apply: the address must be on each.
    await api(t, 'POST', '/ip_allowlist', { allowed_ips: ['11.0.0.0/16'] });
    expect((await from(bot, '11.0.0.1')).status).toBe(200);
    expect((await from(bot, '11.1.0.1')).message).toContain('for your organization.');
    expect((await from(bot, 'fd12::1')).message).toContain('for your organization.');

    expect((await api(t, 'DELETE', keyPath)).body).toEqual({ object: 'organization.project.api_key.ip_allowlist.deleted', id: sa.api_key!.id, deleted: true });
    expect((await api(t, 'GET', keyPath)).body.allowed_ips).toEqual([]);
    const audit = await t.org.auditLogs.list({ project_ids: [team.id], event_types: ['ip_allowlist.updated', 'ip_allowlist.deleted'] });
    expect(audit.data.map((e) => e.type)).toEqual(['ip_allowlist.deleted', 'ip_allowlist.updated']);
  });

  it('bad input is a 400 naming the field, and the list stays as it was', async () => {
    const t = await h.tenant('ip-400');
    await api(t, 'POST', '/ip_allowlist', { allowed_ips: ['192.0.2.0/24'] });
    const cases: [unknown, string][] = [
      [{}, 'allowed_ips'],
      [{ allowed_ips: '192.0.2.0/24' }, 'allowed_ips'],
      [{ allowed_ips: ['192.0.2.0/24', '10.0.0.0/33'] }, 'allowed_ips[1]'],
      [{ allowed_ips: ['2001:db8::/129'] }, 'allowed_ips[0]'],
      [{ allowed_ips: ['example.com'] }, 'allowed_ips[0]'],
      [{ allowed_ips: ['10.0.0.0/8', 7] }, 'allowed_ips[1]'],
      [{ allowed_ips: ['10.0.0.0/8'], cidrs: [] }, null as unknown as string],
    ];
    for (const [body, param] of cases) {
      const r = await api(t, 'POST', '/ip_allowlist', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.type).toBe('invalid_request_error');
      if (param !== null) expect(r.body.error.param, JSON.stringify(body)).toBe(param);
    }
    expect((await api(t, 'GET', '/ip_allowlist')).body.allowed_ips).toEqual(['192.0.2.0/24']);
    expect((await api(t, 'POST', '/projects/proj_nope/ip_allowlist', { allowed_ips: [] })).status).toBe(404);
  });

  it("another organization's admin key can neither see nor change them", async () => {
    const def = (await h.a.org.projects.list()).data[0]!;
    const sa = await h.a.org.projects.serviceAccounts.create(def.id, { name: 'ip-cross' });
    const keyPath = `/projects/${def.id}/api_keys/${sa.api_key!.id}/ip_allowlist`;
    await api(h.a, 'POST', `/projects/${def.id}/ip_allowlist`, { allowed_ips: ['127.0.0.1', '::1', '203.0.113.0/24'] });
    await api(h.a, 'POST', keyPath, { allowed_ips: ['203.0.113.0/24'] });
    for (const path of [`/projects/${def.id}/ip_allowlist`, keyPath]) {
      for (const [method, body] of [['GET'], ['POST', { allowed_ips: [] }], ['DELETE']] as const) {
        const r = await api(h.b, method, path, body);
        expect(r.status, `${method} ${path}`).toBe(404);
        expect(r.body.error.code).toBe('resource_not_found');
      }
    }
    // B's own organization list is B's: A's requests are not bound by it.
    await api(h.b, 'POST', '/ip_allowlist', { allowed_ips: ['192.0.2.0/24'] });
    expect((await from(h.a.apiKey, '203.0.113.1')).status).toBe(200);
    expect((await api(h.a, 'GET', `/projects/${def.id}/ip_allowlist`)).body.allowed_ips).toEqual(['127.0.0.1/32', '::1/128', '203.0.113.0/24']);
    expect((await api(h.a, 'GET', keyPath)).body.allowed_ips).toEqual(['203.0.113.0/24']);
    expect((await api(h.a, 'GET', '/ip_allowlist')).body.allowed_ips).toEqual([]);
    await api(h.b, 'DELETE', '/ip_allowlist');
  });
});

describe('IP allowlists: effective at once on every instance', () => {
  const schema = `tg_ipal_${randomBytes(6).toString('hex')}`;
  const env = { TOLLGATE_SECRET: 'ip-allowlist-test-secret-0123456789abcdef' };
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const doc = { server: SERVER, database: { url: `${TEST_PG_URL}?schema=${schema}` }, redis: { url: TEST_REDIS_URL, key_prefix: `tg-ipal-${schema}:` }, auth: { cache_ttl_ms: 600_000 } };
    a = await startTestGateway(doc, { env });
    b = await startTestGateway(doc, { env });
  });
  afterAll(async () => {
    await sql`drop schema ${sql.id(schema)} cascade`.execute(a.gateway.services.store.db).catch(() => undefined);
    await b?.close();
    await a?.close();
  });

  it('a list set through instance A refuses the next request on instance B, whose key was cached', async () => {
    const k = await a.admin('POST', `/admin/v1/organizations/${a.orgId}/admin_api_keys`, { name: 'ip admin' });
    const admin = { adminKey: k.body.value as string };
    const sdk = new OpenAI({ adminAPIKey: admin.adminKey, apiKey: null as unknown as string, baseURL: a.baseURL, maxRetries: 0 }).admin.organization;
    const def = (await sdk.projects.list()).data[0]!;
    // B has the key cached as allowed from anywhere.
    expect((await chatFrom(b.baseURL, a.apiKey, '198.51.100.7')).status).toBe(200);

    await call(a.baseURL, admin, 'POST', '/ip_allowlist', { allowed_ips: ['203.0.113.0/24'] });
    expect(await chatFrom(b.baseURL, a.apiKey, '198.51.100.7')).toMatchObject({ status: 401, code: 'ip_not_authorized' });
    expect((await chatFrom(b.baseURL, a.apiKey, '203.0.113.7')).status).toBe(200);

    await call(a.baseURL, admin, 'POST', `/projects/${def.id}/ip_allowlist`, { allowed_ips: ['203.0.113.128/25'] });
    expect((await chatFrom(b.baseURL, a.apiKey, '203.0.113.7')).message).toContain('for your project.');

    await call(a.baseURL, admin, 'DELETE', '/ip_allowlist');
    await call(a.baseURL, admin, 'DELETE', `/projects/${def.id}/ip_allowlist`);
    expect((await chatFrom(b.baseURL, a.apiKey, '198.51.100.7')).status).toBe(200);
  });
});

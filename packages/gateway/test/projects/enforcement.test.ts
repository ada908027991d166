/**
 * Projects on the request path, in one gateway with memory counters: a project's limits sit
 * between the organization's and the key's and are reserved in the same atomic step; its spend
 * limit is hard under concurrency; archiving, model permissions, IP allowlists and the
 * OpenAI-Project header take effect at the next request.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setOwnSpendLimit } from '../../src/billing/org-limits.js';
import { billingDb } from '../../src/store/billing-tables.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const MODEL = { name: 'sim-small', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }, simulator: { max_concurrency: 1024, max_queue: 1024 } };
const OTHER = { ...MODEL, name: 'sim-other' };
/** Input at $100 per 1M tokens: a long prompt costs what its reservation says, whatever the simulator answers. */
const PRICEY = { ...MODEL, name: 'sim-pricey', pricing: { input_per_1m: 100, output_per_1m: 0.6 } };

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ models: [MODEL, OTHER, PRICEY], usage: { flush_interval_ms: 50 } });
});
afterAll(() => gw.close());

const body = { model: 'sim-small', messages: [{ role: 'user', content: 'Count me once' }], max_tokens: 3 };

async function chat(key: string, b: Record<string, unknown> = body, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(`${gw.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(b) });
  return { status: r.status, body: await r.json(), headers: r.headers };
}

const count = (statuses: number[]) => statuses.reduce<Record<number, number>>((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {});

/** A tenant whose Default project has the given changes, made in the store and announced as the admin API does. */
async function tenant(name: string) {
  const t = await gw.newTenant(name);
  const { store, identity } = gw.gateway.services;
  const project = (await store.projects.defaultOf(t.orgId))!;
  const changed = () => identity.invalidate({ kind: 'org', orgId: t.orgId });
  return { ...t, project, store, changed };
}

describe('layered rate limits', () => {
  it('500 concurrent requests against a project RPD of 100 under an organization RPD of 1,000 admit exactly 100', async () => {
    const t = await tenant('layers');
    expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_day: 1000 })).status).toBe(200);
    await t.store.rateLimits.setProjectLimit(t.project.id, 'sim-small', { max_requests_per_1_day: 100 });
    await t.changed();

    const replies = await Promise.all(Array.from({ length: 500 }, () => chat(t.apiKey)));
    expect(count(replies.map((r) => r.status))).toEqual({ 200: 100, 429: 400 });
    for (const r of replies.filter((x) => x.status === 429)) {
      expect(r.body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
      expect(r.body.error.message).toContain('on requests per day (RPD): Limit 100, Used 100, Requested 1.');
    }
    // The organization counted the same 100: 900 left for its other projects.
    const other = await t.store.projects.create(t.orgId, { name: 'other' });
    const key = await gw.admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: t.userId, name: 'other', project_id: other.id });
    expect(key.status).toBe(200);
    const next = await chat(key.body.key);
    expect(next.status).toBe(200);
    expect(next.headers.get('x-ratelimit-remaining-requests')).toBe('899');
  }, 180_000);
});

describe('project spend limit', () => {
  it('300 concurrent requests admit spend <= the limit; the refused carry project_spend_limit_exceeded and x-should-retry: false', async () => {
    const t = await tenant('spend');
    // About 1,000 prompt tokens at $100 per 1M: about $0.10 each, charged in full; room for about 10.
    const limitPico = 1_000_000_000_000n; // $1
    await t.store.projects.setSpendLimit(t.orgId, t.project.id, limitPico);
    await t.changed();
    const big = { model: 'sim-pricey', messages: [{ role: 'user', content: 'word '.repeat(1000) }], max_tokens: 3 };

    const replies = await Promise.all(Array.from({ length: 300 }, () => chat(t.apiKey, big)));
    const ok = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status !== 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.body.error).toMatchObject({ type: 'insufficient_quota', code: 'project_spend_limit_exceeded', param: null });
      expect(r.headers.get('x-should-retry')).toBe('false');
    }
    await gw.gateway.services.ledger.flush();
    const spent = await billingDb(t.store)
      .selectFrom('usage_events')
      .select((eb) => eb.fn.sum<string>('cost_pico').as('s'))
      .where('org_id', '=', t.orgId)
      .executeTakeFirst();
    expect(BigInt(spent?.s ?? 0)).toBeLessThanOrEqual(limitPico);
    expect(BigInt(spent?.s ?? 0)).toBeGreaterThan(0n);

    // The official SDK gets RateLimitError with the code, and does not retry it.
    const sdk = new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 2 });
    const err = await sdk.chat.completions.create(big as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('project_spend_limit_exceeded');
  }, 180_000);

  it("the operator's approved hard limit says insufficient_quota (OpenAI's code for a used-up quota)", async () => {
    const t = await tenant('org-spend');
    expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: 0.000001 })).status).toBe(200);
    const r = await chat(t.apiKey, { ...body, max_tokens: 1000 });
    expect(r.status).toBe(429);
    expect(r.body.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(r.headers.get('x-should-retry')).toBe('false');
  });

  it("the organization's own spend limit, below the approved one, says organization_spend_limit_exceeded", async () => {
    const t = await tenant('org-own-spend');
    expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: 100 })).status).toBe(200);
    expect(await setOwnSpendLimit(t.store, t.orgId, 1_000_000n)).toEqual({ set: true });
    await t.changed();
    const r = await chat(t.apiKey, { ...body, max_tokens: 1000 });
    expect(r.status).toBe(429);
    expect(r.body.error).toMatchObject({ type: 'insufficient_quota', code: 'organization_spend_limit_exceeded' });
    expect(r.headers.get('x-should-retry')).toBe('false');
  });
});

describe('project access', () => {
  it('archiving a project refuses its keys at the next request', async () => {
    const t = await tenant('archive');
    const p = await t.store.projects.create(t.orgId, { name: 'to archive' });
    const key = await gw.admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: t.userId, name: 'k', project_id: p.id });
    expect((await chat(key.body.key)).status).toBe(200);
    expect(await t.store.projects.archive(t.orgId, t.project.id)).toBe('default');
    await t.store.projects.archive(t.orgId, p.id);
    await t.changed();
    const r = await chat(key.body.key);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_api_key');
    expect((await chat(t.apiKey)).status).toBe(200);
  });

  it('model permissions: an allow list admits only its models, a deny list refuses its own, with OpenAI\'s 403', async () => {
    const t = await tenant('models');
    await t.store.projects.setModelPermissions(t.orgId, t.project.id, { mode: 'allow_list', modelIds: ['sim-other'] });
    await t.changed();
    const refused = await chat(t.apiKey);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ type: 'invalid_request_error', code: 'model_not_found', param: null, message: `Project \`${t.project.id}\` does not have access to model \`sim-small\`` });
    expect((await chat(t.apiKey, { ...body, model: 'sim-other' })).status).toBe(200);
    await t.store.projects.setModelPermissions(t.orgId, t.project.id, { mode: 'deny_list', modelIds: ['sim-other'] });
    await t.changed();
    expect((await chat(t.apiKey)).status).toBe(200);
    expect((await chat(t.apiKey, { ...body, model: 'sim-other' })).status).toBe(403);
  });

  it('IP allowlists of the organization, the project and the key must each allow the address; empty allows all', async () => {
    const t = await tenant('ip');
    const refused = async () => {
      const r = await chat(t.apiKey);
      expect(r.status).toBe(401);
      expect(r.body.error).toMatchObject({ type: 'invalid_request_error', code: 'ip_not_authorized' });
      return r.body.error.message as string;
    };
    await t.store.organizations.setIpAllowlist(t.orgId, ['10.0.0.0/8']);
    await t.changed();
    expect(await refused()).toMatch(/^IP not authorized: your request IP \S+ does not match the configured IP allowlist for your organization\.$/);
    await t.store.organizations.setIpAllowlist(t.orgId, ['10.0.0.0/8', '127.0.0.0/8', '::1/128']);
    await t.store.projects.setIpAllowlist(t.orgId, t.project.id, ['2001:db8::/32']);
    await t.changed();
    expect(await refused()).toContain('for your project.');
    await t.store.projects.setIpAllowlist(t.orgId, t.project.id, ['127.0.0.1', '::1']);
    await t.store.apiKeys.setIpAllowlist(t.keyId, ['192.168.0.0/16']);
    await t.changed();
    expect(await refused()).toContain('for your API key.');
    await t.store.apiKeys.setIpAllowlist(t.keyId, []);
    await t.changed();
    expect((await chat(t.apiKey)).status).toBe(200);
  });

  it('the OpenAI-Project header is checked like OpenAI-Organization and the answer names the project', async () => {
    const t = await tenant('header');
    const other = await gw.newTenant('header-other');
    const otherProject = (await t.store.projects.defaultOf(other.orgId))!;
    const same = await chat(t.apiKey, body, { 'openai-project': t.project.id });
    expect(same.status).toBe(200);
    expect(same.headers.get('openai-project')).toBe(t.project.id);
    const mismatched = await chat(t.apiKey, body, { 'openai-project': otherProject.id });
    expect(mismatched.status).toBe(401);
    expect(mismatched.body.error).toEqual({ type: 'invalid_request_error', code: 'mismatched_project', param: null, message: 'OpenAI-Project header should match project for API key' });
    const unknown = await chat(t.apiKey, body, { 'openai-project': 'proj_nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toMatchObject({ code: 'invalid_project', message: 'No such project: proj_nope.' });
  });

  it('a user key outside the Default project needs the user in the project (or an organization owner)', async () => {
    const t = await tenant('members');
    const p = await t.store.projects.create(t.orgId, { name: 'team' });
    const user = await gw.admin('POST', '/admin/v1/users', { email: `m-${Math.random().toString(36).slice(2)}@test.local`, name: 'M' });
    await gw.admin('POST', `/admin/v1/organizations/${t.orgId}/members`, { user_id: user.body.id, role: 'reader' });
    const key = await gw.admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: user.body.id, name: 'k', project_id: p.id });
    expect(key.status).toBe(200);
    expect((await chat(key.body.key)).status).toBe(401);
    await t.store.projectMembers.add(p.id, user.body.id, 'member');
    await t.changed();
    expect((await chat(key.body.key)).status).toBe(200);
    await t.store.projectMembers.remove(p.id, user.body.id);
    await t.changed();
    expect((await chat(key.body.key)).status).toBe(401);
  });
});

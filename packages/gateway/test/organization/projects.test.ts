/**
 * The project endpoints of the Administration API through the official SDK's admin client:
 * projects, service accounts (their key works on inference), project keys, rate limits (never
 * above the organization's), model permissions and spend limits; one organization cannot reach
 * another's projects.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId, randomBase62 } from '../../src/store/ids.js';
import { rejection, startOrgHarness, type OrgHarness } from './harness.js';

let h: OrgHarness;
beforeAll(async () => {
  h = await startOrgHarness();
});
afterAll(() => h.close());

const chat = (c: OpenAI, model = 'sim-small') => c.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });

describe('projects', () => {
  it('create, list with include_archived, retrieve, update, archive; the Default project cannot be archived', async () => {
    const { org } = h.a;
    const created = await org.projects.create({ name: 'Team X' });
    expect(created).toMatchObject({ object: 'organization.project', name: 'Team X', status: 'active', archived_at: null });
    expect(created.id).toMatch(/^proj_/);
    expect(await org.projects.retrieve(created.id)).toEqual(created);
    expect(await org.projects.update(created.id, { name: 'Team Y' })).toMatchObject({ id: created.id, name: 'Team Y' });

    const names = async (q: { include_archived?: boolean } = {}) => {
      const out: string[] = [];
      for await (const p of org.projects.list({ ...q, limit: 1 })) out.push(p.name!);
      return out;
    };
    expect(await names()).toEqual(['Default project', 'Team Y']);
    const archived = await org.projects.archive(created.id);
    expect(archived).toMatchObject({ status: 'archived' });
    expect(archived.archived_at).toEqual(expect.any(Number));
    expect(await names()).toEqual(['Default project']);
    expect(await names({ include_archived: true })).toEqual(['Default project', 'Team Y']);

    const def = (await org.projects.list()).data[0]!;
    expect(await rejection(org.projects.archive(def.id))).toMatchObject({ status: 409 });
    const other = await rejection(h.b.org.projects.retrieve(created.id));
    expect(other).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('a service account is created with its key once; the key works at once and stops when the account is deleted', async () => {
    const { org } = h.a;
    const p = await org.projects.create({ name: 'bots' });
    const sa = await org.projects.serviceAccounts.create(p.id, { name: 'ci-bot' });
    expect(sa).toMatchObject({ object: 'organization.project.service_account', name: 'ci-bot', role: 'member' });
    expect(sa.api_key?.value).toMatch(/^sk-svcacct-/);
    const bot = new OpenAI({ apiKey: sa.api_key!.value, baseURL: h.gw.baseURL, maxRetries: 0 });
    expect((await chat(bot)).choices.length).toBe(1);

    const keys = await org.projects.apiKeys.list(p.id);
    expect(keys.data).toHaveLength(1);
    expect(keys.data[0]).toMatchObject({ object: 'organization.project.api_key', id: sa.api_key!.id, owner: { type: 'service_account', service_account: { id: sa.id, name: 'ci-bot' } }, owner_project_access: 'active' });
    expect((await org.projects.serviceAccounts.list(p.id)).data.map((s) => s.id)).toEqual([sa.id]);

    expect(await org.projects.serviceAccounts.delete(sa.id, { project_id: p.id })).toEqual({ object: 'organization.project.service_account.deleted', id: sa.id, deleted: true });
    expect(await rejection(chat(bot))).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('rate limits: listed per model; a value above the organization\'s is a 400 naming the field; a lower one binds', async () => {
    const { org } = h.a;
    await h.gw.admin('PUT', `/admin/v1/organizations/${h.a.orgId}/rate_limits/sim-small`, { max_requests_per_1_minute: 50 });
    const def = (await org.projects.list()).data[0]!;
    const limits = await org.projects.rateLimits.listRateLimits(def.id);
    const small = limits.data.find((l) => l.model === 'sim-small')!;
    expect(small).toMatchObject({ object: 'project.rate_limit', id: 'rl-sim-small', max_requests_per_1_minute: 50 });

    const tooHigh = await rejection(org.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: def.id, max_requests_per_1_minute: 51 }));
    expect(tooHigh).toBeInstanceOf(OpenAI.BadRequestError);
    expect(tooHigh.param).toBe('max_requests_per_1_minute');

    const updated = await org.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: def.id, max_requests_per_1_minute: 1 });
    expect(updated).toMatchObject({ id: 'rl-sim-small', max_requests_per_1_minute: 1 });
    await chat(h.a.inference).catch(() => undefined);
    const limited = await rejection(chat(h.a.inference));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    await org.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: def.id, max_requests_per_1_minute: 50 });
  });

  it("rate limits: a null removes the project's own value, so the organization's applies again; the rows say which is which", async () => {
    const t = await h.tenant('rl-null');
    const { org } = t;
    await h.gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_minute: 50, max_tokens_per_1_minute: 40_000 });
    const def = (await org.projects.list()).data[0]!;
    const ORG = { max_requests_per_1_minute: 50, max_tokens_per_1_minute: 40_000, max_requests_per_1_day: null, max_tokens_per_1_day: null };
    const row = async () => (await org.projects.rateLimits.listRateLimits(def.id)).data.find((l) => l.model === 'sim-small')!;
    // Nothing set: every value is the organization's.
    expect(await row()).toMatchObject({ ...ORG, overridden_fields: [], organization_limits: ORG });

    const set = await org.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: def.id, max_requests_per_1_minute: 1, max_tokens_per_1_minute: 30_000 });
    expect(set).toMatchObject({ max_requests_per_1_minute: 1, max_tokens_per_1_minute: 30_000, overridden_fields: ['max_requests_per_1_minute', 'max_tokens_per_1_minute'], organization_limits: ORG });
    await chat(t.inference);
    expect(await rejection(chat(t.inference))).toBeInstanceOf(OpenAI.RateLimitError);

    // The SDK sends a null as null (its types say number; null is Tollgate's addition).
    const cleared = await org.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: def.id, max_requests_per_1_minute: null as unknown as number });
    expect(cleared).toMatchObject({ max_requests_per_1_minute: 50, max_tokens_per_1_minute: 30_000, overridden_fields: ['max_tokens_per_1_minute'] });
    expect(await row()).toMatchObject({ max_requests_per_1_minute: 50, max_tokens_per_1_minute: 30_000, overridden_fields: ['max_tokens_per_1_minute'] });
    // The project's 1 a minute is gone at once: the next requests pass.
    for (let i = 0; i < 3; i++) expect((await chat(t.inference)).choices).toHaveLength(1);

    // The last one removed (with a null for a field the project never set, which the organization
    // leaves unlimited): nothing of the project's is left.
    await org.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: def.id, max_tokens_per_1_minute: null as unknown as number, max_requests_per_1_day: null as unknown as number });
    expect(await row()).toMatchObject({ ...ORG, overridden_fields: [] });
    expect((await h.gw.gateway.services.store.rateLimits.projectLimits(def.id)).has('sim-small')).toBe(false);
    // A value may be set again, with a null for a field that is not kept (images a minute).
    expect(await org.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: def.id, max_images_per_1_minute: null as unknown as number, max_requests_per_1_day: 500 })).toMatchObject({
      max_requests_per_1_day: 500,
      overridden_fields: ['max_requests_per_1_day'],
    });
    // Recorded with the nulls asked for.
    const log = await org.auditLogs.list({ event_types: ['rate_limit.updated'] });
    expect(log.data.map((e) => (e as unknown as { 'rate_limit.updated': { changes_requested: unknown } })['rate_limit.updated'].changes_requested)).toContainEqual({ max_requests_per_1_minute: null });
    // A value that is neither a whole number nor null is still refused.
    const bad = await rejection(org.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: def.id, max_requests_per_1_minute: 'none' as unknown as number }));
    expect(bad).toMatchObject({ status: 400, code: 'invalid_type', param: 'max_requests_per_1_minute' });
  });

  it("an unknown parameter is refused as OpenAI's newer endpoints refuse it: unknown_parameter, its path in param", async () => {
    const { org } = h.a;
    const body = await rejection(org.projects.create({ name: 'x', bogus: 1 } as never));
    expect(body).toBeInstanceOf(OpenAI.BadRequestError);
    expect(body).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'unknown_parameter', param: 'bogus', message: "400 Unknown parameter: 'bogus'." });
    const def = (await org.projects.list()).data[0]!;
    const nested = await rejection(org.invites.create({ email: 'nested@example.com', role: 'reader', projects: [{ id: def.id, role: 'member', colour: 'red' }] } as never));
    expect(nested).toMatchObject({ status: 400, code: 'unknown_parameter', param: 'projects[0].colour', message: "400 Unknown parameter: 'projects[0].colour'." });
    const query = await rejection(org.projects.list({ limit: 5, sort: 'name' } as never));
    expect(query).toMatchObject({ status: 400, code: 'unknown_parameter', param: 'sort' });
  });

  it('model permissions and spend limits take effect at the next request', async () => {
    const t = await h.tenant('perms');
    const def = (await t.org.projects.list()).data[0]!;
    expect(await t.org.projects.modelPermissions.update(def.id, { mode: 'allow_list', model_ids: ['sim-large'] })).toEqual({ object: 'project.model_permissions', mode: 'allow_list', model_ids: ['sim-large'] });
    expect(await rejection(chat(t.inference))).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const bad = await rejection(t.org.projects.modelPermissions.update(def.id, { mode: 'allow_list', model_ids: ['gpt-9'] }));
    expect(bad).toMatchObject({ status: 400, param: 'model_ids[0]' });
    await t.org.projects.modelPermissions.delete(def.id);
    expect((await chat(t.inference)).choices.length).toBe(1);

    const limit = await t.org.projects.spendLimit.update(def.id, { threshold_amount: 1, currency: 'USD', interval: 'month' });
    expect(limit).toEqual({ object: 'project.spend_limit', threshold_amount: 1, currency: 'USD', interval: 'month', enforcement: { status: 'enforcing' } });
    const big = await rejection(t.inference.chat.completions.create({ model: 'sim-large', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4000 }));
    expect(big).toMatchObject({ status: 429, code: 'project_spend_limit_exceeded' });
    expect(await rejection(t.org.projects.spendLimit.update(def.id, { threshold_amount: 0, currency: 'USD', interval: 'month' }))).toMatchObject({ status: 400, param: 'threshold_amount' });
    await t.org.projects.spendLimit.delete(def.id);

    await t.org.spendLimit.update({ threshold_amount: 1, currency: 'USD', interval: 'month' });
    expect(await t.org.spendLimit.retrieve()).toMatchObject({ object: 'organization.spend_limit', threshold_amount: 1 });
    const org = await rejection(t.inference.chat.completions.create({ model: 'sim-large', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4000 }));
    expect(org).toMatchObject({ status: 429, code: 'organization_spend_limit_exceeded' });
    expect(await t.org.spendLimit.delete()).toEqual({ object: 'organization.spend_limit.deleted', deleted: true });

    const audit = await t.org.auditLogs.list({ limit: 100 });
    const types = audit.data.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['project.updated', 'organization.updated']));
  });
});

describe('service accounts: update, and further keys', () => {
  it('update renames the account and changes its role; retrieve, list and its keys show it; audited as service_account.updated', async () => {
    const t = await h.tenant('sa-update');
    const p = await t.org.projects.create({ name: 'bots' });
    const sa = await t.org.projects.serviceAccounts.create(p.id, { name: 'ci-bot' });
    const sas = t.org.projects.serviceAccounts;
    const renamed = await sas.update(sa.id, { project_id: p.id, name: 'deploy-bot' });
    expect(renamed).toEqual({ object: 'organization.project.service_account', id: sa.id, name: 'deploy-bot', role: 'member', created_at: sa.created_at });
    const owner = await sas.update(sa.id, { project_id: p.id, role: 'owner' });
    expect(owner).toMatchObject({ name: 'deploy-bot', role: 'owner' });
    expect(await sas.retrieve(sa.id, { project_id: p.id })).toEqual(owner);
    expect((await sas.list(p.id)).data).toEqual([owner]);
    // Nothing to change: the account as it is, and no entry.
    expect(await sas.update(sa.id, { project_id: p.id })).toEqual(owner);
    expect((await t.org.projects.apiKeys.list(p.id)).data[0]!.owner).toEqual({ type: 'service_account', service_account: { id: sa.id, name: 'deploy-bot', created_at: sa.created_at, role: 'owner' } });

    const audit = (await t.org.auditLogs.list({ event_types: ['service_account.updated'], resource_ids: [sa.id] })).data;
    expect(audit.map((e) => (e as any)['service_account.updated'])).toEqual([
      { id: sa.id, changes_requested: { role: 'owner' } },
      { id: sa.id, changes_requested: { name: 'deploy-bot' } },
    ]);
    expect(audit[0]).toMatchObject({ project: { id: p.id }, actor: { type: 'api_key', api_key: { id: t.adminKeyId } } });
  });

  it('apiKeys.create: a further key, shown once, works at once, is listed with the account as owner, and stops when the account is deleted', async () => {
    const t = await h.tenant('sa-keys');
    const p = await t.org.projects.create({ name: 'bots' });
    const sa = await t.org.projects.serviceAccounts.create(p.id, { name: 'ci-bot', create_service_account_only: true });
    const key = await t.org.projects.serviceAccounts.apiKeys.create(sa.id, { project_id: p.id, name: 'deploy' });
    expect(key).toEqual({ object: 'organization.project.service_account.api_key', id: expect.stringMatching(/^key_/), name: 'deploy', created_at: expect.any(Number), value: expect.stringMatching(/^sk-svcacct-/) });
    const unnamed = await t.org.projects.serviceAccounts.apiKeys.create(sa.id, { project_id: p.id });
    expect(unnamed.name).toBe('Secret Key');

    const bot = new OpenAI({ apiKey: key.value, baseURL: h.gw.baseURL, maxRetries: 0 });
    expect((await chat(bot)).choices.length).toBe(1);
    const listed = await t.org.projects.apiKeys.list(p.id);
    expect(listed.data.map((k) => k.id).sort()).toEqual([key.id, unnamed.id].sort());
    const shown = await t.org.projects.apiKeys.retrieve(key.id, { project_id: p.id });
    expect(shown).toMatchObject({ name: 'deploy', owner: { type: 'service_account', service_account: { id: sa.id, name: 'ci-bot' } }, owner_project_access: 'active' });
    expect(shown.redacted_value).not.toContain(key.value.slice(12, -4));

    const created = (await t.org.auditLogs.list({ event_types: ['api_key.created'], resource_ids: [key.id] })).data;
    expect(created.map((e) => (e as any)['api_key.created'])).toEqual([{ id: key.id, data: { scopes: [], name: 'deploy', permissions: 'all', service_account_id: sa.id } }]);

    await t.org.projects.serviceAccounts.delete(sa.id, { project_id: p.id });
    expect(await rejection(chat(bot))).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(await rejection(t.org.projects.apiKeys.retrieve(key.id, { project_id: p.id }))).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('apiKeys.create with scopes: a key restricted to them (deduplicated); an empty list or an unknown scope is a 400 naming it', async () => {
    const t = await h.tenant('sa-scopes');
    const def = (await t.org.projects.list()).data[0]!;
    const sa = await t.org.projects.serviceAccounts.create(def.id, { name: 'reader-bot', create_service_account_only: true });
    const create = (scopes: string[]) => t.org.projects.serviceAccounts.apiKeys.create(sa.id, { project_id: def.id, name: 'scoped', scopes });
    const readOnly = await create(['api.model.read', 'api.model.read']);
    const reads = new OpenAI({ apiKey: readOnly.value, baseURL: h.gw.baseURL, maxRetries: 0 });
    expect((await reads.models.list()).data.length).toBeGreaterThan(0);
    expect(await rejection(chat(reads))).toMatchObject({ status: 401, message: expect.stringContaining('Missing scopes: model.request') });
    const audit = (await t.org.auditLogs.list({ event_types: ['api_key.created'], resource_ids: [readOnly.id] })).data[0] as any;
    expect(audit['api_key.created'].data).toMatchObject({ scopes: ['api.model.read'], permissions: 'restricted' });
    const requests = new OpenAI({ apiKey: (await create(['model.request'])).value, baseURL: h.gw.baseURL, maxRetries: 0 });
    expect((await chat(requests)).choices.length).toBe(1);

    expect(await rejection(create([]))).toMatchObject({ status: 400, code: 'empty_array', param: 'scopes' });
    expect(await rejection(create(['model.request', 'api.everything']))).toMatchObject({ status: 400, code: 'invalid_value', param: 'scopes[1]' });
  });

  it('a bad name, role or scopes is a 400 naming it; nothing changes', async () => {
    const t = await h.tenant('sa-bad');
    const def = (await t.org.projects.list()).data[0]!;
    const sa = await t.org.projects.serviceAccounts.create(def.id, { name: 'bot', create_service_account_only: true });
    const update = (body: object) => rejection(t.org.projects.serviceAccounts.update(sa.id, { project_id: def.id, ...body }));
    expect(await update({ role: 'admin' })).toMatchObject({ status: 400, code: 'invalid_value', param: 'role' });
    expect(await update({ name: '' })).toMatchObject({ status: 400, param: 'name' });
    expect(await update({ name: 7 })).toMatchObject({ status: 400, param: 'name' });
    expect(await update({ nickname: 'x' })).toMatchObject({ status: 400, code: 'unknown_parameter', param: 'nickname' });
    const key = (body: object) => rejection(t.org.projects.serviceAccounts.apiKeys.create(sa.id, { project_id: def.id, ...body }));
    expect(await key({ name: '' })).toMatchObject({ status: 400, param: 'name' });
    expect(await key({ scopes: 'model.request' })).toMatchObject({ status: 400, param: 'scopes' });
    expect(await key({ scopes: [1] })).toMatchObject({ status: 400, param: 'scopes[0]' });
    expect(await key({ permissions: 'all' })).toMatchObject({ status: 400, code: 'unknown_parameter', param: 'permissions' });
    expect(await t.org.projects.serviceAccounts.retrieve(sa.id, { project_id: def.id })).toMatchObject({ name: 'bot', role: 'none' });
    expect((await t.org.projects.apiKeys.list(def.id)).data.filter((k) => k.owner?.type === 'service_account')).toEqual([]);
  });

  it("create_service_account_only: role none (the SDK's ServiceAccountCreateResponse), kept until an update gives one; its keys work", async () => {
    const t = await h.tenant('sa-role-none');
    const p = await t.org.projects.create({ name: 'roles' });
    const alone = await t.org.projects.serviceAccounts.create(p.id, { name: 'alone', create_service_account_only: true });
    expect(alone).toEqual({ object: 'organization.project.service_account', id: alone.id, name: 'alone', role: 'none', created_at: expect.any(Number), api_key: null });
    const keyed = await t.org.projects.serviceAccounts.create(p.id, { name: 'keyed' });
    expect(keyed.role).toBe('member');
    expect(await t.org.projects.serviceAccounts.retrieve(alone.id, { project_id: p.id })).toMatchObject({ role: 'none' });
    expect((await t.org.projects.serviceAccounts.list(p.id)).data.map((s) => [s.name, s.role]).sort()).toEqual([['alone', 'none'], ['keyed', 'member']]);
    const audit = (await t.org.auditLogs.list({ event_types: ['service_account.created'], resource_ids: [alone.id] })).data[0] as any;
    expect(audit['service_account.created']).toEqual({ id: alone.id, data: { role: 'none' } });

    // A key made afterwards names the account with its role, and works as the account's keys do.
    const key = await t.org.projects.serviceAccounts.apiKeys.create(alone.id, { project_id: p.id, name: 'later' });
    expect((await t.org.projects.apiKeys.retrieve(key.id, { project_id: p.id })).owner).toMatchObject({ type: 'service_account', service_account: { id: alone.id, role: 'none' } });
    expect((await chat(new OpenAI({ apiKey: key.value, baseURL: h.gw.baseURL, maxRetries: 0 }))).choices.length).toBe(1);
    // `none` is not a role an update gives (the SDK's update takes member or owner).
    expect(await rejection(t.org.projects.serviceAccounts.update(alone.id, { project_id: p.id, role: 'none' as 'member' }))).toMatchObject({ status: 400, code: 'invalid_value', param: 'role' });
    expect(await t.org.projects.serviceAccounts.update(alone.id, { project_id: p.id, role: 'member' })).toMatchObject({ role: 'member' });
  });

  it("a deleted account, an archived project, another organization's ids: the other routes' 404 and 400; only an admin key may call", async () => {
    const t = await h.tenant('sa-reach');
    const p = await t.org.projects.create({ name: 'soon archived' });
    const sa = await t.org.projects.serviceAccounts.create(p.id, { name: 'bot', create_service_account_only: true });
    const gone = await t.org.projects.serviceAccounts.create(p.id, { name: 'gone', create_service_account_only: true });
    await t.org.projects.serviceAccounts.delete(gone.id, { project_id: p.id });
    const calls = (org: typeof t.org, projectId: string, id: string) => [
      org.projects.serviceAccounts.update(id, { project_id: projectId, name: 'x' }),
      org.projects.serviceAccounts.apiKeys.create(id, { project_id: projectId, name: 'x' }),
    ];
    for (const e of await Promise.all(calls(t.org, p.id, gone.id).map(rejection))) {
      expect(e).toMatchObject({ status: 404, code: 'resource_not_found', message: expect.stringContaining(gone.id) });
    }
    for (const e of await Promise.all(calls(t.org, p.id, 'svc_acct_nope').map(rejection))) expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    // Another organization: neither its project nor, through its own project, the account.
    const otherDefault = (await h.b.org.projects.list()).data[0]!;
    for (const e of await Promise.all([...calls(h.b.org, p.id, sa.id), ...calls(h.b.org, otherDefault.id, sa.id)].map(rejection))) {
      expect(e).toMatchObject({ status: 404, code: 'resource_not_found' });
    }
    // An API key is not an admin key: refused as serviceAccounts.create refuses it.
    const asKey = new OpenAI({ adminAPIKey: t.apiKey, apiKey: null as unknown as string, baseURL: h.gw.baseURL, maxRetries: 0 }).admin.organization;
    const refusedCreate = await rejection(asKey.projects.serviceAccounts.create(p.id, { name: 'x' }));
    for (const e of await Promise.all(calls(asKey, p.id, sa.id).map(rejection))) expect({ status: e.status, code: e.code }).toEqual({ status: refusedCreate.status, code: refusedCreate.code });

    await t.org.projects.archive(p.id);
    const archived = await rejection(t.org.projects.serviceAccounts.apiKeys.create(sa.id, { project_id: p.id, name: 'late' }));
    expect(archived).toMatchObject({ status: 400, code: 'project_archived' });
    expect(await rejection(t.org.projects.serviceAccounts.create(p.id, { name: 'late' }))).toMatchObject({ status: 400, code: 'project_archived' });
    expect((await t.org.projects.apiKeys.list(p.id)).data).toEqual([]);
  });
});

describe("Tollgate's ?optional=true on a GET (the console's reads of what may not exist)", () => {
  /** GET `path` (under /v1/organization) with `key`: status, headers and the body's text. */
  const get = async (path: string, key = h.a.adminKey) => {
    const r = await fetch(`${h.gw.baseURL}/organization${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: r.status, headers: r.headers, text: await r.text() };
  };

  it('answers 204 with no body where the plain read is 404 resource_not_found; without it, or false, the 404 as before', async () => {
    const t = await h.tenant('optional');
    const def = (await t.org.projects.list()).data[0]!;
    const key = await h.gw.admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: t.userId, name: 'soon revoked' });
    expect((await h.gw.admin('POST', `/admin/v1/keys/${key.body.id}/revoke`)).status).toBe(200);
    const missing = [
      '/spend_limit', // none set for the organization
      `/projects/${def.id}/spend_limit`, // nor for the project
      `/projects/${def.id}/api_keys/${key.body.id}`, // revoked
      `/requests/req_${'0'.repeat(32)}`, // no such request
    ];
    for (const path of missing) {
      for (const plain of [path, `${path}?optional=false`]) {
        const r = await get(plain, t.adminKey);
        expect(r.status, plain).toBe(404);
        expect(JSON.parse(r.text).error, plain).toMatchObject({ code: 'resource_not_found', type: 'invalid_request_error' });
      }
      const r = await get(`${path}?optional=true`, t.adminKey);
      expect(r.status, path).toBe(204);
      expect(r.text, path).toBe('');
      expect(r.headers.get('content-type'), path).toBeNull();
      expect(r.headers.get('x-request-id'), path).toMatch(/^req_/);
    }

    // What is there reads the same either way.
    await t.org.spendLimit.update({ threshold_amount: 500, currency: 'USD', interval: 'month' });
    const set = await get('/spend_limit?optional=true', t.adminKey);
    expect(set.status).toBe(200);
    expect(JSON.parse(set.text)).toEqual(JSON.parse((await get('/spend_limit', t.adminKey)).text));
    // Accepted by the lists too (their unknown names are refused), where it changes nothing.
    const list = await get('/projects?optional=true', t.adminKey);
    expect(list.status).toBe(200);
    expect(JSON.parse(list.text)).toMatchObject({ object: 'list', data: [{ id: def.id }] });
  });

  it('keeps every other answer: a path Tollgate does not serve, a bad value, no key, another organization\'s request', async () => {
    const unserved = await get('/no_such_thing?optional=true');
    expect(unserved.status).toBe(404);
    expect(JSON.parse(unserved.text).error.message).toBe('Invalid URL (GET /v1/organization/no_such_thing)');
    const bad = await get('/spend_limit?optional=yes');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatchObject({ code: 'invalid_value', param: 'optional' });
    const nokey = await get('/spend_limit?optional=true', 'sk-admin-not-a-key');
    expect(nokey.status).toBe(401);
    // Another organization's request is no request of this one: the same 204 as one never made.
    const made = await h.b.inference.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }).withResponse();
    await h.gw.gateway.services.ledger.flush();
    const id = made.response.headers.get('x-request-id')!;
    expect((await get(`/requests/${id}?optional=true`, h.b.adminKey)).status).toBe(200);
    expect((await get(`/requests/${id}?optional=true`, h.a.adminKey)).status).toBe(204);
  });
});

describe('projects: changes seen at once', () => {
  it('a project id asked about before the project existed is known the moment the project is created', async () => {
    const t = await h.tenant('exists-cache');
    const id = `proj_${randomBase62(24)}`;
    const naming = (apiKey: string) => new OpenAI({ apiKey, baseURL: h.gw.baseURL, maxRetries: 0, project: id });
    // Asked before it exists: no such project (and the gateway remembers that).
    const before = await rejection(chat(naming(t.apiKey)));
    expect(before).toMatchObject({ status: 401, code: 'invalid_project' });

    const spy = vi.spyOn(newId, 'project').mockReturnValueOnce(id);
    try {
      expect((await t.org.projects.create({ name: 'named early' })).id).toBe(id);
    } finally {
      spy.mockRestore();
    }
    // The key of another project now hears that the project exists but is not its own…
    expect(await rejection(chat(naming(t.apiKey)))).toMatchObject({ status: 401, code: 'mismatched_project' });
    // …and a key of the new project naming it is served.
    const sa = await t.org.projects.serviceAccounts.create(id, { name: 'early-bot' });
    expect((await chat(naming(sa.api_key!.value))).choices.length).toBe(1);
  });

  it('concurrent rate-limit updates of different fields all stick (PostgreSQL, where requests interleave in the database)', async () => {
    const pg = await startOrgHarness({}, { database: 'postgres' });
    try {
      const def = (await pg.a.org.projects.list()).data[0]!;
      const rl = pg.a.org.projects.rateLimits;
      for (let round = 1; round <= 10; round++) {
        await Promise.all([
          rl.updateRateLimit('rl-sim-small', { project_id: def.id, max_requests_per_1_minute: 100 + round }),
          rl.updateRateLimit('rl-sim-small', { project_id: def.id, max_tokens_per_1_minute: 10_000 + round }),
          rl.updateRateLimit('rl-sim-small', { project_id: def.id, max_requests_per_1_day: 5_000 + round }),
        ]);
        const small = (await rl.listRateLimits(def.id)).data.find((l) => l.model === 'sim-small')!;
        expect(small, `round ${round}`).toMatchObject({ max_requests_per_1_minute: 100 + round, max_tokens_per_1_minute: 10_000 + round, max_requests_per_1_day: 5_000 + round });
      }
    } finally {
      await pg.close();
    }
  });
});

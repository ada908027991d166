/**
 * Every create and update method of the official SDK's admin client (`client.admin.organization`,
 * openai 6.49), called with every parameter its types declare, nulls included where they allow
 * them. The Administration API refuses a name it does not know (`unknown_parameter`), so none the
 * SDK sends may be unknown to it: each call Tollgate serves succeeds, and each it does not serve is
 * OpenAI's 404 for a path (`Invalid URL`, or 405 for a method), never a refusal of a parameter. The list of methods is
 * read from the SDK itself, so a method added by a newer SDK fails here until it is listed.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startOrgHarness, type OrgHarness, type Tenant } from './harness.js';

let h: OrgHarness;
beforeAll(async () => {
  h = await startOrgHarness();
});
afterAll(() => h.close());

type Admin = Tenant['org'];

/** `resource.path.method` of every method named create… or update… under `client.admin.organization`. */
function createAndUpdateMethods(org: Admin): string[] {
  const out: string[] = [];
  const walk = (resource: object, path: string) => {
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(resource))) if (/^(create|update)/.test(name)) out.push(`${path}${name}`);
    for (const [key, value] of Object.entries(resource)) if (key !== '_client' && value !== null && typeof value === 'object') walk(value as object, `${path}${key}.`);
  };
  walk(org, '');
  return out.sort();
}

const channel = (subject_prefix: string | null) => ({ type: 'email' as const, recipients: ['ops@example.com'], subject_prefix });
const alert = (threshold_amount: number, subject_prefix: string | null) => ({ threshold_amount, currency: 'USD' as const, interval: 'month' as const, notification_channel: channel(subject_prefix) });

/**
 * The calls Tollgate serves, each with the SDK's whole parameter set, and what the answer keeps.
 * `geography`, the image, audio and batch limits, and a user's `developer_persona` and
 * `technical_level` are checked and not kept.
 */
const SERVED: Record<string, (t: Tenant, projectId: string) => Promise<void>> = {
  'adminAPIKeys.create': async ({ org }) => {
    const key = await org.adminAPIKeys.create({ name: 'ci', expires_in_seconds: 3600 });
    expect(key).toMatchObject({ name: 'ci', value: expect.stringMatching(/^sk-admin-/) });
    expect(key.expires_at).toBe(key.created_at + 3600);
  },
  'invites.create': async ({ org }, projectId) => {
    const invite = await org.invites.create({ email: 'invitee@example.com', role: 'reader', projects: [{ id: projectId, role: 'member' }] });
    expect(invite).toMatchObject({ email: 'invitee@example.com', role: 'reader', projects: [{ id: projectId, role: 'member' }] });
  },
  'users.update': async ({ org, userId }) => {
    const full = await org.users.update(userId, { role: 'owner', role_id: null, developer_persona: 'builder', technical_level: 'expert' });
    expect(full).toMatchObject({ id: userId, role: 'owner' });
    // Every field is optional and nullable: nothing to change answers the user as it is.
    expect(await org.users.update(userId, { role: null, role_id: null, developer_persona: null, technical_level: null })).toEqual(full);
    expect(await org.users.update(userId, {})).toEqual(full);
    // A role id names a custom role, and Tollgate has none: the id is what is refused, never the parameter.
    expect(await rejection(org.users.update(userId, { role_id: 'role_abc' }))).toMatchObject({ status: 404, code: 'resource_not_found', param: 'role_id', message: '404 No such role: role_abc.' });
  },
  'spendLimit.update': async ({ org }) => {
    expect(await org.spendLimit.update({ threshold_amount: 900_000, currency: 'USD', interval: 'month' })).toMatchObject({ object: 'organization.spend_limit', threshold_amount: 900_000 });
  },
  'spendAlerts.create': async ({ org }) => {
    expect(await org.spendAlerts.create(alert(1000, '[acme]'))).toMatchObject({ threshold_amount: 1000, notification_channel: { subject_prefix: '[acme]' } });
    expect(await org.spendAlerts.create(alert(2000, null))).toMatchObject({ threshold_amount: 2000, notification_channel: { subject_prefix: null } });
  },
  'spendAlerts.update': async ({ org }) => {
    const a = await org.spendAlerts.create(alert(3000, null));
    expect(await org.spendAlerts.update(a.id, alert(4000, '[ops]'))).toMatchObject({ id: a.id, threshold_amount: 4000, notification_channel: { subject_prefix: '[ops]' } });
  },
  'projects.create': async ({ org }) => {
    expect(await org.projects.create({ name: 'Full', external_key_id: 'kms-1', geography: 'US' })).toMatchObject({ name: 'Full', external_key_id: 'kms-1' });
    expect(await org.projects.create({ name: 'Nulls', external_key_id: null, geography: null })).toMatchObject({ name: 'Nulls', external_key_id: null });
  },
  'projects.update': async ({ org }) => {
    const p = await org.projects.create({ name: 'Before' });
    expect(await org.projects.update(p.id, { name: 'After', external_key_id: 'kms-2', geography: 'EU' })).toMatchObject({ id: p.id, name: 'After', external_key_id: 'kms-2' });
    // null: the name stays, the external key is taken off.
    expect(await org.projects.update(p.id, { name: null, external_key_id: null, geography: null })).toMatchObject({ id: p.id, name: 'After', external_key_id: null });
  },
  'projects.users.create': async ({ org, userId }) => {
    const byId = await org.projects.create({ name: 'By id' });
    expect(await org.projects.users.create(byId.id, { role: 'member', user_id: userId, email: null })).toMatchObject({ id: userId, role: 'member' });
    const byEmail = await org.projects.create({ name: 'By email' });
    const email = (await org.users.retrieve(userId)).email!;
    expect(await org.projects.users.create(byEmail.id, { role: 'owner', email, user_id: null })).toMatchObject({ id: userId, role: 'owner' });
  },
  'projects.users.update': async ({ org, userId }) => {
    const p = await org.projects.create({ name: 'Roles' });
    await org.projects.users.create(p.id, { role: 'member', user_id: userId });
    expect(await org.projects.users.update(userId, { project_id: p.id, role: 'owner' })).toMatchObject({ id: userId, role: 'owner' });
    expect(await org.projects.users.update(userId, { project_id: p.id, role: null })).toMatchObject({ id: userId, role: 'owner' });
  },
  'projects.serviceAccounts.create': async ({ org }, projectId) => {
    expect(await org.projects.serviceAccounts.create(projectId, { name: 'bare', create_service_account_only: true })).toMatchObject({ name: 'bare', api_key: null });
    const keyed = await org.projects.serviceAccounts.create(projectId, { name: 'keyed', create_service_account_only: null });
    expect(keyed.api_key?.value).toMatch(/^sk-svcacct-/);
  },
  'projects.serviceAccounts.update': async ({ org }, projectId) => {
    const sa = await org.projects.serviceAccounts.create(projectId, { name: 'bot', create_service_account_only: true });
    expect(await org.projects.serviceAccounts.update(sa.id, { project_id: projectId, name: 'renamed', role: 'owner' })).toMatchObject({ id: sa.id, name: 'renamed', role: 'owner' });
  },
  'projects.serviceAccounts.apiKeys.create': async ({ org }, projectId) => {
    const sa = await org.projects.serviceAccounts.create(projectId, { name: 'bot', create_service_account_only: true });
    const key = await org.projects.serviceAccounts.apiKeys.create(sa.id, { project_id: projectId, name: 'k', scopes: ['model.request'] });
    expect(key).toMatchObject({ object: 'organization.project.service_account.api_key', name: 'k', value: expect.stringMatching(/^sk-svcacct-/) });
  },
  'projects.rateLimits.updateRateLimit': async ({ org }, projectId) => {
    const row = (await org.projects.rateLimits.listRateLimits(projectId)).data.find((l) => l.model === 'sim-small')!;
    const within = (v: number | null | undefined) => (typeof v === 'number' ? v : 50);
    const updated = await org.projects.rateLimits.updateRateLimit(row.id, {
      project_id: projectId,
      max_requests_per_1_minute: within(row.max_requests_per_1_minute),
      max_tokens_per_1_minute: within(row.max_tokens_per_1_minute),
      max_requests_per_1_day: within(row.max_requests_per_1_day),
      max_images_per_1_minute: 5,
      max_audio_megabytes_per_1_minute: 5,
      batch_1_day_max_input_tokens: 1000,
    });
    expect(updated).toMatchObject({ id: row.id, max_requests_per_1_minute: within(row.max_requests_per_1_minute), max_tokens_per_1_minute: within(row.max_tokens_per_1_minute) });
  },
  'projects.modelPermissions.update': async ({ org }, projectId) => {
    expect(await org.projects.modelPermissions.update(projectId, { mode: 'allow_list', model_ids: ['sim-small'] })).toMatchObject({ mode: 'allow_list', model_ids: ['sim-small'] });
  },
  'projects.spendLimit.update': async ({ org }, projectId) => {
    expect(await org.projects.spendLimit.update(projectId, { threshold_amount: 500_000, currency: 'USD', interval: 'month' })).toMatchObject({ object: 'project.spend_limit', threshold_amount: 500_000 });
  },
  'projects.spendAlerts.create': async ({ org }, projectId) => {
    expect(await org.projects.spendAlerts.create(projectId, alert(1000, '[team]'))).toMatchObject({ object: 'project.spend_alert', notification_channel: { subject_prefix: '[team]' } });
  },
  'projects.spendAlerts.update': async ({ org }, projectId) => {
    const a = await org.projects.spendAlerts.create(projectId, alert(1000, null));
    expect(await org.projects.spendAlerts.update(a.id, { project_id: projectId, ...alert(2000, null) })).toMatchObject({ id: a.id, threshold_amount: 2000 });
  },
};

/**
 * The calls of endpoints Tollgate does not serve (custom roles, groups, certificates, data
 * retention, hosted-tool permissions), each with the SDK's parameters.
 */
const NOT_SERVED: Record<string, (t: Tenant, projectId: string) => Promise<unknown>> = {
  'certificates.create': ({ org }) => org.certificates.create({ certificate: '-----BEGIN CERTIFICATE-----', name: 'mtls' }),
  'certificates.update': ({ org }) => org.certificates.update('cert_1', { name: 'mtls' }),
  'dataRetention.update': ({ org }) => org.dataRetention.update({ retention_type: 'zero_data_retention' }),
  'groups.create': ({ org }) => org.groups.create({ name: 'eng' }),
  'groups.roles.create': ({ org }) => org.groups.roles.create('group_1', { role_id: 'role_1' }),
  'groups.update': ({ org }) => org.groups.update('group_1', { name: 'eng' }),
  'groups.users.create': ({ org, userId }) => org.groups.users.create('group_1', { user_id: userId }),
  'projects.dataRetention.update': ({ org }, projectId) => org.projects.dataRetention.update(projectId, { retention_type: 'organization_default' }),
  'projects.groups.create': ({ org }, projectId) => org.projects.groups.create(projectId, { group_id: 'group_1', role: 'member' }),
  'projects.groups.roles.create': ({ org }, projectId) => org.projects.groups.roles.create('group_1', { project_id: projectId, role_id: 'role_1' }),
  'projects.hostedToolPermissions.update': ({ org }, projectId) => org.projects.hostedToolPermissions.update(projectId, { web_search: null }),
  'projects.roles.create': ({ org }, projectId) => org.projects.roles.create(projectId, { role_name: 'viewer', permissions: [], description: null }),
  'projects.roles.update': ({ org }, projectId) => org.projects.roles.update('role_1', { project_id: projectId, role_name: 'viewer', permissions: null, description: null }),
  'projects.users.roles.create': ({ org, userId }, projectId) => org.projects.users.roles.create(userId, { project_id: projectId, role_id: 'role_1' }),
  'roles.create': ({ org }) => org.roles.create({ role_name: 'viewer', permissions: [], description: null }),
  'roles.update': ({ org }) => org.roles.update('role_1', { role_name: 'viewer', permissions: null, description: null }),
  'users.roles.create': ({ org, userId }) => org.users.roles.create(userId, { role_id: 'role_1' }),
};

describe("the official SDK's admin client: every create and update, with the SDK's own parameters", () => {
  it('lists every create and update method of the SDK here, served or not', () => {
    expect(createAndUpdateMethods(h.a.org)).toEqual([...Object.keys(SERVED), ...Object.keys(NOT_SERVED)].sort());
  });

  for (const [method, call] of Object.entries(SERVED)) {
    it(`${method}: accepted`, async () => {
      const t = await h.tenant(method);
      const project = await t.org.projects.create({ name: 'work' });
      await call(t, project.id);
    });
  }

  it("a path Tollgate does not serve is OpenAI's 404 for the path (or 405 for the method), whatever the SDK sends to it", async () => {
    const t = await h.tenant('not-served');
    const project = await t.org.projects.create({ name: 'work' });
    for (const [method, call] of Object.entries(NOT_SERVED)) {
      const e = await rejection(call(t, project.id));
      expect(e, method).toBeInstanceOf(OpenAI.APIError);
      // 405 where the path is served for another method.
      expect(e.message, method).toMatch(/^(404 Invalid URL|405 Invalid method for URL) \(POST \/v1\//);
    }
  });
});

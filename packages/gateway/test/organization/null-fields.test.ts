/**
 * JSON null in any field of an admin body (the operator API, the status page's, the
 * Administration API): a 400 invalid_request_error naming the field, or the field treated as
 * absent (where the official SDK types it nullable); never a 500, and never a stored null that a
 * later read trips on. Each endpoint gets a valid body with one field (or one nested field, or
 * an array's item) set to null.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_KEY } from '../support/gateway.js';
import { startOrgHarness, type OrgHarness } from './harness.js';

let h: OrgHarness;
beforeAll(async () => {
  h = await startOrgHarness();
});
afterAll(() => h.close());

type Case = [key: string, method: string, path: string, body: Record<string, unknown>];

async function send(key: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${h.gw.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, body: (await r.json().catch(() => undefined)) as any };
}

/** The body with one field null: each field, each field of a nested object, the first item of each array. */
function withNulls(base: Record<string, unknown>): [string, Record<string, unknown>][] {
  const out: [string, Record<string, unknown>][] = [];
  for (const [k, v] of Object.entries(base)) {
    out.push([`${k}: null`, { ...base, [k]: null }]);
    if (Array.isArray(v)) {
      out.push([`${k}: [null]`, { ...base, [k]: [null] }]);
      const item: unknown = v[0];
      if (item && typeof item === 'object') for (const kk of Object.keys(item)) out.push([`${k}[0].${kk}: null`, { ...base, [k]: [{ ...item, [kk]: null }] }]);
    } else if (v && typeof v === 'object') for (const kk of Object.keys(v)) out.push([`${k}.${kk}: null`, { ...base, [k]: { ...v, [kk]: null } }]);
  }
  return out;
}

it('every admin body field set to null is a 400 naming it, or taken as absent; every list still reads', async () => {
  const t = await h.tenant('nulls');
  const p = await t.org.projects.create({ name: 'P' });
  const sa = await t.org.projects.serviceAccounts.create(p.id, { name: 'bot' });
  const channel = { type: 'email', recipients: ['ops@example.com'], subject_prefix: '[x]' };
  const alert = await t.org.spendAlerts.create({ threshold_amount: 5, currency: 'USD', interval: 'month', notification_channel: { type: 'email', recipients: ['ops@example.com'] } });
  const user = (await send(ADMIN_KEY, 'POST', '/admin/v1/users', { email: 'second@example.com', name: 'Second' })).body;
  const incident = (await send(ADMIN_KEY, 'POST', '/admin/v1/status/incidents', { name: 'n', body: 'b' })).body;
  const hour = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();
  const maintenance = (await send(ADMIN_KEY, 'POST', '/admin/v1/status/maintenances', { name: 'n', body: 'b', scheduled_for: hour(1), scheduled_until: hour(2) })).body;
  const o = '/v1/organization';
  const org = `/admin/v1/organizations/${t.orgId}`;
  const cases: Case[] = [
    [ADMIN_KEY, 'POST', '/admin/v1/organizations', { name: 'n', tier: 'unlimited', owner: { email: 'owner@example.com', name: 'O' } }],
    [ADMIN_KEY, 'PUT', org, { name: 'n', tier: 'unlimited' }],
    [ADMIN_KEY, 'PUT', `${org}/models`, { allowed: ['sim-small'] }],
    [ADMIN_KEY, 'PUT', `${org}/rate_limits/sim-small`, { max_requests_per_1_minute: 500, max_tokens_per_1_minute: 100_000, max_requests_per_1_day: 10_000, max_tokens_per_1_day: 1_000_000 }],
    [ADMIN_KEY, 'POST', `${org}/members`, { user_id: user.id, role: 'reader' }],
    [ADMIN_KEY, 'POST', '/admin/v1/users', { email: 'third@example.com', name: 'Third' }],
    [ADMIN_KEY, 'POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: t.userId, name: 'k', project_id: p.id, permissions: 'restricted', scopes: ['model.request'], expires_at: Math.floor(Date.now() / 1000) + 3600 }],
    [ADMIN_KEY, 'PUT', `/admin/v1/keys/${t.keyId}/rate_limits/sim-small`, { max_requests_per_1_minute: 500 }],
    [ADMIN_KEY, 'POST', `${org}/admin_api_keys`, { name: 'n', owner_user_id: t.userId }],
    [ADMIN_KEY, 'PUT', `${org}/billing`, { hard_limit_usd: 100, soft_limit_usd: 50 }],
    [ADMIN_KEY, 'POST', '/admin/v1/status/incidents', { name: 'n', body: 'b', status: 'investigating', components: { 'sim-small': 'degraded_performance' }, impact_override: 'minor' }],
    [ADMIN_KEY, 'POST', `/admin/v1/status/incidents/${incident.id}`, { name: 'n', body: 'b', status: 'identified', components: { 'sim-small': 'degraded_performance' }, impact_override: 'minor' }],
    [ADMIN_KEY, 'POST', `/admin/v1/status/incidents/${incident.id}/postmortem`, { body: 'b' }],
    [ADMIN_KEY, 'POST', '/admin/v1/status/maintenances', { name: 'n', body: 'b', scheduled_for: hour(1), scheduled_until: hour(2), components: ['sim-small'] }],
    [ADMIN_KEY, 'POST', `/admin/v1/status/maintenances/${maintenance.id}`, { name: 'n', body: 'b', status: 'scheduled', scheduled_for: hour(1), scheduled_until: hour(3) }],
    [t.adminKey, 'POST', `${o}/projects`, { name: 'n', external_key_id: 'e', geography: 'US' }],
    [t.adminKey, 'POST', `${o}/projects/${p.id}`, { name: 'n', external_key_id: 'e', geography: 'US' }],
    [t.adminKey, 'POST', `${o}/projects/${p.id}/users`, { user_id: t.userId, role: 'member' }],
    [t.adminKey, 'POST', `${o}/projects/${p.id}/users/${t.userId}`, { role: 'owner' }],
    [t.adminKey, 'POST', `${o}/projects/${p.id}/service_accounts`, { name: 'n', create_service_account_only: true }],
    [t.adminKey, 'POST', `${o}/projects/${p.id}/service_accounts/${sa.id}`, { name: 'n', role: 'owner' }],
    [t.adminKey, 'POST', `${o}/projects/${p.id}/service_accounts/${sa.id}/api_keys`, { name: 'n', scopes: ['model.request'] }],
    [t.adminKey, 'POST', `${o}/projects/${p.id}/rate_limits/rl-sim-small`, { max_requests_per_1_minute: 5, max_images_per_1_minute: 1 }],
    [t.adminKey, 'POST', `${o}/projects/${p.id}/model_permissions`, { mode: 'allow_list', model_ids: ['sim-small'] }],
    [t.adminKey, 'POST', `${o}/projects/${p.id}/spend_limit`, { threshold_amount: 1, currency: 'USD', interval: 'month' }],
    [t.adminKey, 'POST', `${o}/spend_limit`, { threshold_amount: 1, currency: 'USD', interval: 'month' }],
    [t.adminKey, 'POST', `${o}/spend_alerts`, { threshold_amount: 5, currency: 'USD', interval: 'month', notification_channel: channel }],
    [t.adminKey, 'POST', `${o}/spend_alerts/${alert.id}`, { threshold_amount: 5, currency: 'USD', interval: 'month', notification_channel: channel }],
    [t.adminKey, 'POST', `${o}/ip_allowlist`, { allowed_ips: ['192.0.2.1', '127.0.0.1', '::1'] }],
    [t.adminKey, 'POST', `${o}/admin_api_keys`, { name: 'n', expires_in_seconds: 3600 }],
    [t.adminKey, 'POST', `${o}/users/${t.userId}`, { role: 'owner', developer_persona: 'd', technical_level: 't' }],
    [t.adminKey, 'POST', `${o}/invites`, { email: 'invited@example.com', role: 'reader', projects: [{ id: p.id, role: 'member' }] }],
  ];
  const answers: string[] = [];
  for (const [key, method, path, base] of cases) {
    expect({ path, base: (await send(key, method, path, base)).status }).toEqual({ path, base: 200 });
    for (const [what, body] of withNulls(base)) {
      const r = await send(key, method, path, body);
      if (r.status === 200) continue;
      answers.push(`${method} ${path} ${what}: ${r.status}`);
      expect({ path, what, status: r.status, type: r.body?.error?.type }).toEqual({ path, what, status: 400, type: 'invalid_request_error' });
      expect(r.body.error.message).toMatch(/'[^']+'|required|null/);
    }
  }
  // scopes: null on a key (the SDK types scopes as optional, not nullable): a 400 naming scopes.
  const scopes = await send(t.adminKey, 'POST', `${o}/projects/${p.id}/service_accounts/${sa.id}/api_keys`, { name: 'n', scopes: null });
  expect(scopes.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_type', param: 'scopes' });
  // What was stored reads back.
  for (const path of [`${o}/projects`, `${o}/projects/${p.id}/users`, `${o}/projects/${p.id}/service_accounts`, `${o}/projects/${p.id}/api_keys`, `${o}/projects/${p.id}/rate_limits`, `${o}/spend_alerts`, `${o}/admin_api_keys`, `${o}/users`, `${o}/invites`]) {
    expect({ path, status: (await send(t.adminKey, 'GET', path)).status }).toEqual({ path, status: 200 });
  }
  for (const path of ['/admin/v1/keys', '/admin/v1/organizations', org, '/admin/v1/users', '/admin/v1/status/incidents']) {
    expect({ path, status: (await send(ADMIN_KEY, 'GET', path)).status }).toEqual({ path, status: 200 });
  }
  expect((await fetch(`${h.gw.url}/status`)).status).toBe(200);
  expect(answers.length).toBeGreaterThan(50);
});

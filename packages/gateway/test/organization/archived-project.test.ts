/**
 * An archived project is read, never changed: OpenAI's "Archived projects cannot be used or
 * updated", each change answered 400 project_archived ("Project '…' is archived. You can only
 * update an active project."), through the official SDK's admin client and the operator API.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startOrgHarness, type OrgHarness, type Tenant } from './harness.js';

let h: OrgHarness;
beforeAll(async () => {
  h = await startOrgHarness();
});
afterAll(() => h.close());

const channel = { type: 'email' as const, recipients: ['ops@example.com'] };
const alert = { threshold_amount: 5, currency: 'USD' as const, interval: 'month' as const, notification_channel: channel };

/** A project with a member, a service account with a key, an alert; then archived. */
async function archivedProject(t: Tenant, name: string) {
  const p = await t.org.projects.create({ name });
  await t.org.projects.users.create(p.id, { user_id: t.userId, role: 'member' });
  const sa = await t.org.projects.serviceAccounts.create(p.id, { name: 'bot' });
  const a = await t.org.projects.spendAlerts.create(p.id, alert);
  await t.org.projects.archive(p.id);
  return { p, sa, alertId: a.id, keyId: sa.api_key!.id };
}

/** POST/DELETE under /v1/organization with the tenant's admin key, as a caller without the SDK would. */
async function api(t: Tenant, method: string, path: string, body?: unknown) {
  const r = await fetch(`${h.gw.baseURL}/organization${path}`, {
    method,
    headers: { authorization: `Bearer ${t.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, body: (await r.json()) as any };
}

describe('changing an archived project', () => {
  it('every change through the SDK is 400 project_archived in OpenAI words, and changes nothing', async () => {
    const t = await h.tenant('archived-sdk');
    const { p, sa, alertId, keyId } = await archivedProject(t, 'Old team');
    const before = await t.org.projects.retrieve(p.id);
    const { org } = t;
    // Each made only when its turn comes: a refusal nobody awaits yet would be an unhandled rejection.
    const changes: [string, () => Promise<unknown>][] = [
      ['archive again', () => org.projects.archive(p.id)],
      ['rename', () => org.projects.update(p.id, { name: 'New name' })],
      ['external key id', () => org.projects.update(p.id, { external_key_id: 'ext-1' })],
      ['add a user', () => org.projects.users.create(p.id, { user_id: t.userId, role: 'owner' })],
      ["change a user's role", () => org.projects.users.update(t.userId, { project_id: p.id, role: 'owner' })],
      ['remove a user', () => org.projects.users.delete(t.userId, { project_id: p.id })],
      ['add a service account', () => org.projects.serviceAccounts.create(p.id, { name: 'late' })],
      ['rename a service account', () => org.projects.serviceAccounts.update(sa.id, { project_id: p.id, name: 'renamed' })],
      ['add a service account key', () => org.projects.serviceAccounts.apiKeys.create(sa.id, { project_id: p.id, name: 'late' })],
      ['delete a service account', () => org.projects.serviceAccounts.delete(sa.id, { project_id: p.id })],
      ['delete a key', () => org.projects.apiKeys.delete(keyId, { project_id: p.id })],
      ['lower a rate limit', () => org.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: p.id, max_requests_per_1_minute: 1 })],
      ['model permissions', () => org.projects.modelPermissions.update(p.id, { mode: 'allow_list', model_ids: ['sim-small'] })],
      ['clear model permissions', () => org.projects.modelPermissions.delete(p.id)],
      ['spend limit', () => org.projects.spendLimit.update(p.id, { threshold_amount: 1, currency: 'USD', interval: 'month' })],
      ['remove the spend limit', () => org.projects.spendLimit.delete(p.id)],
      ['add a spend alert', () => org.projects.spendAlerts.create(p.id, alert)],
      ['change a spend alert', () => org.projects.spendAlerts.update(alertId, { project_id: p.id, ...alert, threshold_amount: 9 })],
      ['delete a spend alert', () => org.projects.spendAlerts.delete(alertId, { project_id: p.id })],
    ];
    for (const [what, change] of changes) {
      const e = await rejection(change());
      expect({ what, status: e.status, type: e.type, code: e.code, message: e.message }).toEqual({
        what,
        status: 400,
        type: 'invalid_request_error',
        code: 'project_archived',
        message: `400 Project '${p.id}' is archived. You can only update an active project.`,
      });
    }
    // Read as before; nothing above took effect.
    expect(await org.projects.retrieve(p.id)).toEqual(before);
    expect((await org.projects.users.list(p.id)).data.map((u) => [u.id, u.role])).toEqual([[t.userId, 'member']]);
    expect((await org.projects.serviceAccounts.list(p.id)).data.map((s) => s.name)).toEqual(['bot']);
    expect((await org.projects.spendAlerts.list(p.id)).data.map((a) => [a.id, a.threshold_amount])).toEqual([[alertId, 5]]);
    expect((await org.projects.rateLimits.listRateLimits(p.id)).data.find((l) => l.model === 'sim-small')!.max_requests_per_1_minute).not.toBe(1);
  });

  it('the IP allowlists of the project and of its keys, and an invite into it, are refused the same way', async () => {
    const t = await h.tenant('archived-raw');
    const { p, keyId } = await archivedProject(t, 'Old team');
    const archived = { type: 'invalid_request_error', code: 'project_archived', message: `Project '${p.id}' is archived. You can only update an active project.` };
    for (const [method, path, body] of [
      ['POST', `/projects/${p.id}/ip_allowlist`, { allowed_ips: ['192.0.2.1'] }],
      ['DELETE', `/projects/${p.id}/ip_allowlist`],
      ['POST', `/projects/${p.id}/api_keys/${keyId}/ip_allowlist`, { allowed_ips: ['192.0.2.1'] }],
    ] as const) {
      expect(await api(t, method, path, body)).toEqual({ status: 400, body: { error: { ...archived, param: null } } });
    }
    expect((await api(t, 'GET', `/projects/${p.id}/ip_allowlist`)).body.allowed_ips).toEqual([]);
    const invite = await rejection(t.org.invites.create({ email: 'late@example.com', role: 'reader', projects: [{ id: p.id, role: 'member' }] }));
    expect({ status: invite.status, code: invite.code, param: invite.param }).toEqual({ status: 400, code: 'project_archived', param: 'projects[0].id' });
    expect((await t.org.invites.list()).data.map((i) => i.email)).not.toContain('late@example.com');
  });

  it.each(['sqlite', 'postgres'] as const)('an invite accepted after its project was archived joins the organization and its active projects only (%s)', async (database) => {
    const x = database === 'sqlite' ? h : await startOrgHarness({}, { database });
    try {
      const t = await x.tenant('archived-invite');
      const team = await t.org.projects.create({ name: 'Team' });
      const old = await t.org.projects.create({ name: 'Old team' });
      const inv = (await t.org.invites.create({
        email: 'later@example.com',
        role: 'reader',
        projects: [
          { id: old.id, role: 'owner' },
          { id: team.id, role: 'member' },
        ],
      })) as OpenAI.Admin.Organization.Invite & { token: string };
      await t.org.projects.archive(old.id);
      const r = await fetch(`${x.gw.baseURL}/invites/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: inv.token, name: 'Later' }) });
      const accepted = (await r.json()) as any;
      expect({ status: r.status, invite: accepted.status }).toEqual({ status: 200, invite: 'accepted' });
      const userId = accepted.user.id as string;
      expect((await t.org.users.retrieve(userId)).role).toBe('reader');
      expect((await t.org.projects.users.list(team.id)).data.map((u) => [u.id, u.role])).toContainEqual([userId, 'member']);
      expect((await t.org.projects.users.list(old.id)).data.map((u) => u.id)).not.toContain(userId);
    } finally {
      if (x !== h) await x.close();
    }
  });

  it('the operator API refuses a key in an archived project with the same error, naming project_id', async () => {
    const t = await h.tenant('archived-operator');
    const { p } = await archivedProject(t, 'Old team');
    const r = await h.gw.admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: t.userId, name: 'late', project_id: p.id });
    expect({ status: r.status, error: r.body.error }).toEqual({
      status: 400,
      error: { type: 'invalid_request_error', code: 'project_archived', param: 'project_id', message: `Project '${p.id}' is archived. You can only update an active project.` },
    });
  });
});

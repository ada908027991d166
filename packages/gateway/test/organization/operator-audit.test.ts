/**
 * Every change the operator makes to an organization through `/admin/v1` is in that
 * organization's audit log, read by its owners through the official SDK's admin client
 * (`client.admin.organization.auditLogs.list`) with OpenAI's filters: the actor is the operator,
 * each entry names its object and the changed fields, and another organization sees none of it.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startOrgHarness, type OrgHarness, type Tenant } from './harness.js';

let h: OrgHarness;
let t0: number;
/** The operator's entries the harness itself made (organization a's creation, its key and admin key). */
let harnessEntries: Set<string>;
/** Ids of what the operator made in organization a. */
const made: { memberId: string; keyId: string; quotaId: string; projectId: string } = { memberId: '', keyId: '', quotaId: '', projectId: '' };

type Entry = OpenAI.Admin.Organization.AuditLogListResponse & Record<string, any>;

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const r = await h.gw.admin(method, path, body);
  if (r.status !== 200) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The operator's entries in `t`'s audit log made by this test (not the harness), newest first. */
async function operatorEntries(t: Tenant, filter: Record<string, unknown> = {}): Promise<Entry[]> {
  const page = await t.org.auditLogs.list({ actor_ids: ['operator'], limit: 100, ...filter } as OpenAI.Admin.Organization.AuditLogListParams);
  return (page.data as Entry[]).filter((e) => !harnessEntries?.has(e.id));
}

const sorted = (xs: string[]) => [...xs].sort();

beforeAll(async () => {
  h = await startOrgHarness();
  t0 = Math.floor(Date.now() / 1000);
  harnessEntries = new Set((await operatorEntries(h.a)).map((e) => e.id));
  const org = `/admin/v1/organizations/${h.a.orgId}`;
  await ok('PUT', org, { name: 'alpha renamed' });
  await ok('PUT', `${org}/models`, { allowed: ['sim-small', 'sim-embed'] });
  await ok('PUT', `${org}/rate_limits/sim-small`, { max_requests_per_1_minute: 100 });
  const member = await ok('POST', '/admin/v1/users', { email: `reader-${Date.now()}@test.local`, name: 'Reader' });
  made.memberId = member.id;
  await ok('POST', `${org}/members`, { user_id: member.id, role: 'reader' });
  const key = await ok('POST', '/admin/v1/keys', { organization_id: h.a.orgId, user_id: h.a.userId, name: 'ops key' });
  made.keyId = key.id;
  made.projectId = key.project_id ?? (await h.a.org.projects.list()).data.find((p) => p.name === 'Default project')!.id;
  await ok('PUT', `/admin/v1/keys/${key.id}/rate_limits/sim-small`, { max_requests_per_1_minute: 10 });
  await ok('POST', `/admin/v1/keys/${key.id}/revoke`);
  await ok('POST', `/admin/v1/keys/${key.id}/revoke`); // again: no change, no entry
  await ok('DELETE', `${org}/members/${member.id}`);
  await ok('PUT', `${org}/billing`, { hard_limit_usd: 100 });
  const quota = await ok('POST', `${org}/quota_requests`, { hard_limit_usd: 250, reason: 'launch week' });
  made.quotaId = quota.id;
  await ok('POST', `/admin/v1/quota_requests/${quota.id}/approve`, { note: 'ok' });
});
afterAll(() => h?.close());

describe("the operator's /admin/v1 changes in the audit log", () => {
  it('every change is an entry with the operator as actor, its object and the changed fields', async () => {
    const entries = await operatorEntries(h.a);
    expect(sorted(entries.map((e) => e.type))).toEqual(
      sorted(['organization.updated', 'organization.updated', 'rate_limit.updated', 'user.added', 'api_key.created', 'rate_limit.updated', 'api_key.deleted', 'user.deleted', 'organization.updated', 'quota_request.created', 'quota_request.updated', 'organization.updated']),
    );
    for (const e of entries) {
      expect(e.object).toBe('organization.audit_log');
      expect(e.actor).toEqual({ type: 'operator', operator: { ip_address: expect.any(String) } });
      expect(e.effective_at).toBeGreaterThanOrEqual(t0);
      expect(e.effective_at).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    }
    const details = (type: string) => entries.filter((e) => e.type === type).map((e) => e[type]);
    expect(details('organization.updated')).toEqual(
      expect.arrayContaining([
        { id: h.a.orgId, changes_requested: { name: 'alpha renamed' } },
        { id: h.a.orgId, changes_requested: { allowed_models: ['sim-small', 'sim-embed'] } },
        { id: h.a.orgId, changes_requested: { hard_limit_usd: 100 } },
        { id: h.a.orgId, changes_requested: { hard_limit_usd: 250 } },
      ]),
    );
    expect(details('user.added')).toEqual([{ id: made.memberId, data: { role: 'reader' } }]);
    expect(details('user.deleted')).toEqual([{ id: made.memberId }]);
    expect(details('api_key.created')).toEqual([{ id: made.keyId, data: { name: 'ops key', user_id: h.a.userId, permissions: 'all', scopes: [] } }]);
    expect(details('api_key.deleted')).toEqual([{ id: made.keyId }]);
    expect(details('rate_limit.updated')).toEqual(
      expect.arrayContaining([
        { id: 'rl-sim-small', changes_requested: { model: 'sim-small', max_requests_per_1_minute: 100 } },
        { id: `krl-${made.keyId}-sim-small`, changes_requested: { api_key_id: made.keyId, model: 'sim-small', max_requests_per_1_minute: 10 } },
      ]),
    );
    expect(details('quota_request.created')).toEqual([{ id: made.quotaId, data: { hard_limit_usd: 250, reason: 'launch week' } }]);
    expect(details('quota_request.updated')).toEqual([{ id: made.quotaId, changes_requested: { status: 'approved', note: 'ok' } }]);
  });

  it("filters by type, object, project and time, as OpenAI's", async () => {
    const types = (es: Entry[]) => sorted(es.map((e) => e.type));
    expect(types(await operatorEntries(h.a, { event_types: ['api_key.created', 'api_key.deleted'] }))).toEqual(['api_key.created', 'api_key.deleted']);
    expect(types(await operatorEntries(h.a, { resource_ids: [made.keyId] }))).toEqual(['api_key.created', 'api_key.deleted']);
    expect(types(await operatorEntries(h.a, { resource_ids: [made.memberId] }))).toEqual(['user.added', 'user.deleted']);
    // The key's entries belong to its project (its rate limit too); organization-wide ones to none.
    expect(types(await operatorEntries(h.a, { project_ids: [made.projectId] }))).toEqual(['api_key.created', 'api_key.deleted', 'rate_limit.updated']);
    expect(await operatorEntries(h.a, { effective_at: { gt: Math.floor(Date.now() / 1000) + 10 } })).toEqual([]);
    expect(await operatorEntries(h.a, { effective_at: { gte: t0 } })).toHaveLength(12);
    expect(await operatorEntries(h.a, { effective_at: { lt: t0 } })).toEqual([]);
  });

  it('a new organization records its creation and first owner; a deleted one its deletion', async () => {
    const created = await ok('POST', '/admin/v1/organizations', { name: 'gamma', owner: { email: `owner-${Date.now()}@test.local`, name: 'Gamma Owner' } });
    const k = await ok('POST', `/admin/v1/organizations/${created.id}/admin_api_keys`, { name: 'gamma admin' });
    const gamma = new OpenAI({ adminAPIKey: k.value, apiKey: null as unknown as string, baseURL: h.gw.baseURL, maxRetries: 0 }).admin.organization;
    const log = (await gamma.auditLogs.list({ limit: 100 })).data as Entry[];
    const of = (type: string) => log.find((e) => (e.type as string) === type)![type];
    expect(sorted(log.map((e) => e.type))).toEqual(['api_key.created', 'organization.created', 'user.added']);
    expect(of('organization.created')).toEqual({ id: created.id, data: { name: 'gamma', tier: created.tier } });
    expect(of('user.added')).toEqual({ id: created.owner.id, data: { role: 'owner' } });

    await ok('DELETE', `/admin/v1/organizations/${created.id}`);
    // Its admin keys stop with it; the entry stays in its log (read here from the store).
    expect(await rejection(gamma.auditLogs.list())).toBeInstanceOf(OpenAI.AuthenticationError);
    const kept = await h.gw.gateway.services.store.auditLogs.list(created.id, { types: ['organization.deleted'] }, { limit: 10 });
    expect(kept.items.map((e) => [e.type, e.objectId, e.actor])).toEqual([['organization.deleted', created.id, { type: 'operator', operator: { ip_address: expect.any(String) } }]]);
  });

  it("another organization's log has none of these changes", async () => {
    const theirs = await h.b.org.auditLogs.list({ limit: 100 });
    const mentioned = JSON.stringify(theirs.data);
    for (const id of [h.a.orgId, made.keyId, made.memberId, made.quotaId]) expect(mentioned).not.toContain(id);
  });
});

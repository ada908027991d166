/**
 * The organization's own spend limit and the hard limit the operator approved are two amounts:
 * the owner's (`/v1/organization/spend_limit`, through the official SDK's admin client) is set at
 * or below the approved one (`/admin/v1/organizations/{org_id}/billing` `hard_limit_usd`, raised
 * by approving a quota request) and never changes it; DELETE removes only the owner's; requests
 * are refused above the lower of the two, from the next request on. A project's spend limit may be
 * set above the organization's, and the organization's still binds.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startOrgHarness, type OrgHarness, type Tenant } from './harness.js';

let h: OrgHarness;
beforeAll(async () => {
  h = await startOrgHarness();
});
afterAll(() => h.close());

const month = { currency: 'USD', interval: 'month' } as const;
const limitObject = (cents: number) => ({ object: 'organization.spend_limit', threshold_amount: cents, ...month, enforcement: { status: 'enforcing' } });

async function operator(t: Tenant, method: string, path: string, body?: unknown): Promise<any> {
  const r = await h.gw.admin(method, `/admin/v1/organizations/${t.orgId}${path}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const billing = (t: Tenant) => operator(t, 'GET', '/billing');
const approve = (t: Tenant, usd: number | null) => operator(t, 'PUT', '/billing', { hard_limit_usd: usd });

/** A request whose worst case is $0.04 (4,000 output tokens of sim-large at $10 per 1M). */
const fourCents = (t: Tenant) => t.inference.chat.completions.create({ model: 'sim-large', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4000 });

describe("the organization's own spend limit under the approved hard limit", () => {
  it('the reproduction: the owner can neither raise nor remove the approved limit', async () => {
    const t = await h.tenant('layers-repro');
    await approve(t, 1);
    // The approved limit is not the organization's own spend limit: none is set.
    expect(await rejection(t.org.spendLimit.retrieve())).toBeInstanceOf(OpenAI.NotFoundError);

    const above = await rejection(t.org.spendLimit.update({ threshold_amount: 100_000, ...month }));
    expect(above).toBeInstanceOf(OpenAI.BadRequestError);
    expect(above).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'integer_above_max_value',
      param: 'threshold_amount',
      message: "400 Invalid 'threshold_amount': integer above maximum value. Expected a value <= 100, but got 100000 instead.",
    });
    expect(await billing(t)).toMatchObject({ hard_limit_usd: 1, spend_limit_usd: null, enforced_hard_limit_usd: 1 });

    // At the approved limit, and below it: the organization's own, beside the approved one.
    expect(await t.org.spendLimit.update({ threshold_amount: 100, ...month })).toEqual(limitObject(100));
    expect(await t.org.spendLimit.update({ threshold_amount: 1, ...month })).toEqual(limitObject(1));
    expect(await t.org.spendLimit.retrieve()).toEqual(limitObject(1));
    expect(await billing(t)).toMatchObject({ hard_limit_usd: 1, spend_limit_usd: 0.01, enforced_hard_limit_usd: 0.01 });
    // It binds at the next request: $0.04 does not fit in a cent.
    expect(await rejection(fourCents(t))).toMatchObject({ status: 429, code: 'organization_spend_limit_exceeded' });

    // DELETE removes the organization's own limit only: the approved $1 stays, and binds.
    expect(await t.org.spendLimit.delete()).toEqual({ object: 'organization.spend_limit.deleted', deleted: true });
    expect(await billing(t)).toMatchObject({ hard_limit_usd: 1, spend_limit_usd: null, enforced_hard_limit_usd: 1 });
    expect(await rejection(t.org.spendLimit.retrieve())).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await fourCents(t)).choices).toHaveLength(1);

    // Each side's changes are in the audit log as that side's.
    const entries = (await t.org.auditLogs.list({ event_types: ['organization.updated'], limit: 100 })).data as Record<string, any>[];
    const changes = entries.map((e) => [e.actor.type, e['organization.updated'].changes_requested]).reverse();
    expect(changes).toEqual([
      ['operator', { hard_limit_usd: 1 }],
      ['api_key', { spend_limit: { threshold_amount: 100, ...month } }],
      ['api_key', { spend_limit: { threshold_amount: 1, ...month } }],
      ['api_key', { spend_limit: null }],
    ]);
  });

  it('an approved quota request raises the approved limit only; the owner may then set up to it', async () => {
    const t = await h.tenant('layers-quota');
    await approve(t, 1);
    await t.org.spendLimit.update({ threshold_amount: 50, ...month });
    const asked = await operator(t, 'POST', '/quota_requests', { hard_limit_usd: 10, reason: 'launch' });
    const decided = await h.gw.admin('POST', `/admin/v1/quota_requests/${asked.id}/approve`, {});
    expect(decided.body).toMatchObject({ status: 'approved', previous_hard_limit_usd: 1, current_hard_limit_usd: 10 });
    expect(await billing(t)).toMatchObject({ hard_limit_usd: 10, spend_limit_usd: 0.5, enforced_hard_limit_usd: 0.5 });
    expect(await t.org.spendLimit.retrieve()).toEqual(limitObject(50));

    expect(await t.org.spendLimit.update({ threshold_amount: 1000, ...month })).toEqual(limitObject(1000));
    expect(await rejection(t.org.spendLimit.update({ threshold_amount: 1001, ...month }))).toMatchObject({ status: 400, param: 'threshold_amount', message: expect.stringContaining('Expected a value <= 1000, but got 1001') });
    expect(await billing(t)).toMatchObject({ hard_limit_usd: 10, spend_limit_usd: 10, enforced_hard_limit_usd: 10 });
  });

  it("an approved limit lowered below the organization's own keeps that one, which binds again once the approved one is raised", async () => {
    const t = await h.tenant('layers-lowered');
    await approve(t, 10);
    await t.org.spendLimit.update({ threshold_amount: 500, ...month });
    expect((await fourCents(t)).choices).toHaveLength(1);

    await approve(t, 0.02);
    expect(await t.org.spendLimit.retrieve()).toEqual(limitObject(500));
    expect(await billing(t)).toMatchObject({ hard_limit_usd: 0.02, spend_limit_usd: 5, enforced_hard_limit_usd: 0.02 });
    // The approved limit is the one reached: OpenAI's insufficient_quota, not the organization's own limit.
    expect(await rejection(fourCents(t))).toMatchObject({ status: 429, type: 'insufficient_quota', code: 'insufficient_quota' });
    // Set again, it is checked against the approved limit as it is now.
    expect(await rejection(t.org.spendLimit.update({ threshold_amount: 500, ...month }))).toMatchObject({ status: 400, param: 'threshold_amount', message: expect.stringContaining('Expected a value <= 2, but got 500') });

    await approve(t, 10);
    expect(await billing(t)).toMatchObject({ hard_limit_usd: 10, spend_limit_usd: 5, enforced_hard_limit_usd: 5 });
    expect((await fourCents(t)).choices).toHaveLength(1);

    // No approved limit at all: the organization's own is the only one, up to the API's maximum.
    await approve(t, null);
    expect(await t.org.spendLimit.update({ threshold_amount: 900_000_000, ...month })).toEqual(limitObject(900_000_000));
    expect(await billing(t)).toMatchObject({ hard_limit_usd: null, spend_limit_usd: 9_000_000, enforced_hard_limit_usd: 9_000_000 });
  });

  it("a project's spend limit may be above the organization's; the organization's still binds", async () => {
    const t = await h.tenant('layers-project');
    await approve(t, 1);
    await t.org.spendLimit.update({ threshold_amount: 1, ...month });
    const def = (await t.org.projects.list()).data.find((p) => p.name === 'Default project')!;
    expect(await t.org.projects.spendLimit.update(def.id, { threshold_amount: 10_000, ...month })).toMatchObject({ object: 'project.spend_limit', threshold_amount: 10_000 });
    expect(await rejection(fourCents(t))).toMatchObject({ status: 429, code: 'organization_spend_limit_exceeded' });
  });
});

describe('changes that change nothing', () => {
  const auditCount = async (t: Tenant) => (await t.org.auditLogs.list({ limit: 100 })).data.length;

  it('deleting a limit that is not set answers as before and adds nothing to the audit log', async () => {
    const t = await h.tenant('layers-noop-delete');
    const def = (await t.org.projects.list()).data.find((p) => p.name === 'Default project')!;
    await t.org.spendLimit.update({ threshold_amount: 500, ...month });
    expect(await t.org.spendLimit.delete()).toEqual({ object: 'organization.spend_limit.deleted', deleted: true });
    const before = await auditCount(t);

    for (let i = 0; i < 2; i++) {
      expect(await t.org.spendLimit.delete()).toEqual({ object: 'organization.spend_limit.deleted', deleted: true });
      expect(await t.org.projects.spendLimit.delete(def.id)).toEqual({ object: 'project.spend_limit.deleted', deleted: true });
      expect(await t.org.projects.modelPermissions.delete(def.id)).toEqual({ object: 'project.model_permissions.deleted', deleted: true });
      const ip = await fetch(`${h.gw.baseURL}/organization/ip_allowlist`, { method: 'DELETE', headers: { authorization: `Bearer ${t.adminKey}` } });
      expect(ip.status).toBe(200);
    }
    expect(await auditCount(t)).toBe(before);

    // A limit that is there is still removed, and logged once.
    await t.org.projects.spendLimit.update(def.id, { threshold_amount: 100, ...month });
    await t.org.projects.spendLimit.delete(def.id);
    await t.org.projects.spendLimit.delete(def.id);
    expect(await auditCount(t)).toBe(before + 2);
    expect(await rejection(t.org.projects.spendLimit.retrieve(def.id))).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("an approved limit finer than a pico-dollar is refused, not stored as 0 (which refuses every request)", async () => {
    const t = await h.tenant('layers-sub-pico');
    await approve(t, 1);
    for (const hard_limit_usd of [1e-13, 4.9e-13]) {
      const r = await h.gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param: 'hard_limit_usd' });
      expect(r.body.error.message).toContain(`Invalid value: '${hard_limit_usd}'`);
    }
    expect(await billing(t)).toMatchObject({ hard_limit_usd: 1 });
    // One pico-dollar and 0 are amounts it keeps.
    expect(await approve(t, 1e-12)).toMatchObject({ hard_limit_usd: 1e-12 });
    expect(await approve(t, 0)).toMatchObject({ hard_limit_usd: 0 });
  });
});

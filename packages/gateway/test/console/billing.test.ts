/**
 * An owner's console session sees its organization's billing (limits, this period's spend) and
 * asks for a quota increase whose status it can follow; a reader cannot; the operator decides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { Browser } from './browser.js';

const PASSWORD = 'correct horse battery staple';

describe('console billing and quota requests', () => {
  let gw: TestGateway;
  let owner: Browser;

  beforeAll(async () => {
    gw = await startTestGateway();
    await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password: PASSWORD });
    owner = new Browser(gw.url);
    await owner.signIn((await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email, PASSWORD);
  });
  afterAll(() => gw.close());

  it('the owner reads billing, requests an increase and follows it; the operator approves it', async () => {
    expect((await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}/billing`, { hard_limit_usd: 10 })).status).toBe(200);
    const billing = await owner.call('GET', '/console/api/billing');
    expect(billing.status).toBe(200);
    expect(billing.body).toEqual((await gw.admin('GET', `/admin/v1/organizations/${gw.orgId}/billing`)).body);

    expect((await owner.call('POST', '/console/api/quota_requests', { hard_limit_usd: 50, reason: 'launch' }, { csrf: false })).status).toBe(403);
    const asked = await owner.call('POST', '/console/api/quota_requests', { hard_limit_usd: 50, reason: 'launch' });
    expect(asked.status).toBe(200);
    expect(asked.body.status).toBe('pending');
    expect((await owner.call('POST', '/console/api/quota_requests', { hard_limit_usd: 5, reason: 'lower' })).status).toBe(409);

    const approved = await gw.admin('POST', `/admin/v1/quota_requests/${asked.body.id}/approve`, {});
    expect(approved.status).toBe(200);
    const mine = await owner.call('GET', '/console/api/quota_requests');
    expect(mine.body.data.find((r: { id: string }) => r.id === asked.body.id).status).toBe('approved');
  });

  it('a reader and a signed-out visitor are refused', async () => {
    const invite = await owner.call('POST', '/v1/organization/invites', { email: 'billing-reader@test.local', role: 'reader' });
    const reader = new Browser(gw.url);
    await reader.call('POST', '/console/api/invites/accept', { token: invite.body.token, name: 'R', password: PASSWORD });
    const r = await reader.call('GET', '/console/api/billing');
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/^You have insufficient permissions for this operation/);
    expect((await reader.call('POST', '/console/api/quota_requests', { hard_limit_usd: 500, reason: 'x' })).status).toBe(403);
    expect((await new Browser(gw.url).call('GET', '/console/api/billing')).status).toBe(401);
  });
});

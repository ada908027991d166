/**
 * What the operator reads through /admin/v1 beside the objects themselves: the usage tiers an
 * organization may be given, every model's live health with its deployments' circuit breakers,
 * and an organization's audit log with the member-side filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let g: TestGateway;
beforeAll(async () => {
  g = await startTestGateway({
    models: [
      { name: 'sim-small' },
      // Nothing listens on port 9 of localhost: every call fails to connect, one failure opens the breaker.
      { name: 'down-upstream', provider: 'openai-compatible', deployments: [{ name: 'down-a', base_url: 'http://127.0.0.1:9/v1', timeouts: { connect_ms: 2000 } }], breaker: { consecutive_failures: 1, open_ms: 600_000 } },
    ],
  });
}, 60_000);
afterAll(async () => {
  await g?.close();
});

describe('GET /admin/v1/tiers', () => {
  it('lists the configured tiers, marking the one new organizations get', async () => {
    const r = await g.admin('GET', '/admin/v1/tiers');
    expect(r.status).toBe(200);
    const ids = r.body.data.map((t: { id: string }) => t.id);
    expect(ids).toEqual(['free', 'tier-1', 'tier-2', 'tier-3', 'tier-4', 'tier-5', 'unlimited']);
    expect(r.body.data.filter((t: { default: boolean }) => t.default).map((t: { id: string }) => t.id)).toEqual(['unlimited']);
    expect(r.body.data[0].limits['*'].max_requests_per_1_minute).toBe(60);
  });

  it('is the operator\'s: no admin key, 401', async () => {
    const res = await fetch(`${g.url}/admin/v1/tiers`);
    expect(res.status).toBe(401);
  });
});

describe('GET /admin/v1/models', () => {
  it('reports each model; a failing deployment\'s breaker opens and shows when it will probe again', async () => {
    const before = await g.admin('GET', '/admin/v1/models');
    expect(before.status).toBe(200);
    const down0 = before.body.data.find((m: { id: string }) => m.id === 'down-upstream');
    expect(down0).toMatchObject({ object: 'admin.model', type: 'chat', provider: 'openai-compatible', status: 'operational' });
    expect(down0.deployments).toEqual([
      { name: 'down-a', base_url: 'http://127.0.0.1:9/v1', weight: 1, breaker: { state: 'closed', consecutive_failures: 0, window_calls: 0, window_failures: 0, opens: 0, retry_in_ms: 0 }, stream_options_refused: false },
    ]);
    expect(before.body.data.find((m: { id: string }) => m.id === 'sim-small')).toMatchObject({ provider: 'simulator', deployments: [] });

    const chat = await fetch(`${g.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'down-upstream', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).toBeGreaterThanOrEqual(500);

    const after = await g.admin('GET', '/admin/v1/models');
    const d = after.body.data.find((m: { id: string }) => m.id === 'down-upstream').deployments[0];
    expect(d.breaker).toMatchObject({ state: 'open', opens: 1, consecutive_failures: 1 });
    expect(d.breaker.retry_in_ms).toBeGreaterThan(0);
    expect(d.breaker.retry_in_ms).toBeLessThanOrEqual(600_000);
  });
});

describe('GET /admin/v1/organizations/{org_id}/audit_logs', () => {
  it('lists the operator\'s changes with the filters of the member-side log, and pages', async () => {
    const org = (await g.admin('POST', '/admin/v1/organizations', { name: 'audited', tier: 'free', owner: { email: 'first.owner@example.com', name: 'First Owner' } })).body;
    expect((await g.admin('PUT', `/admin/v1/organizations/${org.id}`, { tier: 'tier-1' })).status).toBe(200);
    const path = `/admin/v1/organizations/${org.id}/audit_logs`;

    const all = await g.admin('GET', path);
    expect(all.status).toBe(200);
    // Newest first; the creation and its first owner share a millisecond, so their order is the ids'.
    const types = all.body.data.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('organization.updated');
    expect(types.slice(1).sort()).toEqual(['organization.created', 'user.added']);
    expect(all.body.data.find((e: { type: string }) => e.type === 'organization.created')).toMatchObject({ object: 'organization.audit_log', actor: { type: 'operator' }, 'organization.created': { id: org.id, data: { name: 'audited', tier: 'free' } } });

    const created = await g.admin('GET', `${path}?event_types[]=organization.created`);
    expect(created.body.data.map((e: { type: string }) => e.type)).toEqual(['organization.created']);
    const byOperator = await g.admin('GET', `${path}?actor_ids[]=operator&limit=2`);
    expect(byOperator.body).toMatchObject({ has_more: true });
    expect(byOperator.body.data).toHaveLength(2);
    const next = await g.admin('GET', `${path}?actor_ids[]=operator&limit=2&after=${byOperator.body.last_id}`);
    expect(next.body).toMatchObject({ has_more: false });
    expect([...byOperator.body.data, ...next.body.data].map((e: { id: string }) => e.id)).toEqual(all.body.data.map((e: { id: string }) => e.id));
    const future = await g.admin('GET', `${path}?effective_at[gt]=${Math.floor(Date.now() / 1000) + 3600}`);
    expect(future.body.data).toEqual([]);

    // Another organization's entries never show.
    const other = await g.admin('GET', `/admin/v1/organizations/${g.orgId}/audit_logs`);
    expect(other.body.data.every((e: { 'organization.created'?: { id: string } }) => e['organization.created']?.id !== org.id)).toBe(true);
  });

  it('keeps a deleted organization\'s log readable; an unknown one is 404; a bad filter is 400', async () => {
    const org = (await g.admin('POST', '/admin/v1/organizations', { name: 'short-lived' })).body;
    expect((await g.admin('DELETE', `/admin/v1/organizations/${org.id}`)).status).toBe(200);
    const log = await g.admin('GET', `/admin/v1/organizations/${org.id}/audit_logs`);
    expect(log.body.data.map((e: { type: string }) => e.type)).toEqual(['organization.deleted', 'organization.created']);

    const missing = await g.admin('GET', '/admin/v1/organizations/org-nope/audit_logs');
    expect(missing.status).toBe(404);
    const bad = await g.admin('GET', `/admin/v1/organizations/${org.id}/audit_logs?effective_at[gt]=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('effective_at[gt]');
  });
});

/**
 * Project limits at scale-out: three gateway processes share PostgreSQL and Redis; a project's
 * daily request limit under its organization's, and the project's spend limit, hold exactly
 * under a burst that arrives at all three at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import { openStore, type Store } from 'tollgate';
import { countStatuses } from './load.js';
import { useCluster } from './use-cluster.js';

const MODEL = { name: 'sim-small', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }, simulator: { max_concurrency: 1024, max_queue: 1024 } };
const PRICEY = { ...MODEL, name: 'sim-pricey', pricing: { input_per_1m: 100, output_per_1m: 0.6 } };

let store: Store;

const fx = useCluster({ instances: 3, config: { models: [MODEL, PRICEY], default_tier: 'unlimited', usage: { flush_interval_ms: 50 } } });
beforeAll(async () => {
  store = await openStore(fx.cluster.databaseUrl);
});
afterAll(async () => {
  await store?.close();
});

describe('project limits across 3 gateway processes', () => {
  it('500 simultaneous requests against a project RPD of 100 under an organization RPD of 1,000 admit exactly 100', async () => {
    const t = await fx.cluster.newTenant('project-rpd');
    expect((await fx.cluster.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_day: 1000 })).status).toBe(200);
    // Set before the organization's first request: no instance has its rows cached yet.
    const project = (await store.projects.defaultOf(t.orgId))!;
    await store.rateLimits.setProjectLimit(project.id, 'sim-small', { max_requests_per_1_day: 100 });

    const body = { model: 'sim-small', messages: [{ role: 'user', content: 'Count me once' }], max_tokens: 3 };
    const replies = await fx.burst(t.apiKey, Array.from({ length: 500 }, () => body));
    expect(countStatuses(replies)).toEqual({ 200: 100, 429: 400 });
    for (const r of replies.filter((x) => x.status === 429)) {
      expect(r.body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
      expect(r.body.error.message).toContain('on requests per day (RPD): Limit 100, Used 100, Requested 1.');
    }
    const after = await Promise.all(fx.cluster.instances.map((inst) => fx.http.post(inst.baseURL, t.apiKey, '/chat/completions', body)));
    expect(after.map((r) => r.status)).toEqual([429, 429, 429]);
  }, 180_000);

  it('300 simultaneous requests against a project spend limit admit spend <= the limit; the refused say project_spend_limit_exceeded', async () => {
    const t = await fx.cluster.newTenant('project-spend');
    const project = (await store.projects.defaultOf(t.orgId))!;
    const limitPico = 1_000_000_000_000n; // $1: about 10 requests of about $0.10
    await store.projects.setSpendLimit(t.orgId, project.id, limitPico);

    const body = { model: 'sim-pricey', messages: [{ role: 'user', content: 'word '.repeat(1000) }], max_tokens: 3 };
    const replies = await fx.burst(t.apiKey, Array.from({ length: 300 }, () => body));
    const ok = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status !== 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.body.error).toMatchObject({ type: 'insufficient_quota', code: 'project_spend_limit_exceeded' });
      expect(r.headers['x-should-retry']).toBe('false');
    }
    // Every admitted request is in the ledger once the instances flushed; their sum is within the limit.
    let spent = 0n;
    for (let i = 0; i < 100; i++) {
      const rows = await billingDb(store).selectFrom('usage_events').select(['cost_pico']).where('org_id', '=', t.orgId).where('status_code', '=', 200).execute();
      spent = rows.reduce((a, r) => a + BigInt(r.cost_pico), 0n);
      if (rows.length === ok.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(spent).toBeGreaterThan(0n);
    expect(spent).toBeLessThanOrEqual(limitPico);
  }, 180_000);
});

/**
 * Issue 4 at scale-out: three gateway processes share PostgreSQL and Redis, and an organization's
 * daily request and token limits hold exactly across them under a burst that arrives at all three
 * at once.
 */
import { describe, expect, it } from 'vitest';
import { REDIS_KINDS } from './cluster.js';
import { countStatuses } from './load.js';
import { useCluster } from './use-cluster.js';

const MODEL = { name: 'sim-small', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }, simulator: { max_concurrency: 1024, max_queue: 1024 } };

describe.each(REDIS_KINDS)('rate limits across 3 gateway processes on %s', (_kind, redis) => {
  const fx = useCluster({ instances: 3, redis, config: { models: [MODEL], default_tier: 'unlimited', usage: { flush_interval_ms: 50 } } });

  it('admits exactly 100 of 500 simultaneous requests under 100 requests per day', async () => {
    const t = await fx.cluster.newTenant('rpd-org');
    const put = await fx.cluster.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_day: 100 });
    expect(put.status).toBe(200);

    const body = { model: 'sim-small', messages: [{ role: 'user', content: 'Count me once' }], max_tokens: 3 };
    const replies = await fx.burst(t.apiKey, Array.from({ length: 500 }, () => body));

    expect(countStatuses(replies)).toEqual({ 200: 100, 429: 400 });
    // Each admitted request was counted exactly once, in one atomic step: the remaining counts
    // they were told are 99, 98, …, 0, each seen once.
    const remaining = replies.filter((r) => r.status === 200).map((r) => Number(r.headers['x-ratelimit-remaining-requests']));
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const r of replies.filter((x) => x.status === 429)) {
      expect(r.body.error.type).toBe('requests');
      expect(r.body.error.code).toBe('rate_limit_exceeded');
      expect(r.body.error.message).toMatch(new RegExp(`^Rate limit reached for sim-small in organization ${t.orgId} on requests per day \\(RPD\\): Limit 100, Used 100, Requested 1\\. Please try again in `));
      expect(Number(r.headers['retry-after-ms'])).toBeGreaterThan(0);
      expect(r.headers['x-ratelimit-limit-requests']).toBe('100');
    }

    // Still exact after the burst, on every instance.
    const after = await Promise.all(fx.cluster.instances.map((inst) => fx.http.post(inst.baseURL, t.apiKey, '/chat/completions', body)));
    expect(after.map((r) => r.status)).toEqual([429, 429, 429]);
  });

  it('never lets admitted tokens pass a tokens-per-day limit, with mixed request sizes', async () => {
    const t = await fx.cluster.newTenant('tpd-org');
    const LIMIT = 12_000;
    const put = await fx.cluster.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_tokens_per_1_day: LIMIT });
    expect(put.status).toBe(200);

    const sizes = [8, 40, 120, 250];
    const bodies = Array.from({ length: 300 }, (_, i) => ({
      model: 'sim-small',
      messages: [{ role: 'user', content: `Request ${i}: ` + 'tell me more '.repeat(1 + (i % 7) * 5) }],
      max_tokens: sizes[i % sizes.length],
      seed: i,
    }));
    const started = Date.now();
    const replies = await fx.burst(t.apiKey, bodies);
    const elapsedMs = Date.now() - started;

    const ok = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status === 429);
    expect(ok.length + refused.length).toBe(300);
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body.error.type).toBe('tokens');
      expect(r.body.error.code).toBe('rate_limit_exceeded');
      expect(r.body.error.message).toContain(`on tokens per day (TPD): Limit ${LIMIT}, Used `);
    }
    const used = ok.reduce((s, r) => s + (r.body.usage.total_tokens as number), 0);
    // The bucket refills continuously (LIMIT per day): during the burst that adds at most this many.
    const refill = Math.ceil((LIMIT * (elapsedMs + 1000)) / 86_400_000);
    expect(used).toBeLessThanOrEqual(LIMIT + refill);

    // The ledger (flushed by all three instances) holds exactly the admitted usage.
    const start = Math.floor(Date.now() / 1000) - 86_400;
    let ledgerTokens = -1;
    for (let i = 0; i < 200 && ledgerTokens !== used; i++) {
      const rep = await fx.cluster.admin('GET', `/admin/v1/organizations/${t.orgId}/usage/completions?start_time=${start}&bucket_width=1d&limit=2`, undefined, i % 3);
      expect(rep.status).toBe(200);
      ledgerTokens = rep.body.data.flatMap((b: any) => b.results).reduce((s: number, x: any) => s + x.input_tokens + x.output_tokens, 0);
      if (ledgerTokens !== used) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ledgerTokens).toBe(used);
  });

  it('a limit set through one instance binds on all of them at once', async () => {
    const t = await fx.cluster.newTenant('changed-org');
    const body = { model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 };
    // Unlimited at first; every instance authenticates the key, which caches the organization's
    // limits. Refused as invalid, so nothing is used: a limit set where there was none starts from
    // the requests in the ledger (limit-seed.test.ts), and this test is about the cached limits.
    const warm = await Promise.all(fx.cluster.instances.map((inst) => fx.http.post(inst.baseURL, t.apiKey, '/chat/completions', { ...body, max_tokens: -1 })));
    expect(warm.map((r) => r.status)).toEqual([400, 400, 400]);

    expect((await fx.cluster.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_day: 2 })).status).toBe(200);
    const after = await fx.burst(t.apiKey, Array.from({ length: 30 }, () => body));
    expect(countStatuses(after)).toEqual({ 200: 2, 429: 28 });
  });

  it('a limit raised after use keeps what was used, on every instance: exactly the new limit − used pass', async () => {
    const t = await fx.cluster.newTenant('raised-org');
    const body = { model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 };
    expect((await fx.cluster.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_day: 3 })).status).toBe(200);
    expect(countStatuses(await fx.burst(t.apiKey, Array.from({ length: 10 }, () => body)))).toEqual({ 200: 3, 429: 7 });

    expect((await fx.cluster.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_day: 100 })).status).toBe(200);
    const replies = await fx.burst(t.apiKey, Array.from({ length: 200 }, () => body));
    expect(countStatuses(replies)).toEqual({ 200: 97, 429: 103 });
    const remaining = replies.filter((r) => r.status === 200).map((r) => Number(r.headers['x-ratelimit-remaining-requests']));
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 97 }, (_, i) => i));
    for (const r of replies.filter((x) => x.status === 429)) expect(r.body.error.message).toContain('Limit 100, Used 100, Requested 1.');
  });
});

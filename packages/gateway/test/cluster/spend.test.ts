/**
 * Issue 5 at scale-out: three gateway processes share PostgreSQL and Redis, and an organization's
 * monthly hard limit holds exactly across them: the worst-case cost of every admitted request is
 * reserved in one atomic step, so a burst at all three instances never spends past the limit; the
 * rest get 429 insufficient_quota, which the official SDK does not retry. A change of either
 * limit (the operator's approved one, the organization's own) through one instance binds on all.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { REDIS_KINDS, type Tenant } from './cluster.js';
import { countStatuses } from './load.js';
import { useCluster } from './use-cluster.js';

// 1000 USD per million tokens = 1000 µ$ per token: every cost below is a whole number of µ$.
const MODEL = { name: 'sim-small', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 1000, output_per_1m: 1000 }, simulator: { max_concurrency: 1024, max_queue: 1024 } };
const MICROS_PER_TOKEN = 1000;
const MAX_TOKENS = 5;
const BODY = { model: 'sim-small', messages: [{ role: 'user', content: 'What does this cost?' }], max_tokens: MAX_TOKENS, seed: 1 };

const sumMicros = (values: number[]) => values.reduce((s, v) => s + Math.round(v * 1_000_000), 0);

describe.each(REDIS_KINDS)('spend quota across 3 gateway processes on %s', (_kind, redis) => {
  const fx = useCluster({ instances: 3, redis, config: { models: [MODEL], default_tier: 'unlimited', usage: { flush_interval_ms: 50 } } });

  let t: Tenant;

  it('never spends past the hard limit under a burst of 300 at once', async () => {
    // The prompt's token count, learnt from an unlimited organization; the answer always fills
    // max_tokens, so every request costs exactly its worst case.
    const probe = await fx.cluster.newTenant('probe-org');
    const dry = await fx.http.post(fx.cluster.instances[0]!.baseURL, probe.apiKey, '/chat/completions', BODY);
    expect(dry.status).toBe(200);
    expect(dry.body.usage.completion_tokens).toBe(MAX_TOKENS);
    const worstMicros = (dry.body.usage.prompt_tokens + MAX_TOKENS) * MICROS_PER_TOKEN;
    const hardMicros = 100 * worstMicros;

    t = await fx.cluster.newTenant('quota-org');
    const put = await fx.cluster.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: hardMicros / 1e6 });
    expect(put.status).toBe(200);

    const replies = await fx.burst(t.apiKey, Array.from({ length: 300 }, () => BODY));
    expect(countStatuses(replies)).toEqual({ 200: 100, 429: 200 });
    for (const r of replies.filter((x) => x.status === 429)) {
      expect(r.body.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota', param: null });
      expect(r.headers['x-should-retry']).toBe('false');
    }
    const admittedMicros = replies.filter((r) => r.status === 200).reduce((s, r) => s + (r.body.usage.prompt_tokens + r.body.usage.completion_tokens) * MICROS_PER_TOKEN, 0);
    expect(admittedMicros).toBe(hardMicros);

    // The counters, read through another instance: all settled, nothing held, spend = the limit.
    const billing = await fx.cluster.admin('GET', `/admin/v1/organizations/${t.orgId}/billing`, undefined, 2);
    expect(billing.status).toBe(200);
    expect(Math.round(billing.body.spent_usd * 1e6)).toBe(admittedMicros);
    expect(billing.body.reserved_usd).toBe(0);
    expect(billing.body.spent_usd).toBeLessThanOrEqual(billing.body.hard_limit_usd);

    // The ledger, written by all three instances, says the same once they have flushed.
    const start = Math.floor(Date.now() / 1000) - 86_400;
    let ledgerMicros = -1;
    for (let i = 0; i < 200 && ledgerMicros !== admittedMicros; i++) {
      const costs = await fx.cluster.admin('GET', `/admin/v1/organizations/${t.orgId}/costs?start_time=${start}&bucket_width=1d&limit=2`, undefined, i % 3);
      expect(costs.status).toBe(200);
      ledgerMicros = sumMicros(costs.body.data.flatMap((b: any) => b.results.map((x: any) => x.amount.value)));
      if (ledgerMicros !== admittedMicros) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ledgerMicros).toBe(admittedMicros);
    expect(ledgerMicros).toBeLessThanOrEqual(hardMicros);
  });

  it('the official SDK gets RateLimitError insufficient_quota and does not retry it', async () => {
    let calls = 0;
    const client = new OpenAI({
      baseURL: fx.cluster.instances[1]!.baseURL,
      apiKey: t.apiKey,
      // maxRetries stays at the SDK's default (2): only x-should-retry: false stops it.
      fetch: (input, init) => {
        calls++;
        return globalThis.fetch(input, init);
      },
    });
    const err = await client.chat.completions.create(BODY as OpenAI.ChatCompletionCreateParamsNonStreaming).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('insufficient_quota');
    expect(calls).toBe(1);
  });

  it('a lowered hard limit binds on every instance at once, not only the one that changed it', async () => {
    const o = await fx.cluster.newTenant('lowered-org');
    expect((await fx.cluster.admin('PUT', `/admin/v1/organizations/${o.orgId}/billing`, { hard_limit_usd: 1000 })).status).toBe(200);
    // Every instance serves the organization once, so each has its limits in memory.
    const warm = await Promise.all(fx.cluster.instances.map((inst) => fx.http.post(inst.baseURL, o.apiKey, '/chat/completions', BODY)));
    expect(warm.map((r) => r.status)).toEqual([200, 200, 200]);
    const spent = (await fx.cluster.admin('GET', `/admin/v1/organizations/${o.orgId}/billing`)).body.spent_usd as number;

    // Lowered through instance 0 to what is already spent: no further request fits anywhere.
    expect((await fx.cluster.admin('PUT', `/admin/v1/organizations/${o.orgId}/billing`, { hard_limit_usd: spent })).status).toBe(200);
    const after = await Promise.all(fx.cluster.instances.map((inst) => fx.http.post(inst.baseURL, o.apiKey, '/chat/completions', BODY)));
    expect(after.map((r) => `${r.status} ${r.body.error?.code ?? ''}`)).toEqual(Array(3).fill('429 insufficient_quota'));
  });

  it("the organization's own spend limit binds on every instance at once, and its removal leaves the approved one", async () => {
    const o = await fx.cluster.newTenant('own-limit-org', { adminKey: true });
    expect((await fx.cluster.admin('PUT', `/admin/v1/organizations/${o.orgId}/billing`, { hard_limit_usd: 1000 })).status).toBe(200);
    const warm = await Promise.all(fx.cluster.instances.map((inst) => fx.http.post(inst.baseURL, o.apiKey, '/chat/completions', BODY)));
    expect(warm.map((r) => r.status)).toEqual([200, 200, 200]);
    const spent = (await fx.cluster.admin('GET', `/admin/v1/organizations/${o.orgId}/billing`)).body.spent_usd as number;
    const owner = (i: number) => new OpenAI({ adminAPIKey: o.adminKey!, apiKey: null as unknown as string, baseURL: fx.cluster.instances[i]!.baseURL, maxRetries: 0 }).admin.organization;
    const statuses = async () => (await Promise.all(fx.cluster.instances.map((inst) => fx.http.post(inst.baseURL, o.apiKey, '/chat/completions', BODY)))).map((r) => `${r.status} ${r.body.error?.code ?? ''}`);

    // The owner sets, through instance 1, the whole cents just above what is spent: less than one
    // request (about 1.5 cents) is left, so none fits anywhere.
    const cents = Math.ceil(spent * 100);
    await owner(1).spendLimit.update({ threshold_amount: cents, currency: 'USD', interval: 'month' });
    expect(await statuses()).toEqual(Array(3).fill('429 organization_spend_limit_exceeded'));

    // Removed through instance 2: the approved $1,000 is what binds again, everywhere.
    await owner(2).spendLimit.delete();
    expect(await statuses()).toEqual(Array(3).fill('200 '));
    const billing = (await fx.cluster.admin('GET', `/admin/v1/organizations/${o.orgId}/billing`, undefined, 1)).body;
    expect(billing).toMatchObject({ hard_limit_usd: 1000, spend_limit_usd: null, enforced_hard_limit_usd: 1000 });
  });
});

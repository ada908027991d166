/**
 * Issue 5's acceptance at the gateway level: the monthly hard limit refuses with OpenAI's
 * insufficient_quota 429 that the SDK does not retry, a stream costs exactly what the same
 * request costs unstreamed, hundreds of concurrent requests never overspend the enforced limit
 * (the lower of the operator's approved one and the organization's own, with a project's above
 * it), and the usage and cost reports agree with the answers' own usage and with the ledger,
 * bucket by bucket.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import type { TestGateway } from '../support/gateway.js';
import { formatUsd, usdToPico } from '../../src/billing/pricing.js';
import { countingFetch, expectedCostPico, rejection, sdk, startAcceptanceGateway } from './helpers.js';

let gw: TestGateway;
let main: OpenAI;

beforeAll(async () => {
  gw = await startAcceptanceGateway();
  main = sdk(gw);
});
afterAll(() => gw.close());

const QUOTA_MESSAGE =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: http://gateway.test/docs/errors#insufficient_quota.';

interface Billing {
  hard_limit_usd: number | null;
  spent_usd: number;
  reserved_usd: number;
}

async function billing(orgId: string): Promise<Billing> {
  const r = await gw.admin('GET', `/admin/v1/organizations/${orgId}/billing`);
  expect(r.status).toBe(200);
  return r.body as Billing;
}

/** A USD figure from the API as pico-dollars (exact for the amounts of these tests), and back. */
const pico = (usd: number) => usdToPico(usd);
const usd = (p: bigint) => Number(formatUsd(p));

async function setHardLimit(orgId: string, usd: number): Promise<void> {
  const r = await gw.admin('PUT', `/admin/v1/organizations/${orgId}/billing`, { hard_limit_usd: usd });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.hard_limit_usd).toBe(usd);
}

/**
 * A request whose answer always fills max_tokens (every simulated answer is at least 16 tokens
 * long), so that its cost equals its worst case and the number that fit a limit is exact.
 */
const FULL_ANSWER = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'Count to ten' }], max_tokens: 5 };
/** The same at sim-large's prices: about $0.000175, so that a limit of whole cents affords about 57. */
const LARGE_FULL_ANSWER = { ...FULL_ANSWER, model: 'sim-large', max_tokens: 15 };

async function fullAnswerCost(body: typeof FULL_ANSWER = FULL_ANSWER): Promise<bigint> {
  const r = await main.chat.completions.create(body);
  expect(r.usage!.completion_tokens).toBe(body.max_tokens);
  return expectedCostPico(body.model, r.usage!.prompt_tokens, r.usage!.completion_tokens);
}

const CENT = 10_000_000_000n;
const month = { currency: 'USD', interval: 'month' } as const;

/** Sets the organization's own spend limit as its owner does: the official SDK's admin client. */
async function setOwnLimit(adminKey: string, cents: number): Promise<void> {
  const org = new OpenAI({ adminAPIKey: adminKey, apiKey: null as unknown as string, baseURL: gw.baseURL, maxRetries: 0 }).admin.organization;
  expect(await org.spendLimit.update({ threshold_amount: cents, ...month })).toMatchObject({ threshold_amount: cents });
}

describe('the monthly hard limit', () => {
  it('admits what fits, then answers insufficient_quota, which the SDK does not retry', async () => {
    const cost = await fullAnswerCost();
    const t = await gw.newTenant('quota-basic');
    await setHardLimit(t.orgId, usd(3n * cost));
    const client = sdk(gw, { apiKey: t.apiKey });
    for (let i = 0; i < 3; i++) await client.chat.completions.create(FULL_ANSWER);
    expect(pico((await billing(t.orgId)).spent_usd)).toBe(3n * cost);

    const { fetch, sent } = countingFetch();
    const retrying = sdk(gw, { apiKey: t.apiKey, maxRetries: 2, fetch });
    const err = await rejection(retrying.chat.completions.create(FULL_ANSWER));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(sent).toHaveLength(1);
    expect(e.status).toBe(429);
    expect(e.type).toBe('insufficient_quota');
    // The operator's approved hard limit is the quota of issue 5: OpenAI's own code.
    expect(e.code).toBe('insufficient_quota');
    expect(e.param).toBeNull();
    expect((e.error as { message: string }).message).toBe(QUOTA_MESSAGE);
    expect(e.message).toBe(`429 ${QUOTA_MESSAGE}`);
    expect(e.headers.get('x-should-retry')).toBe('false');

    // Streams are refused the same way, before any byte of a stream.
    const streamErr = await rejection(client.chat.completions.create({ ...FULL_ANSWER, stream: true }));
    expect(streamErr).toBeInstanceOf(OpenAI.RateLimitError);
    expect((streamErr as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('insufficient_quota');
    const after = await billing(t.orgId);
    expect(pico(after.spent_usd)).toBe(3n * cost);
    expect(after.reserved_usd).toBe(0);
  });

  /**
   * Each case sets the limits, then sends `n` requests at once. Each request reserves its worst
   * case, which is also its real cost: the lower limit admits exactly `floor(limit / cost)` of
   * them, however they interleave, and the recorded spend never passes it.
   */
  const cases: { name: string; body: typeof FULL_ANSWER; n: number; code: string; set(t: { orgId: string; adminKey: string; apiKey: string }, cost: bigint): Promise<bigint> }[] = [
    {
      name: 'the approved limit alone, 300 requests',
      body: FULL_ANSWER,
      n: 300,
      code: 'insufficient_quota',
      async set(t, cost) {
        await setHardLimit(t.orgId, usd(100n * cost));
        return 100n * cost;
      },
    },
    {
      name: "the organization's own limit below the approved one, a project's above both, 200 requests",
      body: LARGE_FULL_ANSWER,
      n: 200,
      code: 'organization_spend_limit_exceeded',
      async set(t, cost) {
        await setHardLimit(t.orgId, usd(100n * cost));
        await setOwnLimit(t.adminKey, 1);
        const project = (await gw.gateway.services.store.projects.defaultOf(t.orgId))!;
        const org = new OpenAI({ adminAPIKey: t.adminKey, apiKey: null as unknown as string, baseURL: gw.baseURL, maxRetries: 0 }).admin.organization;
        await org.projects.spendLimit.update(project.id, { threshold_amount: 10, ...month });
        expect(CENT).toBeLessThan(100n * cost);
        return CENT;
      },
    },
    {
      name: "the approved limit lowered below the organization's own, 200 requests",
      body: LARGE_FULL_ANSWER,
      n: 200,
      code: 'insufficient_quota',
      async set(t, cost) {
        await setHardLimit(t.orgId, 0.02);
        await setOwnLimit(t.adminKey, 2);
        await setHardLimit(t.orgId, usd(50n * cost));
        expect((await billing(t.orgId)) as unknown).toMatchObject({ spend_limit_usd: 0.02, enforced_hard_limit_usd: usd(50n * cost) });
        return 50n * cost;
      },
    },
  ];

  it.each(cases)('never overspends the enforced limit under concurrent requests: $name', async ({ body, n, code, set }) => {
    const cost = await fullAnswerCost(body);
    const t = await gw.newTenant('quota-concurrent', { adminKey: true });
    const enforced = await set({ orgId: t.orgId, adminKey: t.adminKey!, apiKey: t.apiKey }, cost);
    const client = sdk(gw, { apiKey: t.apiKey });

    const outcomes = await Promise.all(
      Array.from({ length: n }, () =>
        client.chat.completions.create(body).then(
          () => 'ok',
          (e: unknown) => (e instanceof OpenAI.RateLimitError && e.code === code ? 'quota' : `unexpected: ${String(e)}`),
        ),
      ),
    );
    const admitted = outcomes.filter((o) => o === 'ok').length;
    expect(outcomes.filter((o) => o !== 'ok' && o !== 'quota')).toEqual([]);
    const b = await billing(t.orgId);
    expect(pico(b.spent_usd)).toBeLessThanOrEqual(enforced);
    expect(b.reserved_usd).toBe(0);
    expect(pico(b.spent_usd)).toBe(BigInt(admitted) * cost);
    expect(admitted).toBe(Number(enforced / cost));
    expect(admitted).toBeGreaterThanOrEqual(40);
    expect(admitted).toBeLessThan(n);
  });
});

describe('streaming', () => {
  it('is charged exactly what the same request costs without streaming', async () => {
    const t = await gw.newTenant('quota-stream');
    const client = sdk(gw, { apiKey: t.apiKey });
    const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'Describe the sea' }], seed: 11, max_tokens: 120 };
    const startSeconds = Math.floor(Date.now() / 1000) - 60;

    const spent0 = pico((await billing(t.orgId)).spent_usd);
    const plain = await client.chat.completions.create(body);
    const spent1 = pico((await billing(t.orgId)).spent_usd);

    let text = '';
    for await (const c of await client.chat.completions.create({ ...body, stream: true })) text += c.choices[0]?.delta?.content ?? '';
    const spent2 = pico((await billing(t.orgId)).spent_usd);

    let reported: OpenAI.CompletionUsage | null | undefined;
    for await (const c of await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } })) reported ??= c.usage;
    const spent3 = pico((await billing(t.orgId)).spent_usd);

    expect(text).toBe(plain.choices[0]!.message.content);
    expect(reported).toEqual(plain.usage);
    const expected = expectedCostPico('sim-small', plain.usage!.prompt_tokens, plain.usage!.completion_tokens);
    expect(spent1 - spent0).toBe(expected);
    expect(spent2 - spent1).toBe(expected);
    expect(spent3 - spent2).toBe(expected);

    await gw.gateway.services.ledger.flush();
    const costs = await gw.admin('GET', `/admin/v1/organizations/${t.orgId}/costs?start_time=${startSeconds}&bucket_width=1d&group_by=line_item`);
    const lines = costs.body.data.flatMap((b: { results: unknown[] }) => b.results);
    expect(lines).toHaveLength(1);
    expect(usdToPico(lines[0].amount.exact_value)).toBe(3n * expected);
  });
});

describe('usage and cost reports', () => {
  it('match the answers and the ledger, bucket by bucket', async () => {
    const t = await gw.newTenant('quota-reports');
    const client = sdk(gw, { apiKey: t.apiKey });
    const startSeconds = Math.floor(Date.now() / 1000) - 120;
    const mine = new Map<string, { requests: number; input: number; output: number; cost: bigint }>();
    const add = (model: string, prompt: number, completion: number) => {
      const m = mine.get(model) ?? { requests: 0, input: 0, output: 0, cost: 0n };
      m.requests++;
      m.input += prompt;
      m.output += completion;
      m.cost += expectedCostPico(model, prompt, completion);
      mine.set(model, m);
    };

    for (const [seed, max] of [[1, 30], [2, 200], [3, 7]] as const) {
      const r = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: `Question ${seed}` }], seed, max_tokens: max });
      add('sim-small', r.usage!.prompt_tokens, r.usage!.completion_tokens);
    }
    let streamed: OpenAI.CompletionUsage | undefined;
    for await (const c of await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Streamed' }], stream: true, stream_options: { include_usage: true } })) {
      if (c.usage) streamed = c.usage;
    }
    add('sim-small', streamed!.prompt_tokens, streamed!.completion_tokens);
    const legacy = await client.completions.create({ model: 'sim-large', prompt: 'Once upon a time', max_tokens: 40 });
    add('sim-large', legacy.usage!.prompt_tokens, legacy.usage!.completion_tokens);
    const emb = await client.embeddings.create({ model: 'sim-embed', input: ['one', 'two words', 'three more words'] });
    add('sim-embed', emb.usage.prompt_tokens, 0);

    await gw.gateway.services.ledger.flush();
    const report = async (path: string, width: string) => {
      const r = await gw.admin('GET', `/admin/v1/organizations/${t.orgId}/${path}?start_time=${startSeconds}&bucket_width=${width}&group_by=${path === 'costs' ? 'line_item' : 'model'}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.has_more).toBe(false);
      return r.body.data as { start_time: number; end_time: number; results: any[] }[];
    };

    // Daily buckets (from the rollups): per model, exactly the sums of the answers' usage.
    const daily = (await report('usage/completions', '1d')).flatMap((b) => b.results);
    const dailyCosts = (await report('costs', '1d')).flatMap((b) => b.results);
    const perModel = (rows: any[], key: string) => {
      const out = new Map<string, any[]>();
      for (const r of rows) out.set(r[key], [...(out.get(r[key]) ?? []), r]);
      return out;
    };
    const usageByModel = perModel(daily, 'model');
    const costByModel = perModel(dailyCosts, 'line_item');
    expect([...usageByModel.keys()].sort()).toEqual([...mine.keys()].sort());
    expect([...costByModel.keys()].sort()).toEqual([...mine.keys()].sort());
    for (const [model, m] of mine) {
      const u = usageByModel.get(model)!;
      const sum = (k: string) => u.reduce((s, r) => s + r[k], 0);
      expect({ model, requests: sum('num_model_requests'), input: sum('input_tokens'), output: sum('output_tokens') }).toEqual({ model, requests: m.requests, input: m.input, output: m.output });
      expect(costByModel.get(model)!.reduce((s, r) => s + usdToPico(r.amount.exact_value), 0n)).toBe(m.cost);
    }

    // Minute buckets (from the raw events) against the ledger's own rows, bucket by bucket.
    const events = await billingDb(gw.gateway.services.store).selectFrom('usage_events').selectAll().where('org_id', '=', t.orgId).execute();
    expect(events).toHaveLength([...mine.values()].reduce((s, m) => s + m.requests, 0));
    const ledger = new Map<string, { requests: number; input: number; output: number; cost: bigint }>();
    for (const e of events) {
      const k = `${Math.floor(Number(e.created_at) / 60_000) * 60}|${e.model}`;
      const g = ledger.get(k) ?? { requests: 0, input: 0, output: 0, cost: 0n };
      g.requests++;
      g.input += Number(e.prompt_tokens);
      g.output += Number(e.completion_tokens);
      g.cost += BigInt(e.cost_pico);
      ledger.set(k, g);
    }
    const minuteUsage = await report('usage/completions', '1m');
    const minuteCosts = await report('costs', '1m');
    const fromReports = new Map<string, { requests: number; input: number; output: number; cost: bigint }>();
    for (const b of minuteUsage) {
      expect(b.end_time - b.start_time).toBe(60);
      for (const r of b.results) fromReports.set(`${b.start_time}|${r.model}`, { requests: r.num_model_requests, input: r.input_tokens, output: r.output_tokens, cost: 0n });
    }
    for (const b of minuteCosts) for (const r of b.results) fromReports.get(`${b.start_time}|${r.line_item}`)!.cost = usdToPico(r.amount.exact_value);
    expect(Object.fromEntries(fromReports)).toEqual(Object.fromEntries(ledger));
  });
});

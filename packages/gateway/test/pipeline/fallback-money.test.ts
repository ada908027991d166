/**
 * Issue 10, item 2: the model that served is the model that is priced, recorded and
 * permission-checked. `cheap` ($1/$2 per 1M) has an upstream that answers 503 and falls back to
 * `expensive` ($100/$200). The answer is billed at `expensive`'s price and recorded under its
 * name; the reservation covers `expensive`, so a $0.01 hard limit refuses what `expensive` could
 * overspend; and a fallback never serves a model the organization's allow-list excludes.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import { moneyText } from '../../src/billing/money-column.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { errorBody, json, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { upstreamModel } from '../upstream-e2e/harness.js';

let down: FakeUpstream;
let gw: TestGateway;

beforeAll(async () => {
  down = await startFakeUpstream((_, res) => json(res, 503, errorBody('The engine is currently overloaded, please try again later', 'service_unavailable_error', 'server_is_overloaded')));
  gw = await startTestGateway({
    models: [
      upstreamModel('cheap', [{ base_url: down.baseUrl }], { pricing: { input_per_1m: 1, output_per_1m: 2 }, fallbacks: ['expensive'] }),
      { name: 'expensive', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 100, output_per_1m: 200 } },
    ],
    default_tier: 'unlimited',
    usage: { flush_interval_ms: 20 },
  });
});
afterAll(async () => {
  await gw?.close();
  await down?.close();
});

const client = (apiKey: string) => new OpenAI({ baseURL: gw.baseURL, apiKey, maxRetries: 0 });
const ask = (max_tokens: number) => ({ model: 'cheap', messages: [{ role: 'user' as const, content: 'What does this cost?' }], max_tokens, seed: 3 });

async function events(orgId: string) {
  await gw.gateway.services.ledger.flush();
  return billingDb(gw.gateway.services.store)
    .selectFrom('usage_events')
    .select(['model', 'requested_model', 'prompt_tokens', 'completion_tokens', 'status_code', moneyText('cost_pico').as('cost')])
    .where('org_id', '=', orgId)
    .execute();
}

describe('a fallback is priced, recorded and reported as the model that served', () => {
  it('cheap → expensive: billed at $100/$200, recorded and reported as expensive', async () => {
    const t = await gw.newTenant('fb-price');
    const r = await client(t.apiKey).chat.completions.create(ask(16));
    expect(r.model).toBe('expensive');
    const u = r.usage!;
    // Independently: tokens × expensive's µ$ per 1M = pico-dollars.
    const expected = BigInt(u.prompt_tokens) * 100_000_000n + BigInt(u.completion_tokens) * 200_000_000n;
    const rows = await events(t.orgId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model: 'expensive', status_code: 200 });
    expect(BigInt(rows[0]!.cost)).toBe(expected);
    const costs = await gw.admin('GET', `/admin/v1/organizations/${t.orgId}/costs?start_time=${Math.floor(Date.now() / 1000) - 3600}&group_by=line_item`);
    const lines = costs.body.data.flatMap((b: { results: unknown[] }) => b.results);
    expect(lines).toEqual([expect.objectContaining({ line_item: 'expensive', amount: expect.objectContaining({ exact_value: (Number(expected) / 1e12).toFixed(12) }) })]);
  });

  it('a $0.01 hard limit: the reservation covers expensive, so what it could overspend is refused', async () => {
    const t = await gw.newTenant('fb-limit');
    expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: 0.01 })).status).toBe(200);
    // 100 output tokens: at most $0.0002 at cheap's price, but $0.02 at expensive's.
    const err = await client(t.apiKey).chat.completions.create(ask(100)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('insufficient_quota');
    // Within the limit even at expensive's price: served, and spend never passes the limit.
    for (let i = 0; i < 3; i++) await client(t.apiKey).chat.completions.create(ask(5)).catch(() => undefined);
    const billing = await gw.admin('GET', `/admin/v1/organizations/${t.orgId}/billing`);
    expect(billing.body.spent_usd).toBeGreaterThan(0);
    expect(billing.body.spent_usd).toBeLessThanOrEqual(0.01);
  });

  it('an allow-list without expensive: no fallback to it (the caller hears cheap’s error); a direct call is 403', async () => {
    const t = await gw.newTenant('fb-allow');
    expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/models`, { allowed: ['cheap'] })).status).toBe(200);
    const direct = await client(t.apiKey).chat.completions.create({ ...ask(16), model: 'expensive' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((direct as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
    const err = await client(t.apiKey).chat.completions.create(ask(16)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    // cheap's own overload (429 or 503 per server.overload_status), not an answer from expensive.
    expect([429, 503]).toContain((err as InstanceType<typeof OpenAI.APIError>).status);
    const rows = await events(t.orgId);
    // Two refused requests, neither served nor charged: the direct 403 reached no model (it
    // records what was asked for), cheap's overload came from cheap.
    expect(rows.map((r) => [r.requested_model, r.model, r.status_code >= 400, BigInt(r.cost)]).sort()).toEqual([
      ['cheap', 'cheap', true, 0n],
      ['expensive', '', true, 0n],
    ]);
  });
});

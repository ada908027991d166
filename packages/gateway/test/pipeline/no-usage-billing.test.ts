/**
 * Issue 10, item 21: an upstream answer without `usage` (plain and streamed) is billed from the
 * gateway's own token count and recorded as estimated — never billed 0.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moneyText } from '../../src/billing/money-column.js';
import { billingDb } from '../../src/store/billing-tables.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { chunks, completion, json, sse, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { upstreamModel } from '../upstream-e2e/harness.js';

let up: FakeUpstream;
let gw: TestGateway;

beforeAll(async () => {
  up = await startFakeUpstream(async (req, res) => {
    if ((req.body as { stream?: boolean } | undefined)?.stream) return sse(res, chunks(['Hello', ' there', ', friend.']).slice(0, -1)); // no usage chunk
    const { usage: _dropped, ...body } = completion('Hello there, friend.');
    json(res, 200, body);
  });
  gw = await startTestGateway({ models: [upstreamModel('nousage', [{ base_url: up.baseUrl }])], default_tier: 'unlimited', usage: { flush_interval_ms: 20 } });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

describe('an upstream that reports no usage', () => {
  it.each([false, true])('is billed from the gateway count, marked estimated (stream: %s)', async (stream) => {
    const t = await gw.newTenant(`nousage-${stream}`);
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: t.apiKey, maxRetries: 0 });
    const req = { model: 'nousage', messages: [{ role: 'user' as const, content: 'Say hello to a friend' }], max_tokens: 20 };
    if (stream) for await (const _ of await client.chat.completions.create({ ...req, stream: true })) void _;
    else await client.chat.completions.create(req);
    await gw.gateway.services.ledger.flush();
    const [e] = await billingDb(gw.gateway.services.store)
      .selectFrom('usage_events')
      .select(['prompt_tokens', 'completion_tokens', 'estimated', moneyText('cost_pico').as('cost')])
      .where('org_id', '=', t.orgId)
      .execute();
    expect(e).toBeDefined();
    const prompt = Number(e!.prompt_tokens);
    const completionTokens = Number(e!.completion_tokens);
    expect(prompt).toBeGreaterThan(0);
    expect(completionTokens).toBeGreaterThan(0);
    expect(Number(e!.estimated)).toBe(1);
    // PRICING of the harness: $1 / $2 per 1M = 1 000 000 / 2 000 000 pico-dollars per token.
    expect(BigInt(e!.cost)).toBe(BigInt(prompt) * 1_000_000n + BigInt(completionTokens) * 2_000_000n);
  });
});

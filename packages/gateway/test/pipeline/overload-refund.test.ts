/**
 * Issue 10, item 22: the gateway's own overload is never charged, through the whole pipeline:
 * a request refused by the engine's admission queue gives back its request count, its tokens
 * and its reserved spend.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spendTarget } from '../../src/billing/period.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  // The served call holds the one slot for 2 s, so the three arrive while it is busy even on a
  // loaded machine. Daily limits: a per-minute bucket refills one request every 600 ms, so a
  // slow run would see the refill in the count it checks.
  gw = await startTestGateway({
    models: [{ name: 'slow', context_window: 8192, max_output_tokens: 64, pricing: { input_per_1m: 1, output_per_1m: 2 }, simulator: { ttft_ms: 2000, tokens_per_second: 50 }, admission: { max_concurrency: 1, max_queue: 0, max_wait_ms: 1000 } }],
    tiers: { t: { '*': { max_requests_per_1_day: 100, max_tokens_per_1_day: 100000 } } },
    default_tier: 't',
  });
});
afterAll(() => gw?.close());

it('an overloaded request gives back its request, tokens and reserved spend', async () => {
  const t = await gw.newTenant('overload-refund');
  expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: 10 })).status).toBe(200);
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: t.apiKey, maxRetries: 0 });
  const req = { model: 'slow', messages: [{ role: 'user' as const, content: 'Hi' }], max_tokens: 8 };
  const outcomes = await Promise.all([0, 1, 2].map(() => client.chat.completions.create(req).then(() => 'ok', (e: { status?: number }) => `err ${e.status}`)));
  const ok = outcomes.filter((o) => o === 'ok').length;
  expect(outcomes.filter((o) => o !== 'ok').length).toBeGreaterThan(0);
  // The next request sees only the served ones counted (and itself).
  await gw.gateway.services.settlements.idle();
  const { response } = await client.chat.completions.create(req).withResponse();
  expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(String(100 - ok - 1));
  await gw.gateway.services.settlements.idle();
  const s = spendTarget(t.orgId, Date.now());
  const spend = await gw.gateway.services.counters.spendOf(s.tag, s.key);
  expect(spend.reserved).toBe(0n);
});

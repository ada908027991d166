/**
 * Issue 10, done-when: for 1,000 mixed requests (one-token embeddings, tiny chats, streams, a
 * fallback) the Costs report equals Σ usage × price of the serving model, computed here from the
 * answers' usage and the published prices, to the last pico-dollar.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { usdToPico } from '../../src/billing/pricing.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { errorBody, json, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { upstreamModel } from '../upstream-e2e/harness.js';

/** µ$ per 1M tokens = pico-dollars per token, as the operator writes the prices below. */
const PRICE: Record<string, [bigint, bigint]> = { tiny: [150_000n, 600_000n], embed: [20_000n, 0n], cheap: [1_000_000n, 2_000_000n], expensive: [100_000_000n, 200_000_000n] };
const sim = { ttft_ms: 0, tokens_per_second: 0, max_concurrency: 1024, max_queue: 1024 };

let down: FakeUpstream;
let gw: TestGateway;
beforeAll(async () => {
  down = await startFakeUpstream((_, res) => json(res, 503, errorBody('The engine is currently overloaded, please try again later', 'service_unavailable_error', 'server_is_overloaded')));
  gw = await startTestGateway({
    models: [
      { name: 'tiny', context_window: 8192, max_output_tokens: 64, pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }, simulator: sim },
      { name: 'embed', type: 'embedding', context_window: 8192, max_output_tokens: 1, pricing: { input_per_1m: 0.02, output_per_1m: 0 }, simulator: sim },
      upstreamModel('cheap', [{ base_url: down.baseUrl }], { pricing: { input_per_1m: 1, output_per_1m: 2 }, fallbacks: ['expensive'] }),
      { name: 'expensive', context_window: 8192, max_output_tokens: 64, pricing: { input_per_1m: 100, output_per_1m: 200 }, simulator: sim },
    ],
    default_tier: 'unlimited',
    usage: { flush_interval_ms: 20 },
  });
});
afterAll(async () => {
  await gw?.close();
  await down?.close();
});

it('1,000 mixed requests: the Costs report equals Σ usage × price to the pico-dollar', async () => {
  const t = await gw.newTenant('costs-exact');
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: t.apiKey, maxRetries: 0 });
  const start = Math.floor(Date.now() / 1000) - 3600;
  const want = new Map<string, bigint>();
  const add = (model: string, prompt: number, completion: number) => {
    const [i, o] = PRICE[model]!;
    want.set(model, (want.get(model) ?? 0n) + BigInt(prompt) * i + BigInt(completion) * o);
  };
  const one = async (k: number) => {
    const kind = k % 10;
    if (kind < 5) {
      const r = await client.embeddings.create({ model: 'embed', input: 'a' }); // one token
      add('embed', r.usage.prompt_tokens, 0);
    } else if (kind < 8) {
      const r = await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: `q${k}` }], max_tokens: 1 + (k % 5), seed: k });
      add(r.model, r.usage!.prompt_tokens, r.usage!.completion_tokens);
    } else if (kind < 9) {
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const c of await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: `s${k}` }], max_tokens: 3, stream: true, stream_options: { include_usage: true } })) usage ??= c.usage;
      add('tiny', usage!.prompt_tokens, usage!.completion_tokens);
    } else {
      const r = await client.chat.completions.create({ model: 'cheap', messages: [{ role: 'user', content: `f${k}` }], max_tokens: 2, seed: k });
      add(r.model, r.usage!.prompt_tokens, r.usage!.completion_tokens);
    }
  };
  for (let b = 0; b < 1000; b += 50) await Promise.all(Array.from({ length: 50 }, (_, i) => one(b + i)));
  await gw.gateway.services.ledger.flush();
  const r = await gw.admin('GET', `/admin/v1/organizations/${t.orgId}/costs?start_time=${start}&bucket_width=1d&group_by=line_item&limit=2`);
  expect(r.status).toBe(200);
  const got = new Map<string, bigint>();
  for (const b of r.body.data) for (const x of b.results) got.set(x.line_item, (got.get(x.line_item) ?? 0n) + usdToPico(x.amount.exact_value));
  expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
  expect(want.has('expensive')).toBe(true);
  expect(want.has('cheap')).toBe(false);
}, 120_000);

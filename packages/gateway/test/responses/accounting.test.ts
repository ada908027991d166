/**
 * The same prompt through /v1/responses and /v1/chat/completions costs the same money and counts
 * the same against TPM; the usage ledger names the endpoint `responses`. Time is a fake clock,
 * so the token buckets do not refill between the requests and the headers compare exactly.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import { FakeClock } from 'tollgate';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway(
    {
      tiers: { metered: { '*': { max_requests_per_1_minute: 1000, max_tokens_per_1_minute: 100_000 } } },
      default_tier: 'metered',
    },
    { clock: new FakeClock(Date.UTC(2026, 5, 1)) },
  );
});
afterAll(() => gw.close());

const remainingTokens = (h: Headers) => Number(h.get('x-ratelimit-remaining-tokens'));

async function eventsOf(orgId: string) {
  await gw.gateway.services.ledger.flush();
  return billingDb(gw.gateway.services.store)
    .selectFrom('usage_events')
    .select(['endpoint', 'prompt_tokens', 'completion_tokens', 'cost_pico', 'streamed', 'estimated', 'status_code'])
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .execute();
}

describe('one prompt, two endpoints', () => {
  it.each([false, true])('costs the same and counts the same against TPM (stream: %s)', async (stream) => {
    const chatOrg = await gw.newTenant(`acct-chat-${stream}`);
    const respOrg = await gw.newTenant(`acct-resp-${stream}`);
    const chat = new OpenAI({ baseURL: gw.baseURL, apiKey: chatOrg.apiKey, maxRetries: 0 });
    const resp = new OpenAI({ baseURL: gw.baseURL, apiKey: respOrg.apiKey, maxRetries: 0 });
    const system = 'You answer in one paragraph.';
    const prompt = 'Describe a lighthouse at dusk.';

    const c = chat.chat.completions.create({
      model: 'sim-small',
      messages: [{ role: 'system', content: system }, { role: 'user', content: prompt }],
      max_tokens: 48,
      stream,
    });
    const r = resp.responses.create({ model: 'sim-small', instructions: system, input: prompt, max_output_tokens: 48, stream });
    const [{ response: ch }, { response: rh }] = await Promise.all([c.withResponse(), r.withResponse()]);
    // The reservation at admission: the same prompt tokens plus the same output cap.
    expect(remainingTokens(rh.headers)).toBe(remainingTokens(ch.headers));
    // Read both answers to their end (a stream settles when it ends).
    const [cd, rd] = await Promise.all([c, r]);
    if (stream) {
      for await (const _ of cd as AsyncIterable<unknown>) void _;
      for await (const _ of rd as AsyncIterable<unknown>) void _;
    }

    // After settlement, the same probe in both organizations sees the same bucket.
    const probe = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'probe' }], max_tokens: 16 };
    const pc = await chat.chat.completions.create(probe).withResponse();
    const pr = await resp.chat.completions.create(probe).withResponse();
    expect(remainingTokens(pr.response.headers)).toBe(remainingTokens(pc.response.headers));
    expect(remainingTokens(pr.response.headers)).toBeLessThan(100_000);

    const [chatEvents, respEvents] = await Promise.all([eventsOf(chatOrg.orgId), eventsOf(respOrg.orgId)]);
    // Each organization: its request, then the probe (a chat completion in both).
    expect(chatEvents).toHaveLength(2);
    expect(respEvents).toHaveLength(2);
    const ce = [...chatEvents].sort((a, b) => Number(b.prompt_tokens) - Number(a.prompt_tokens))[0]!;
    const re = respEvents.find((e) => e.endpoint === 'responses')!;
    expect(ce.endpoint).toBe('chat.completions');
    expect(re).toBeDefined();
    expect(Number(re.prompt_tokens)).toBe(Number(ce.prompt_tokens));
    expect(Number(re.completion_tokens)).toBe(Number(ce.completion_tokens));
    expect(Number(re.cost_pico)).toBe(Number(ce.cost_pico));
    expect(Number(re.cost_pico)).toBeGreaterThan(0);
    expect(Number(re.streamed)).toBe(stream ? 1 : 0);
    expect(Number(re.estimated)).toBe(0);
  });
});

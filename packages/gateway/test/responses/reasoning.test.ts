/**
 * Issue 10, item 4 on /v1/responses: reasoning is output there too. An upstream reached through
 * Chat Completions (`responses_api: chat`) that streams `reasoning_content`, and a native
 * Responses upstream that streams `response.reasoning_text.delta` events, both without usage:
 * the gateway's own count, which bills the request, includes the reasoning.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countText } from '../../src/tokens/count.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { sse, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { ledgerOf, NO_BREAKER, PRICING, TIMEOUTS } from '../upstream-e2e/harness.js';

const THOUGHT = 'First I weigh the tokens, then the price of each one, then the sum. ';
const ANSWER = 'Forty-two.';

let up: FakeUpstream;
let gw: TestGateway;

const model = (name: string, responsesApi: 'chat' | 'native') => ({
  name,
  provider: 'openai-compatible',
  context_window: 8192,
  max_output_tokens: 4096,
  pricing: PRICING,
  breaker: NO_BREAKER,
  deployments: [{ base_url: up.baseUrl, model: 'upstream-model', timeouts: TIMEOUTS, responses_api: responsesApi }],
});

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: 'chatcmpl-r',
  object: 'chat.completion.chunk',
  created: 1_767_225_600,
  model: 'upstream-model',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

/** A native Responses stream without usage: reasoning events, then the text, then completed. */
function responseEvents(): Record<string, unknown>[] {
  const response = { id: 'resp_up', object: 'response', created_at: 1_767_225_600, model: 'upstream-model', status: 'in_progress', output: [] };
  const message = { id: 'msg_up', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: ANSWER, annotations: [] }] };
  return [
    { type: 'response.created', response },
    { type: 'response.reasoning_text.delta', item_id: 'rs_up', output_index: 0, content_index: 0, delta: THOUGHT },
    { type: 'response.output_text.delta', item_id: 'msg_up', output_index: 1, content_index: 0, delta: ANSWER },
    { type: 'response.output_item.done', output_index: 1, item: message },
    { type: 'response.completed', response: { ...response, status: 'completed', output: [message] } },
  ];
}

beforeAll(async () => {
  up = await startFakeUpstream((req, res) =>
    req.path.endsWith('/chat/completions')
      ? sse(res, [chunk({ role: 'assistant', content: '' }), chunk({ reasoning_content: THOUGHT }), chunk({ content: ANSWER }), chunk({}, 'stop')])
      : sse(res, responseEvents(), { done: false }),
  );
  gw = await startTestGateway({ usage: { flush_interval_ms: 20 }, models: [model('via-chat', 'chat'), model('native', 'native')] });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

describe.each(['via-chat', 'native'])('/v1/responses on %s, no usage from the engine', (name) => {
  it('the estimated output includes the reasoning', async () => {
    const tenant = await gw.newTenant(`responses-reasoning-${name}`);
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: tenant.apiKey, maxRetries: 0 });
    const stream = await client.responses.create({ model: name, input: 'What is six times seven?', stream: true });
    let text = '';
    for await (const e of stream) if (e.type === 'response.output_text.delta') text += e.delta;
    expect(text).toBe(ANSWER);
    const { report, events } = await ledgerOf(gw, tenant.orgId);
    expect(report.output_tokens).toBe(countText(THOUGHT + ANSWER));
    // The translated path hands the pipeline its own count as if the engine had sent it, so the
    // record is not marked estimated there (a known gap, reported; not this item's).
    if (name === 'native') expect(Boolean(events[0]!.estimated)).toBe(true);
  });
});

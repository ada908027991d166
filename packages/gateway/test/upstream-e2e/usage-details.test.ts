/**
 * The detail counts of a usage (cached input, reasoning) reach the client, through the real
 * gateway and the official SDK as client:
 *
 * - Chat Completions: an upstream's `prompt_tokens_details` / `completion_tokens_details` come
 *   through unchanged, in the body and in the usage chunk of a stream (`include_usage`).
 * - Responses, with the upstream reached through Chat Completions (`responses_api: chat`) or its
 *   own /v1/responses (`native`): `input_tokens_details.cached_tokens` and
 *   `output_tokens_details.reasoning_tokens` carry the upstream's counts, in stored and
 *   non-stored responses, in `response.completed` and in GET /v1/responses/{id}.
 * - The built-in simulator answers chat in OpenAI's shape: `service_tier`,
 *   `system_fingerprint` and both detail objects (all 0), streamed and not; its embeddings usage
 *   stays `prompt_tokens` + `total_tokens`; its responses have both detail objects, 0.
 *
 * Billing is from the totals: the detail counts are parts of them, and the pricing has no
 * cached-input price.
 */
import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { json, sse, startFakeUpstream, type FakeRequest, type FakeUpstream } from '../upstream/fake-upstream.js';
import { ledgerOf, PRICING, upstreamModel } from './harness.js';

const PROMPT = 20;
const COMPLETION = 30;
const CACHED = 7;
const REASONING = 11;
const ANSWER = ['Cached', ' and', ' reasoned.'];

/** A chat usage as OpenAI sends it, with detail counts that are not 0. */
const CHAT_USAGE = {
  prompt_tokens: PROMPT,
  completion_tokens: COMPLETION,
  total_tokens: PROMPT + COMPLETION,
  prompt_tokens_details: { cached_tokens: CACHED, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: REASONING, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};
/** The same usage in the Responses form. */
const RESPONSE_USAGE = {
  input_tokens: PROMPT,
  input_tokens_details: { cached_tokens: CACHED },
  output_tokens: COMPLETION,
  output_tokens_details: { reasoning_tokens: REASONING },
  total_tokens: PROMPT + COMPLETION,
};
/** What the client must see on a Response: the upstream's counts, in the SDK's full shape. */
const EXPECTED_RESPONSE_USAGE = {
  input_tokens: PROMPT,
  input_tokens_details: { cached_tokens: CACHED, cache_write_tokens: 0 },
  output_tokens: COMPLETION,
  output_tokens_details: { reasoning_tokens: REASONING },
  total_tokens: PROMPT + COMPLETION,
};
/** The cost of PROMPT + COMPLETION tokens at PRICING (1 and 2 USD per 1M): pico-dollars. */
const COST_PICO = PROMPT * 1_000_000 + COMPLETION * 2_000_000;

const head = { id: 'chatcmpl-up', created: 1_767_225_600, model: 'upstream-model', system_fingerprint: 'fp_upstream01', service_tier: 'default' };

function chatStream(): Record<string, unknown>[] {
  const c = (choices: unknown[], usage: unknown = null) => ({ ...head, object: 'chat.completion.chunk', choices, usage });
  return [
    c([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]),
    ...ANSWER.map((w) => c([{ index: 0, delta: { content: w }, logprobs: null, finish_reason: null }])),
    c([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
    c([], CHAT_USAGE),
  ];
}

const message = { id: 'msg_up', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: ANSWER.join(''), annotations: [], logprobs: [] }] };
const upstreamResponse = (status: string, usage: unknown) => ({ id: 'resp_up', object: 'response', created_at: 1_767_225_600, model: 'upstream-model', status, output: status === 'completed' ? [message] : [], usage });

function responseEvents(): Record<string, unknown>[] {
  return [
    { type: 'response.created', response: upstreamResponse('in_progress', null) },
    { type: 'response.output_item.added', output_index: 0, item: { ...message, status: 'in_progress', content: [] } },
    ...ANSWER.map((delta) => ({ type: 'response.output_text.delta', item_id: 'msg_up', output_index: 0, content_index: 0, delta })),
    { type: 'response.output_item.done', output_index: 0, item: message },
    { type: 'response.completed', response: upstreamResponse('completed', RESPONSE_USAGE) },
  ];
}

function upstream(req: FakeRequest, res: ServerResponse): Promise<void> | void {
  const stream = req.body.stream === true;
  if (req.path.endsWith('/chat/completions')) {
    if (stream) return sse(res, chatStream());
    return json(res, 200, {
      ...head,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: ANSWER.join(''), refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: CHAT_USAGE,
    });
  }
  if (stream) return sse(res, responseEvents(), { done: false });
  return json(res, 200, upstreamResponse('completed', RESPONSE_USAGE));
}

let up: FakeUpstream;
let gw: TestGateway;

const model = (name: string, responsesApi: 'chat' | 'native') => upstreamModel(name, [{ base_url: up.baseUrl, model: 'upstream-model', responses_api: responsesApi }]);

beforeAll(async () => {
  up = await startFakeUpstream(upstream);
  gw = await startTestGateway({
    usage: { flush_interval_ms: 20 },
    models: [
      model('via-chat', 'chat'),
      model('native', 'native'),
      { name: 'sim', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: PRICING },
      { name: 'sim-embed', provider: 'simulator', type: 'embedding', context_window: 8192, max_output_tokens: 1, pricing: { input_per_1m: 0.02, output_per_1m: 0 } },
    ],
  });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

async function tenantClient(name: string) {
  const tenant = await gw.newTenant(name);
  return { tenant, client: new OpenAI({ baseURL: gw.baseURL, apiKey: tenant.apiKey, maxRetries: 0 }) };
}

/** The tenant's one request as billed: from the totals, not marked estimated. */
async function expectBilledFromTotals(orgId: string) {
  const { report, events } = await ledgerOf(gw, orgId);
  expect(report).toMatchObject({ input_tokens: PROMPT, output_tokens: COMPLETION });
  expect(events).toHaveLength(1);
  expect(Boolean(events[0]!.estimated)).toBe(false);
  const row = await billingDb(gw.gateway.services.store).selectFrom('usage_events').select(['cost_pico']).where('request_id', '=', events[0]!.request_id).executeTakeFirstOrThrow();
  expect(Number(row.cost_pico)).toBe(COST_PICO);
}

describe('chat completions: the upstream\'s usage details reach the client unchanged', () => {
  it('in the body', async () => {
    const { tenant, client } = await tenantClient('details-chat-body');
    const r = await client.chat.completions.create({ model: 'via-chat', messages: [{ role: 'user', content: 'Hi' }] });
    expect(r.usage).toEqual(CHAT_USAGE);
    expect(r.usage!.prompt_tokens_details!.cached_tokens).toBe(CACHED);
    expect(r.usage!.completion_tokens_details!.reasoning_tokens).toBe(REASONING);
    await expectBilledFromTotals(tenant.orgId);
  });

  it('in the usage chunk of a stream with include_usage', async () => {
    const { tenant, client } = await tenantClient('details-chat-stream');
    const stream = await client.chat.completions.create({ model: 'via-chat', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(CHAT_USAGE);
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
    await expectBilledFromTotals(tenant.orgId);
  });
});

describe.each(['via-chat', 'native'])('responses on %s: the upstream\'s cached and reasoning counts', (name) => {
  it('in a stored response and in GET /v1/responses/{id}', async () => {
    const { tenant, client } = await tenantClient(`details-resp-stored-${name}`);
    const r = await client.responses.create({ model: name, input: 'Hi' });
    expect(r.output_text).toBe(ANSWER.join(''));
    expect(r.usage).toEqual(EXPECTED_RESPONSE_USAGE);
    expect((await client.responses.retrieve(r.id)).usage).toEqual(EXPECTED_RESPONSE_USAGE);
    await expectBilledFromTotals(tenant.orgId);
  });

  it('in a response that is not stored', async () => {
    const { tenant, client } = await tenantClient(`details-resp-unstored-${name}`);
    const r = await client.responses.create({ model: name, input: 'Hi', store: false });
    expect(r.usage).toEqual(EXPECTED_RESPONSE_USAGE);
    await expectBilledFromTotals(tenant.orgId);
  });

  it('in response.completed of a stream, and in the response it stored', async () => {
    const { tenant, client } = await tenantClient(`details-resp-stream-${name}`);
    const stream = await client.responses.create({ model: name, input: 'Hi', stream: true });
    let completed: OpenAI.Responses.Response | undefined;
    let text = '';
    for await (const e of stream) {
      if (e.type === 'response.output_text.delta') text += e.delta;
      if (e.type === 'response.completed') completed = e.response;
    }
    expect(text).toBe(ANSWER.join(''));
    expect(completed!.usage).toEqual(EXPECTED_RESPONSE_USAGE);
    expect((await client.responses.retrieve(completed!.id)).usage).toEqual(EXPECTED_RESPONSE_USAGE);
    await expectBilledFromTotals(tenant.orgId);
  });
});

describe('the simulator answers in OpenAI\'s shape', () => {
  const SIM_CHAT_DETAILS = {
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };

  it('chat: service_tier, system_fingerprint and both usage detail objects, streamed and not', async () => {
    const { client } = await tenantClient('details-sim-chat');
    const body = { model: 'sim', messages: [{ role: 'user' as const, content: 'Tell me about tiers.' }], max_tokens: 24 };
    const r = await client.chat.completions.create(body);
    expect(r.service_tier).toBe('default');
    expect(r.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
    expect(r.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number), ...SIM_CHAT_DETAILS });

    const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    for (const c of chunks) {
      expect(c.service_tier).toBe('default');
      expect(c.system_fingerprint).toBe(r.system_fingerprint);
    }
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toEqual(r.usage);
  });

  it('embeddings: usage stays prompt_tokens and total_tokens', async () => {
    const { client } = await tenantClient('details-sim-embed');
    const r = await client.embeddings.create({ model: 'sim-embed', input: 'hello world' });
    expect(Object.keys(r.usage)).toEqual(['prompt_tokens', 'total_tokens']);
  });

  it('responses: both detail objects, 0, stored, streamed and retrieved', async () => {
    const { client } = await tenantClient('details-sim-responses');
    const zero = { input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };
    const r = await client.responses.create({ model: 'sim', input: 'Hi', max_output_tokens: 24 });
    expect(r.usage).toMatchObject(zero);
    expect((await client.responses.retrieve(r.id)).usage).toEqual(r.usage);
    const stream = await client.responses.create({ model: 'sim', input: 'Hi', max_output_tokens: 24, stream: true });
    let final: OpenAI.Responses.Response | undefined;
    for await (const e of stream) if (e.type === 'response.completed' || e.type === 'response.incomplete') final = e.response;
    expect(final!.usage).toEqual(r.usage);
  });
});

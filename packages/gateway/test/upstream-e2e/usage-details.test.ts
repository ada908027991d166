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
 * - The usage ledger keeps the upstream's cached prompt tokens of every request (chat and
 *   Responses, streamed and not; 0 when the upstream gives totals only, and for a usage the
 *   gateway counted itself), and the Usage API's `input_cached_tokens` sums them, read with the
 *   SDK's admin client, in minute, hour and day buckets and by every `group_by`.
 * - A stream whose engine sent no usage ends, for a client that asked for usage, with the
 *   gateway's usage chunk in OpenAI's shape: both detail objects, all 0.
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

/** Usage with totals only, as some upstreams send it: no detail objects. */
const CHAT_TOTALS = { prompt_tokens: PROMPT, completion_tokens: COMPLETION, total_tokens: PROMPT + COMPLETION };
const RESPONSE_TOTALS = { input_tokens: PROMPT, output_tokens: COMPLETION, total_tokens: PROMPT + COMPLETION };

/** The usage chunk of a stream; none when `usage` is undefined (an engine that reports no usage). */
function chatStream(usage: unknown): Record<string, unknown>[] {
  const c = (choices: unknown[], u: unknown = null) => ({ ...head, object: 'chat.completion.chunk', choices, usage: u });
  return [
    c([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]),
    ...ANSWER.map((w) => c([{ index: 0, delta: { content: w }, logprobs: null, finish_reason: null }])),
    c([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
    ...(usage === undefined ? [] : [c([], usage)]),
  ];
}

const message = { id: 'msg_up', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: ANSWER.join(''), annotations: [], logprobs: [] }] };
const upstreamResponse = (status: string, usage: unknown) => ({ id: 'resp_up', object: 'response', created_at: 1_767_225_600, model: 'upstream-model', status, output: status === 'completed' ? [message] : [], usage });

function responseEvents(usage: unknown = RESPONSE_USAGE): Record<string, unknown>[] {
  return [
    { type: 'response.created', response: upstreamResponse('in_progress', null) },
    { type: 'response.output_item.added', output_index: 0, item: { ...message, status: 'in_progress', content: [] } },
    ...ANSWER.map((delta) => ({ type: 'response.output_text.delta', item_id: 'msg_up', output_index: 0, content_index: 0, delta })),
    { type: 'response.output_item.done', output_index: 0, item: message },
    { type: 'response.completed', response: upstreamResponse('completed', usage) },
  ];
}

/**
 * The upstream model the gateway asks for picks the usage: `upstream-model` the full one (cached
 * and reasoning counts), `totals-model` the totals only, `quiet-model` none at all.
 */
function upstream(req: FakeRequest, res: ServerResponse): Promise<void> | void {
  const stream = req.body.stream === true;
  const kind = req.body.model;
  if (req.path.endsWith('/chat/completions')) {
    const usage = kind === 'quiet-model' ? undefined : kind === 'totals-model' ? CHAT_TOTALS : CHAT_USAGE;
    if (stream) return sse(res, chatStream(usage));
    return json(res, 200, {
      ...head,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: ANSWER.join(''), refusal: null }, logprobs: null, finish_reason: 'stop' }],
      ...(usage === undefined ? {} : { usage }),
    });
  }
  const usage = kind === 'totals-model' ? RESPONSE_TOTALS : RESPONSE_USAGE;
  if (stream) return sse(res, responseEvents(usage), { done: false });
  return json(res, 200, upstreamResponse('completed', usage));
}

let up: FakeUpstream;
let gw: TestGateway;

const model = (name: string, responsesApi: 'chat' | 'native', upstreamName = 'upstream-model') => upstreamModel(name, [{ base_url: up.baseUrl, model: upstreamName, responses_api: responsesApi }]);

beforeAll(async () => {
  up = await startFakeUpstream(upstream);
  gw = await startTestGateway({
    usage: { flush_interval_ms: 20 },
    models: [
      model('via-chat', 'chat'),
      model('native', 'native'),
      model('totals', 'chat', 'totals-model'),
      model('totals-native', 'native', 'totals-model'),
      model('quiet', 'chat', 'quiet-model'),
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
  const tenant = await gw.newTenant(name, { adminKey: true });
  return { tenant, client: new OpenAI({ baseURL: gw.baseURL, apiKey: tenant.apiKey, maxRetries: 0 }) };
}

/**
 * The tenant's one request as billed: from the totals, not marked estimated; its cached prompt
 * tokens (the upstream's, `cached`) in the ledger and in the day's usage report.
 */
async function expectBilledFromTotals(orgId: string, cached = CACHED) {
  const { report, events } = await ledgerOf(gw, orgId);
  expect(report).toMatchObject({ input_tokens: PROMPT, output_tokens: COMPLETION, input_cached_tokens: cached });
  expect(events).toHaveLength(1);
  expect(Boolean(events[0]!.estimated)).toBe(false);
  expect(Number(events[0]!.cached_tokens)).toBe(cached);
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

/** OpenAI's chat usage detail objects with every count 0. */
const SIM_CHAT_DETAILS = {
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};

describe('the simulator answers in OpenAI\'s shape', () => {
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

describe('cached prompt tokens in the usage ledger and the Usage API', () => {
  const messages = [{ role: 'user' as const, content: 'Hi' }];
  const drain = async (stream: AsyncIterable<unknown>) => {
    for await (const _ of stream) void _;
  };

  it('an upstream that reports totals only: 0 cached, chat and Responses, streamed and not', async () => {
    const runs: ((c: OpenAI) => Promise<unknown>)[] = [
      (c) => c.chat.completions.create({ model: 'totals', messages }),
      async (c) => drain(await c.chat.completions.create({ model: 'totals', messages, stream: true })),
      (c) => c.responses.create({ model: 'totals-native', input: 'Hi' }),
      async (c) => drain(await c.responses.create({ model: 'totals-native', input: 'Hi', stream: true })),
    ];
    for (const [i, run] of runs.entries()) {
      const { tenant, client } = await tenantClient(`details-totals-${i}`);
      await run(client);
      await expectBilledFromTotals(tenant.orgId, 0);
    }
  });

  it('an engine that reports no usage: counted by the gateway, 0 cached; the usage chunk it builds has both detail objects, all 0', async () => {
    const { tenant, client } = await tenantClient('details-quiet');
    const stream = await client.chat.completions.create({ model: 'quiet', messages, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(ANSWER.join(''));
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last).toMatchObject({ id: head.id, object: 'chat.completion.chunk', model: head.model, system_fingerprint: head.system_fingerprint });
    expect(last.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number), ...SIM_CHAT_DETAILS });
    expect(Object.keys(last.usage!)).toEqual(['prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_tokens_details', 'completion_tokens_details']);
    expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens);
    await client.chat.completions.create({ model: 'quiet', messages });

    const { report, events } = await ledgerOf(gw, tenant.orgId, 2);
    expect(events.map((e) => [Boolean(e.estimated), Number(e.cached_tokens)])).toEqual([
      [true, 0],
      [true, 0],
    ]);
    expect(report.input_cached_tokens).toBe(0);
    const streamed = events.find((e) => Boolean(e.streamed))!;
    expect([Number(streamed.prompt_tokens), Number(streamed.completion_tokens)]).toEqual([last.usage!.prompt_tokens, last.usage!.completion_tokens]);
  });

  it("the organization's report (the SDK's admin client) sums them by minute, hour and day, for every group_by", async () => {
    const { tenant, client } = await tenantClient('details-report');
    const admin = new OpenAI({ adminAPIKey: tenant.adminKey!, apiKey: null as unknown as string, baseURL: gw.baseURL, maxRetries: 0 }).admin.organization;
    await client.chat.completions.create({ model: 'via-chat', messages });
    await drain(await client.chat.completions.create({ model: 'via-chat', messages, stream: true }));
    await drain(await client.responses.create({ model: 'via-chat', input: 'Hi', stream: true }));
    await client.responses.create({ model: 'native', input: 'Hi', store: false });
    await client.chat.completions.create({ model: 'totals', messages });
    await client.chat.completions.create({ model: 'quiet', messages });
    const { report } = await ledgerOf(gw, tenant.orgId, 6);
    expect(report.input_cached_tokens).toBe(4 * CACHED);

    const start = Math.floor(Date.now() / 1000) - 600;
    const cachedByModel = { 'via-chat': 3 * CACHED, native: CACHED, totals: 0, quiet: 0 };
    type Result = { input_cached_tokens: number; num_model_requests: number; model: string | null; project_id: string | null; api_key_id: string | null; user_id: string | null };
    const groupings = [[], ['model'], ['project_id'], ['api_key_id'], ['user_id'], ['batch'], ['service_tier'], ['model', 'project_id', 'api_key_id', 'user_id', 'batch', 'service_tier']] as const;
    for (const bucket_width of ['1m', '1h', '1d'] as const) {
      for (const group_by of groupings) {
        const page = await admin.usage.completions({ start_time: start, bucket_width, group_by: [...group_by], ...(bucket_width === '1m' ? { limit: 60 } : {}) });
        expect(page.has_more).toBe(false);
        const results = page.data.flatMap((b) => b.results) as unknown as Result[];
        const what = `${bucket_width} by ${group_by.join(',')}`;
        expect(results.reduce((n, r) => n + r.num_model_requests, 0), what).toBe(6);
        expect(results.reduce((n, r) => n + r.input_cached_tokens, 0), what).toBe(4 * CACHED);
        if ((group_by as readonly string[]).includes('model')) {
          const byModel: Record<string, number> = {};
          for (const r of results) byModel[r.model!] = (byModel[r.model!] ?? 0) + r.input_cached_tokens;
          expect(byModel, what).toEqual(cachedByModel);
        }
        if ((group_by as readonly string[]).includes('api_key_id')) expect(new Set(results.map((r) => r.api_key_id)), what).toEqual(new Set([tenant.keyId]));
      }
    }
  });
});

/**
 * Parameters judged against one another or against the model, through the official SDK at its
 * default retries (2), counting the requests the server received: tool messages must answer the
 * tool calls of the assistant message before them (Chat Completions), a `function_call_output`
 * must answer a `function_call` of the conversation (Responses), and an embedding's `dimensions`
 * must be one the model can give. Each refusal is OpenAI's 400, sent once (not retried), and
 * changes nothing: the next good request finds the whole rate limit left bar itself, and the
 * ledger records each refusal with its status only (no model, tokens or cost).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import type { Tenant } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const embedding = (name: string, extra: Record<string, unknown> = {}) => ({ name, type: 'embedding', pricing: { input_per_1m: 0.02, output_per_1m: 0 }, ...extra });
const MODELS = [
  { name: 'sim-small', pricing: { input_per_1m: 0.15, output_per_1m: 0.6 } },
  embedding('sim-embed'),
  embedding('sim-embed-256', { embedding_dimensions: 256 }),
  embedding('text-embedding-3-large'),
  embedding('text-embedding-ada-002'),
];
const PER_DAY = 1000;

let gw: TestGateway;
const seen = new Map<string, number>();
const received = (route: string) => seen.get(route) ?? 0;

beforeAll(async () => {
  gw = await startTestGateway({ models: MODELS, usage: { flush_interval_ms: 50 } });
  gw.gateway.server.on('request', (req: { method?: string; url?: string }) => {
    const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    seen.set(route, (seen.get(route) ?? 0) + 1);
  });
});
afterAll(() => gw?.close());

type SdkError = InstanceType<typeof OpenAI.APIError> & { headers: Headers };

/** A tenant of its own with a daily request limit on every model, and the SDK at its default retries. */
async function tenant(name: string): Promise<Tenant & { client: OpenAI }> {
  const t = await gw.newTenant(name);
  for (const m of MODELS) expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/${m.name}`, { max_requests_per_1_day: PER_DAY })).status).toBe(200);
  return { ...t, client: new OpenAI({ baseURL: gw.baseURL, apiKey: t.apiKey }) };
}

/** What the SDK threw for `run`, and how many requests the server received for `route` meanwhile. */
async function refused(route: string, run: () => Promise<unknown>): Promise<{ error: SdkError; requests: number }> {
  const before = received(route);
  const error = await run().then(
    () => {
      throw new Error('expected an error, got a result');
    },
    (e: unknown) => e as SdkError,
  );
  return { error, requests: received(route) - before };
}

/** A 400 invalid_request_error as OpenAI sends it, received once, with `x-should-retry: false`. */
function expectBadRequest(r: { error: SdkError; requests: number }, param: string | null, message: string, code: string | null = null): void {
  expect(r.error).toBeInstanceOf(OpenAI.BadRequestError);
  expect({ requests: r.requests, status: r.error.status, type: r.error.type, code: r.error.code, param: r.error.param, message: r.error.error && (r.error.error as { message: string }).message }).toEqual({
    requests: 1,
    status: 400,
    type: 'invalid_request_error',
    code,
    param,
    message,
  });
  expect(r.error.headers.get('x-should-retry')).toBe('false');
}

interface UsageEvent {
  model: string;
  status_code: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_pico: string | number | bigint;
}

/**
 * The organization's usage events once the ledger is written, refusals set apart: each refused
 * request is recorded with its status and no model, tokens or cost; `served` are the others.
 */
async function usageEvents(orgId: string): Promise<{ refused: number; served: UsageEvent[] }> {
  await gw.gateway.services.ledger.flush();
  const rows = (await billingDb(gw.gateway.services.store)
    .selectFrom('usage_events')
    .select(['model', 'status_code', 'prompt_tokens', 'completion_tokens', 'cost_pico'])
    .where('org_id', '=', orgId)
    .execute()) as UsageEvent[];
  const refused = rows.filter((r) => r.status_code === 400);
  for (const r of refused) expect([r.model, Number(r.prompt_tokens), Number(r.completion_tokens), BigInt(r.cost_pico)]).toEqual(['', 0, 0, 0n]);
  return { refused: refused.length, served: rows.filter((r) => r.status_code !== 400) };
}

const CHAT = 'POST /v1/chat/completions';
const RESPONSES = 'POST /v1/responses';
const EMBEDDINGS = 'POST /v1/embeddings';
const STRAY = "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
const call = (id: string) => ({ id, type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
const asking = (...ids: string[]) => ({ role: 'assistant' as const, content: null, tool_calls: ids.map(call) });
const answer = (id: string) => ({ role: 'tool' as const, tool_call_id: id, content: '18C' });
const user = { role: 'user' as const, content: 'Weather in Paris?' };
const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

describe('chat: tool messages answer the tool calls before them', () => {
  it("refuses a tool message that answers nothing, an unknown tool_call_id and unanswered calls, in OpenAI's words; charges nothing", async () => {
    const t = await tenant('tool-messages');
    const chat = (messages: OpenAI.ChatCompletionMessageParam[]) => refused(CHAT, () => t.client.chat.completions.create({ model: 'sim-small', messages, tools, max_tokens: 5 }));

    expectBadRequest(await chat([user, answer('call_1')]), 'messages.[1].role', STRAY);
    expectBadRequest(await chat([user, { role: 'assistant', content: 'Sunny.' }, answer('call_1')]), 'messages.[2].role', STRAY);
    expectBadRequest(
      await chat([user, asking('call_1', 'call_2'), answer('call_2'), answer('call_9')]),
      'messages.[3].tool_call_id',
      "Invalid parameter: 'tool_call_id' of 'call_9' not found in 'tool_calls' of previous message.",
    );
    expectBadRequest(
      await chat([user, asking('call_1', 'call_2', 'call_3'), answer('call_2'), user]),
      'messages.[1].role',
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_1, call_3",
    );

    // Several answers to one assistant message, in any order, then the conversation goes on.
    const { data, response } = await t.client.chat.completions
      .create({ model: 'sim-small', messages: [user, asking('call_1', 'call_2'), answer('call_2'), answer('call_1'), { role: 'assistant', content: 'Sunny.' }, user], tools, max_tokens: 5 })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(String(PER_DAY - 1));
    const usage = await usageEvents(t.orgId);
    expect(usage.refused).toBe(4);
    expect(usage.served.map((e) => [e.model, e.status_code])).toEqual([['sim-small', 200]]);
  });
});

describe('responses: a function_call_output answers a function_call of the conversation', () => {
  it('refuses a call_id no function_call has; accepts one in the input or in the previous response; charges nothing for the refusal', async () => {
    const t = await tenant('function-call-output');
    const output = (call_id: string) => ({ type: 'function_call_output' as const, call_id, output: '18C' });
    const r = await refused(RESPONSES, () => t.client.responses.create({ model: 'sim-small', input: [{ role: 'user', content: 'Weather?' }, output('call_nope')] }));
    expectBadRequest(r, 'input', 'No tool call found for function call output with call_id call_nope.');

    // The call in this turn's input.
    const inInput = await t.client.responses.create({
      model: 'sim-small',
      input: [{ role: 'user', content: 'Weather?' }, { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' }, output('call_1')],
    });
    expect(inInput.status).toBe('completed');

    // The call in the response named by previous_response_id.
    const first = await t.client.responses.create({
      model: 'sim-small',
      input: 'Weather in Paris?',
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }],
      tool_choice: 'required',
    });
    const fc = first.output.find((o: { type: string }) => o.type === 'function_call');
    expect(fc).toBeDefined();
    const { data: second, response } = await t.client.responses
      .create({ model: 'sim-small', previous_response_id: first.id, input: [output((fc as { call_id: string }).call_id)] })
      .withResponse();
    expect(second.status).toBe('completed');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(String(PER_DAY - 3));
    const usage = await usageEvents(t.orgId);
    expect(usage.refused).toBe(1);
    expect(usage.served.map((e) => e.status_code)).toEqual([200, 200, 200]);
  });
});

describe('embeddings: dimensions the model can give', () => {
  it("refuses dimensions above the model's length, and any dimensions on a model that takes none; charges nothing", async () => {
    const t = await tenant('dimensions');
    const embed = (model: string, dimensions: number) => refused(EMBEDDINGS, () => t.client.embeddings.create({ model, input: 'hello', dimensions }));
    const above = (max: number, value: number) => `Invalid 'dimensions': integer above maximum value. Expected a value <= ${max}, but got ${value} instead.`;

    const ABOVE = 'integer_above_max_value';
    expectBadRequest(await embed('sim-embed', 1537), 'dimensions', above(1536, 1537), ABOVE);
    expectBadRequest(await embed('sim-embed-256', 257), 'dimensions', above(256, 257), ABOVE);
    expectBadRequest(await embed('text-embedding-3-large', 3073), 'dimensions', above(3072, 3073), ABOVE);
    // Any value, even the model's own length (param and code null, as OpenAI sends it).
    expectBadRequest(await embed('text-embedding-ada-002', 1536), null, 'This model does not support specifying dimensions.');
    expectBadRequest(await embed('text-embedding-ada-002', 8), null, 'This model does not support specifying dimensions.');

    // Up to the model's own length is served, at that length; without dimensions, the model's length.
    const full = await t.client.embeddings.create({ model: 'text-embedding-3-large', input: 'hello', dimensions: 3072, encoding_format: 'float' });
    expect(full.data[0]!.embedding).toHaveLength(3072);
    expect((await t.client.embeddings.create({ model: 'sim-embed-256', input: 'hello', encoding_format: 'float' })).data[0]!.embedding).toHaveLength(256);
    const { data: ada, response } = await t.client.embeddings.create({ model: 'text-embedding-ada-002', input: 'hello', encoding_format: 'float' }).withResponse();
    expect(ada.data[0]!.embedding).toHaveLength(1536);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(String(PER_DAY - 1));
    const usage = await usageEvents(t.orgId);
    expect(usage.refused).toBe(5);
    expect(usage.served.map((e) => e.model).sort()).toEqual(['sim-embed-256', 'text-embedding-3-large', 'text-embedding-ada-002']);
  });
});

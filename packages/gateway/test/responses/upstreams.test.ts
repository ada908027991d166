/**
 * Responses through `openai-compatible` deployments, the two ways an upstream can be reached:
 * `responses_api: chat` (the upstream only speaks Chat Completions: Tollgate translates both
 * ways) and `responses_api: native` (the upstream's own /v1/responses, passed through). The
 * upstream is the simulator served alone over HTTP. Both pass the same streaming test, tool calls
 * included, and answer the same bytes of text: the client cannot tell them apart. A failure in
 * the middle of a stream ends it with `response.failed` (what was produced so far) + `error`
 * (which the SDK throws as an APIError), and the request is settled for what was produced.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatorServer, type SimulatorServer } from 'tollgate';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { simModel } from '../upstream/helpers.js';
import { ledgerOf, NO_BREAKER, PRICING, SIM_MODEL, TIMEOUTS } from '../upstream-e2e/harness.js';

let sim: SimulatorServer;
let proxy: Server;
let proxyUrl: string;
let gw: TestGateway;
/** Every request the upstream received: `<deployment model> <path>`. */
const upstreamPaths: string[] = [];

const model = (name: string, responsesApi: 'chat' | 'native') => ({
  name,
  provider: 'openai-compatible',
  context_window: 8192,
  max_output_tokens: 4096,
  pricing: PRICING,
  breaker: NO_BREAKER,
  deployments: [{ base_url: `${proxyUrl}/${responsesApi}/v1`, model: SIM_MODEL, timeouts: TIMEOUTS, responses_api: responsesApi }],
});

beforeAll(async () => {
  sim = await startSimulatorServer({ models: [simModel(SIM_MODEL)], port: 0, allowFaultHeader: true });
  // A recording hop in front of the simulator: `/<mode>/v1/...` is forwarded as `/v1/...`.
  proxy = createServer((req, res) => {
    const [, mode, ...rest] = (req.url ?? '/').split('/');
    const path = `/${rest.join('/')}`;
    upstreamPaths.push(`${mode} ${path}`);
    const up = request({ host: '127.0.0.1', port: sim.port, path, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  gw = await startTestGateway({ usage: { flush_interval_ms: 20 }, models: [model('up-chat', 'chat'), model('up-native', 'native')] });
});
afterAll(async () => {
  await gw?.close();
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await sim?.close();
});

const WEATHER = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

type Ev = { type: string; sequence_number: number } & Record<string, unknown>;

async function streamAll(client: OpenAI, body: Record<string, unknown>) {
  const { events, thrown } = await streamEvents(client, body);
  if (thrown !== undefined) throw thrown;
  return events;
}

/** The events the SDK yields, and what it throws (undefined when the stream ends well). */
async function streamEvents(client: OpenAI, body: Record<string, unknown>, faultValue?: string): Promise<{ events: Ev[]; thrown: unknown }> {
  const stream = await client.responses.create({ ...body, stream: true } as never, faultValue ? { headers: { 'x-tollgate-fault': faultValue } } : {});
  const events: Ev[] = [];
  try {
    for await (const e of stream as unknown as AsyncIterable<Ev>) events.push(e);
  } catch (e) {
    return { events, thrown: e };
  }
  return { events, thrown: undefined };
}

const answers = new Map<string, string>();

describe.each(['chat', 'native'] as const)('an upstream reached by %s', (mode) => {
  const name = `up-${mode}`;
  let client: OpenAI;
  beforeAll(() => {
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
  });

  it('streams text: the typed events in order, and the same answer as without streaming', async () => {
    const body = { model: name, input: 'Tell me about bridges.', max_output_tokens: 60 };
    const plain = await client.responses.create(body);
    const events = await streamAll(client, body);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', plain.status === 'completed' ? 'response.completed' : 'response.incomplete']);
    const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    expect(text).toBe(plain.output_text);
    const final = events.at(-1)!.response as OpenAI.Responses.Response;
    expect(final.model).toBe(name);
    expect(final.id).toMatch(/^resp_/);
    expect(final.usage).toEqual(plain.usage);
    expect(final.usage!.output_tokens).toBeGreaterThan(0);
    answers.set(mode, text);
    // Stored by the gateway whichever way the upstream was reached.
    expect((await client.responses.retrieve(final.id)).output[0]).toEqual(final.output[0]);
  });

  it('streams a function call as argument deltas, then takes its output in the next turn', async () => {
    const events = await streamAll(client, { model: name, input: 'Weather in Rome?', tools: [WEATHER], tool_choice: 'required' });
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types.slice(-3)).toEqual(['response.function_call_arguments.done', 'response.output_item.done', 'response.completed']);
    const args = events.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta).join('');
    const final = events.at(-1)!.response as OpenAI.Responses.Response;
    const call = final.output[0]!;
    if (call.type !== 'function_call') throw new Error('no function call');
    expect(call.name).toBe('get_weather');
    expect(call.arguments).toBe(args);
    expect(JSON.parse(args)).toHaveProperty('city');

    const next = await client.responses.create({
      model: name,
      previous_response_id: final.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temp": 18}' }],
      tools: [WEATHER],
    });
    expect(next.output[0]!.type).toBe('message');
    expect(next.output_text.length).toBeGreaterThan(0);
  });

  it('a failure mid-stream ends with response.failed, then an error the SDK throws, and settles what was produced', async () => {
    const tenant = await gw.newTenant(`responses-mid-stream-${mode}`);
    const c = new OpenAI({ baseURL: gw.baseURL, apiKey: tenant.apiKey, maxRetries: 0 });
    const { events, thrown } = await streamEvents(c, { model: name, input: 'Tell me about bridges.', max_output_tokens: 60 }, 'server_error@3');
    const types = events.map((e) => e.type);
    expect(types.at(-1)).toBe('response.failed');
    expect(types.filter((t) => t === 'response.output_text.delta')).toHaveLength(3);
    expect(types).not.toContain('response.completed');
    const failed = events.at(-1)!.response as OpenAI.Responses.Response;
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('server_error');
    expect(thrown).toBeInstanceOf(OpenAI.APIError);
    const error = thrown as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBeUndefined();
    expect(error.code).toBe('server_error');
    expect(error.message).toBe(failed.error?.message);

    const sent = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    expect(answers.get(mode)!.startsWith(sent)).toBe(true);
    // The failed response holds what was sent: the message cut short, with its text so far.
    expect(failed.output).toHaveLength(1);
    expect(failed.output[0]).toMatchObject({ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: sent }] });
    const { report, events: rows } = await ledgerOf(gw, tenant.orgId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.error_code).toBe('server_error');
    expect(Number(rows[0]!.completion_tokens)).toBe(failed.usage!.output_tokens);
    expect(Number(rows[0]!.completion_tokens)).toBeGreaterThan(0);
    expect(report.output_tokens).toBe(failed.usage!.output_tokens);
    expect(report.input_tokens).toBe(failed.usage!.input_tokens);
    const billing = await gw.admin('GET', `/admin/v1/organizations/${tenant.orgId}/billing`);
    const cost = failed.usage!.input_tokens * PRICING.input_per_1m + failed.usage!.output_tokens * PRICING.output_per_1m;
    expect(Math.round(billing.body.spent_usd * 1e6)).toBe(cost);
  });
});

describe('the client cannot tell', () => {
  it('both ways answer the same text for the same request', () => {
    expect(answers.get('chat')).toBeDefined();
    expect(answers.get('native')).toBe(answers.get('chat'));
  });

  it('the chat way calls /chat/completions upstream, the native way /responses', () => {
    expect(new Set(upstreamPaths)).toEqual(new Set(['chat /v1/chat/completions', 'native /v1/responses']));
  });
});

/**
 * Item references on /v1/responses (`{type: 'item_reference', id}`, or an item with only an
 * `id`): each is replaced by the stored item of the caller's organization it names, before the
 * conversation's own checks. The Vercel AI SDK's default provider (`openai(model)`, `store` on)
 * sends the previous turns' assistant items this way from its second turn on; the official SDK
 * sends them as asked. An id the organization cannot see (unknown, another organization's, its
 * response deleted) is 404 `Item with id '…' not found.`, param `input`.
 *
 * Two models: `sim-small` (the built-in simulator) and `up-chat`, the simulator served over HTTP
 * behind a hop that records each body it forwards, to see what the upstream received.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, tool, type ModelMessage } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatorServer, type SimulatorServer } from 'tollgate';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { simModel } from '../upstream/helpers.js';
import { NO_BREAKER, PRICING, SIM_MODEL, TIMEOUTS } from '../upstream-e2e/harness.js';
import { rejection as rejected } from '../support/rejection.js';

let sim: SimulatorServer;
let proxy: Server;
let gw: TestGateway;
let client: OpenAI;
let ai: ReturnType<typeof createOpenAI>;
/** Each body the upstream received, as text. */
const upstreamBodies: string[] = [];
/** Each `/v1/responses` body the AI SDK sent. */
const sent: Record<string, unknown>[] = [];

beforeAll(async () => {
  sim = await startSimulatorServer({ models: [simModel(SIM_MODEL)], port: 0 });
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      upstreamBodies.push(body.toString('utf8'));
      const up = request({ host: '127.0.0.1', port: sim.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const upChat = {
    name: 'up-chat',
    provider: 'openai-compatible',
    context_window: 8192,
    max_output_tokens: 4096,
    pricing: PRICING,
    breaker: NO_BREAKER,
    deployments: [{ base_url: `${proxyUrl}/v1`, model: SIM_MODEL, timeouts: TIMEOUTS, responses_api: 'chat' }],
  };
  gw = await startTestGateway({ models: [{ name: 'sim-small', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: PRICING }, upChat] });
  client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
  ai = createOpenAI({
    baseURL: gw.baseURL,
    apiKey: gw.apiKey,
    fetch: (input, init) => {
      if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as Record<string, unknown>);
      return fetch(input, init);
    },
  });
});
afterAll(async () => {
  await gw?.close();
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await sim?.close();
});

const rejection = (p: Promise<unknown>) => rejected<InstanceType<typeof OpenAI.APIError>>(p);

/** The references of the last body the AI SDK sent. */
function sentReferences(): string[] {
  const input = sent.at(-1)!.input as { type?: string; id?: string }[];
  return input.filter((i) => i.type === 'item_reference').map((i) => i.id!);
}

const WEATHER_TOOL = {
  get_weather: tool({
    description: 'Weather for a city',
    inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
    execute: async ({ city }) => ({ city, temp: 22 }),
  }),
};

describe('the Vercel AI SDK across turns (openai(model), store on)', () => {
  it('two turns: the second sends the first answer as an item reference, resolved to its text', async () => {
    const first = await generateText({ model: ai('sim-small'), prompt: 'My name is Ada.', maxOutputTokens: 20 });
    const messages: ModelMessage[] = [{ role: 'user', content: 'My name is Ada.' }, ...first.response.messages, { role: 'user', content: 'What is my name?' }];
    const second = await generateText({ model: ai('sim-small'), messages, maxOutputTokens: 20 });
    expect(sentReferences()).toHaveLength(1);
    expect(sentReferences()[0]).toMatch(/^msg_/);
    expect(second.text.length).toBeGreaterThan(0);

    // The same conversation sent whole costs the same input tokens: the reference became the text.
    const whole = await client.responses.create({
      model: 'sim-small',
      store: false,
      max_output_tokens: 20,
      input: [
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: first.text },
        { role: 'user', content: 'What is my name?' },
      ],
    });
    expect(second.usage.inputTokens).toBe(whole.usage!.input_tokens);

    // The stored turn lists the resolved item, not the reference.
    const items = await client.responses.inputItems.list(second.response.id, { order: 'asc' });
    expect(items.data.map((i) => i.type)).toEqual(['message', 'message', 'message']);
    const assistant = items.data[1] as { role: string; content: { type: string; text: string }[]; id: string };
    expect(assistant.role).toBe('assistant');
    expect(assistant.content[0]!.text).toBe(first.text);
    expect(assistant.id).not.toBe(sentReferences()[0]);
  });

  it('three turns through a recorded upstream: each earlier answer reaches it as text', async () => {
    const t1 = await generateText({ model: ai('up-chat'), prompt: 'Remember the word heliotrope.', maxOutputTokens: 20 });
    const m2: ModelMessage[] = [{ role: 'user', content: 'Remember the word heliotrope.' }, ...t1.response.messages, { role: 'user', content: 'And the word quince.' }];
    const t2 = await generateText({ model: ai('up-chat'), messages: m2, maxOutputTokens: 20 });
    const m3: ModelMessage[] = [...m2, ...t2.response.messages, { role: 'user', content: 'Which words?' }];
    upstreamBodies.length = 0;
    const t3 = await generateText({ model: ai('up-chat'), messages: m3, maxOutputTokens: 20 });
    expect(sentReferences()).toHaveLength(2);
    expect(t3.text.length).toBeGreaterThan(0);
    expect(upstreamBodies).toHaveLength(1);
    const upstream = JSON.parse(upstreamBodies[0]!) as { messages: { role: string; content: unknown }[] };
    const text = (c: unknown) => (typeof c === 'string' ? c : (c as { text?: string }[]).map((p) => p.text ?? '').join(''));
    expect(upstream.messages.map((m) => [m.role, text(m.content)])).toEqual([
      ['user', 'Remember the word heliotrope.'],
      ['assistant', t1.text],
      ['user', 'And the word quince.'],
      ['assistant', t2.text],
      ['user', 'Which words?'],
    ]);
    expect(upstreamBodies[0]).not.toContain('item_reference');
  });

  it('a tool loop, then the next turn carries the call, its output and the answer', async () => {
    // A call, then (tools off) an answer in text: the AI SDK sends it as a reference next turn.
    const callThenAnswer = { tools: WEATHER_TOOL, prepareStep: ({ stepNumber }: { stepNumber: number }) => ({ toolChoice: stepNumber === 0 ? ('required' as const) : ('none' as const) }), stopWhen: ({ steps }: { steps: unknown[] }) => steps.length >= 2 };
    const first = await generateText({ model: ai('sim-small'), prompt: 'Weather in Lisbon?', ...callThenAnswer });
    expect(first.steps[1]!.text.length).toBeGreaterThan(0);
    expect(first.steps[0]!.toolCalls).toHaveLength(1);
    const messages: ModelMessage[] = [{ role: 'user', content: 'Weather in Lisbon?' }, ...first.response.messages, { role: 'user', content: 'And tomorrow?' }];
    const second = await generateText({ model: ai('sim-small'), messages, ...callThenAnswer });
    expect(second.steps[0]!.toolCalls).toHaveLength(1);
    expect(second.steps[0]!.toolResults[0]!.output).toMatchObject({ temp: 22 });
    // The first turn's answer went as a reference (its call inline, with its id).
    expect(sentReferences()).toHaveLength(1);
    // The first turn's call reached the gateway again (inline or as a reference) and was resolved:
    // the stored second turn holds it with its output.
    const items = await client.responses.inputItems.list(second.steps[0]!.response.id, { order: 'asc' });
    const types = items.data.map((i) => i.type);
    expect(types).toContain('function_call');
    expect(types).toContain('function_call_output');
    expect(types).not.toContain('item_reference');
    const call = items.data.find((i) => i.type === 'function_call') as { call_id: string; name: string };
    expect(call.name).toBe('get_weather');
    expect(call.call_id).toBe(first.steps[0]!.toolCalls[0]!.toolCallId);
  });
});

describe('item references with the official SDK', () => {
  it('an explicit item_reference, and one with only an id, resolve to the stored items', async () => {
    const r = await client.responses.create({ model: 'up-chat', input: 'Plant a tree.', max_output_tokens: 20 });
    const items = await client.responses.inputItems.list(r.id);
    const userItem = items.data[0]!.id;
    const answer = r.output[0]!.id!;
    upstreamBodies.length = 0;
    const next = await client.responses.create({
      model: 'up-chat',
      max_output_tokens: 20,
      input: [{ type: 'item_reference', id: userItem }, { id: answer } as OpenAI.Responses.ResponseInputItem.ItemReference, { role: 'user', content: 'Again.' }],
    });
    expect(next.output_text.length).toBeGreaterThan(0);
    const upstream = JSON.parse(upstreamBodies[0]!) as { messages: { role: string; content: unknown }[] };
    expect(upstream.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(upstreamBodies[0]).toContain('Plant a tree.');
    expect(upstreamBodies[0]).toContain(JSON.stringify(r.output_text).slice(1, -1));
  });

  it('an unknown id is 404 Item with id not found, param input', async () => {
    const e = await rejection(client.responses.create({ model: 'sim-small', input: [{ type: 'item_reference', id: 'msg_nowhere' }, { role: 'user', content: 'Hi' }] }));
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.status).toBe(404);
    expect(e.error).toMatchObject({ message: "Item with id 'msg_nowhere' not found.", type: 'invalid_request_error', param: 'input', code: null });
  });

  it("another organization's item id is the same 404", async () => {
    const r = await client.responses.create({ model: 'sim-small', input: 'Private', max_output_tokens: 16 });
    const id = r.output[0]!.id!;
    const other = await gw.newTenant('item-reference-other');
    const stranger = new OpenAI({ baseURL: gw.baseURL, apiKey: other.apiKey, maxRetries: 0 });
    const e = await rejection(stranger.responses.create({ model: 'sim-small', input: [{ type: 'item_reference', id }] }));
    expect(e.status).toBe(404);
    expect(e.error).toMatchObject({ message: `Item with id '${id}' not found.`, param: 'input' });
    // Its owner still resolves it.
    const owner = await client.responses.create({ model: 'sim-small', input: [{ type: 'item_reference', id }, { role: 'user', content: 'More.' }], max_output_tokens: 16 });
    expect(owner.output_text.length).toBeGreaterThan(0);
  });

  it("a deleted response's items are 404", async () => {
    const r = await client.responses.create({ model: 'sim-small', input: 'Soon gone', max_output_tokens: 16 });
    const input = (await client.responses.inputItems.list(r.id)).data[0]!.id;
    const output = r.output[0]!.id!;
    await client.responses.delete(r.id);
    for (const id of [input, output]) {
      const e = await rejection(client.responses.create({ model: 'sim-small', input: [{ type: 'item_reference', id }] }));
      expect(e.status).toBe(404);
      expect(e.error).toMatchObject({ message: `Item with id '${id}' not found.`, param: 'input' });
    }
  });

  it('a referenced function_call pairs with its output; a malformed reference is refused first', async () => {
    const WEATHER = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: false };
    const r = await client.responses.create({ model: 'sim-small', input: 'Weather?', tools: [WEATHER], tool_choice: 'required' });
    const call = r.output.find((i) => i.type === 'function_call')!;
    const next = await client.responses.create({
      model: 'sim-small',
      tools: [WEATHER],
      input: [{ type: 'item_reference', id: call.id! }, { type: 'function_call_output', call_id: call.call_id, output: '{"temp":22}' }],
    });
    expect(next.status).toBe('completed');
    const bad = await rejection(client.responses.create({ model: 'sim-small', input: [{ type: 'item_reference' } as unknown as OpenAI.Responses.ResponseInputItem] }));
    expect(bad.status).toBe(400);
    expect(bad.param).toBe('input[0].id');
  });
});

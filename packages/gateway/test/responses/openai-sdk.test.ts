/**
 * Issue 14's acceptance with the official SDK against a real gateway (the simulator engine):
 * `responses.create`, `responses.stream` (typed events in OpenAI's order, numbered), stored
 * responses (`retrieve`, `delete`, `inputItems.list`), `previous_response_id` over three turns
 * with the earlier turns counted as input, tool calls, and the scoping of stored responses to
 * the organization that created them.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countText } from '../../src/tokens/count.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { rejection as rejected } from '../support/rejection.js';

let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway();
  client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
});
afterAll(() => gw.close());

const rejection = (p: Promise<unknown>) => rejected<InstanceType<typeof OpenAI.APIError>>(p);

const WEATHER = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'], additionalProperties: false },
  strict: true,
};

describe('responses.create', () => {
  it('answers with a response object: output text, usage, the request settings echoed', async () => {
    const { data: r, response } = await client.responses
      .create({ model: 'sim-small', input: 'Hello there', instructions: 'Be brief.', max_output_tokens: 64, metadata: { run: 'a' } })
      .withResponse();
    expect(r.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(r.object).toBe('response');
    expect(r.model).toBe('sim-small');
    expect(['completed', 'incomplete']).toContain(r.status);
    expect(r.instructions).toBe('Be brief.');
    expect(r.metadata).toEqual({ run: 'a' });
    expect((r as unknown as { store: boolean }).store).toBe(true);
    expect(r.output).toHaveLength(1);
    const msg = r.output[0]!;
    expect(msg.type).toBe('message');
    if (msg.type !== 'message') throw new Error('not a message');
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.role).toBe('assistant');
    expect(msg.content[0]!.type).toBe('output_text');
    expect(r.output_text.length).toBeGreaterThan(0);
    expect(r.usage!.output_tokens).toBeGreaterThan(0);
    expect(r.usage!.output_tokens).toBeLessThanOrEqual(64);
    expect(r.usage!.total_tokens).toBe(r.usage!.input_tokens + r.usage!.output_tokens);
    expect(r.usage!.input_tokens_details.cached_tokens).toBe(0);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('echoes max_output_tokens as the caller sent it: null when unset (the bound the gateway reserved goes upstream only)', async () => {
    const unset = await client.responses.create({ model: 'sim-small', input: 'Hello there' });
    expect(unset.max_output_tokens).toBeNull();
    expect((await client.responses.retrieve(unset.id)).max_output_tokens).toBeNull();
    const stream = await client.responses.create({ model: 'sim-small', input: 'Hello there', stream: true });
    const echoed: unknown[] = [];
    for await (const ev of stream) if ('response' in ev) echoed.push(ev.response.max_output_tokens);
    expect(echoed.length).toBeGreaterThan(0);
    expect(echoed.every((v) => v === null)).toBe(true);
    const set = await client.responses.create({ model: 'sim-small', input: 'Hello there', max_output_tokens: 64 });
    expect(set.max_output_tokens).toBe(64);
  });

  it('stops at max_output_tokens with status incomplete', async () => {
    const r = await client.responses.create({ model: 'sim-small', input: 'Tell me a long story', max_output_tokens: 16 });
    expect(r.status).toBe('incomplete');
    expect(r.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(r.usage!.output_tokens).toBe(16);
    // The message cut short is itself incomplete, as OpenAI marks it; a whole answer's is completed.
    expect(r.output.map(statusOf)).toEqual(['incomplete']);
    const whole = await client.responses.create({ model: 'sim-small', input: 'Say hi', max_output_tokens: 4096 });
    expect(whole.status).toBe('completed');
    expect(whole.output.map(statusOf)).toEqual(['completed']);
  });

  it('streams the cut-short message as incomplete: its output_item.done and the final response', async () => {
    const stream = client.responses.stream({ model: 'sim-small', input: 'Tell me a long story', max_output_tokens: 16 });
    const done: string[] = [];
    for await (const e of stream) if (e.type === 'response.output_item.done') done.push(statusOf(e.item) ?? '');
    const final = await stream.finalResponse();
    expect(final.status).toBe('incomplete');
    expect(done).toEqual(['incomplete']);
    expect(final.output.map(statusOf)).toEqual(['incomplete']);
  });

  it('calls a function when tool_choice requires it, and takes its output in the next turn', async () => {
    const r = await client.responses.create({ model: 'sim-small', input: 'Weather in Paris?', tools: [WEATHER], tool_choice: 'required' });
    const call = r.output.find((o) => o.type === 'function_call');
    if (!call || call.type !== 'function_call') throw new Error('no function call');
    expect(call.name).toBe('get_weather');
    expect(call.call_id).toMatch(/^call_/);
    expect(Object.keys(JSON.parse(call.arguments) as object).sort()).toEqual(['city', 'days']);
    const next = await client.responses.create({
      model: 'sim-small',
      previous_response_id: r.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temp": 21}' }],
      tools: [WEATHER],
    });
    expect(next.output[0]!.type).toBe('message');
    expect(next.usage!.input_tokens).toBeGreaterThan(r.usage!.input_tokens);
  });
});

describe('responses.stream', () => {
  it('sends the typed events in order, numbered from 0, and the helper assembles the same answer', async () => {
    const body = { model: 'sim-small', input: 'Same answer twice', max_output_tokens: 40 };
    const plain = await client.responses.create(body);
    const stream = client.responses.stream(body);
    const events: { type: string; sequence_number: number }[] = [];
    for await (const e of stream) events.push(e);
    const final = await stream.finalResponse();

    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = events.map((e) => e.type);
    const deltas = types.filter((t) => t === 'response.output_text.delta').length;
    expect(deltas).toBeGreaterThan(1);
    const terminal = plain.status === 'completed' ? 'response.completed' : 'response.incomplete';
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array<string>(deltas).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      terminal,
    ]);
    expect(final.output_text).toBe(plain.output_text);
    expect(final.usage).toEqual(plain.usage);
    expect(final.id).toMatch(/^resp_/);
    expect(final.id).not.toBe(plain.id);
    const created = events[0] as unknown as { response: OpenAI.Responses.Response };
    expect(created.response.status).toBe('in_progress');
    expect(created.response.id).toBe(final.id);
  });

  it('streams a function call as argument deltas', async () => {
    const stream = client.responses.stream({ model: 'sim-small', input: 'Weather in Oslo?', tools: [WEATHER], tool_choice: { type: 'function', name: 'get_weather' } });
    const types: string[] = [];
    let args = '';
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === 'response.function_call_arguments.delta') args += e.delta;
    }
    const final = await stream.finalResponse();
    const call = final.output[0]!;
    if (call.type !== 'function_call') throw new Error('no function call');
    expect(call.arguments).toBe(args);
    expect(JSON.parse(args)).toHaveProperty('city');
    expect(types).toContain('response.function_call_arguments.done');
    expect(types.indexOf('response.output_item.added')).toBeLessThan(types.indexOf('response.function_call_arguments.delta'));
    expect(types.at(-1)).toBe('response.completed');
  });

  it('a failure mid-stream: finalResponse() rejects with an APIError; response.failed holds the output sent so far', async () => {
    const stream = client.responses.stream({ model: 'sim-small', input: 'Tell me a story', max_output_tokens: 200 }, { headers: { 'x-tollgate-fault': 'server_error@3' } });
    let text = '';
    let failed: OpenAI.Responses.Response | undefined;
    stream.on('response.output_text.delta', (e) => (text += e.delta));
    stream.on('response.failed', (e) => (failed = e.response));
    const err = await stream.finalResponse().then(
      () => undefined,
      (e: unknown) => e,
    );
    // A real APIError (no status: it came in the stream), not the event object.
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBeUndefined();
    expect(e.type).toBe('server_error');
    expect(e.code).toBe('server_error');
    expect(e.param).toBeNull();
    expect(e.message).toBe('The server had an error while processing your request. Sorry about that!');

    expect(text.length).toBeGreaterThan(0);
    expect(failed?.status).toBe('failed');
    expect(failed!.error).toEqual({ code: 'server_error', message: e.message });
    expect(failed!.output).toEqual([expect.objectContaining({ type: 'message', role: 'assistant', status: 'incomplete', content: [expect.objectContaining({ type: 'output_text', text })] })]);
    // What it says was produced is what was sent, counted.
    expect(failed!.usage!.output_tokens).toBe(countText(text));
    // Kept as it ended.
    const stored = await client.responses.retrieve(failed!.id);
    expect(stored.status).toBe('failed');
    expect(stored.output).toEqual(failed!.output);
  });

  it('a failure mid-stream, read raw: response.failed, then the error event flat and nested, nothing after', async () => {
    const r = await fetch(`${gw.baseURL}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json', 'x-tollgate-fault': 'server_error@2' },
      body: JSON.stringify({ model: 'sim-small', input: 'hi', stream: true }),
    });
    const frames = (await r.text()).trim().split('\n\n');
    const last = frames.slice(-2).map((f) => ({ event: f.split('\n')[0], data: JSON.parse(f.split('\n')[1]!.slice('data: '.length)) as Record<string, any> }));
    expect(last.map((f) => f.event)).toEqual(['event: response.failed', 'event: error']);
    const error = last[1]!.data;
    const message = 'The server had an error while processing your request. Sorry about that!';
    expect(error).toEqual({
      type: 'error',
      code: 'server_error',
      message,
      param: null,
      error: { type: 'server_error', code: 'server_error', message, param: null },
      sequence_number: last[0]!.data.sequence_number + 1,
    });
  });
});

describe('stored responses', () => {
  it('retrieve, inputItems.list and delete', async () => {
    const r = await client.responses.create({ model: 'sim-small', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Remember me' }] }] });
    const got = await client.responses.retrieve(r.id);
    expect(got.id).toBe(r.id);
    expect(got.output_text).toBe(r.output_text);
    expect(got.usage).toEqual(r.usage);

    const items = await client.responses.inputItems.list(r.id);
    expect(items.data).toHaveLength(1);
    const item = items.data[0]!;
    expect(item.type).toBe('message');
    expect(item.id).toMatch(/^msg_/);
    if (item.type !== 'message') throw new Error('not a message');
    expect(item.content).toEqual([{ type: 'input_text', text: 'Remember me' }]);

    const deleted = await client.responses.delete(r.id);
    expect(deleted).toEqual({ id: r.id, object: 'response.deleted', deleted: true });
    const e = await rejection(client.responses.retrieve(r.id));
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.message).toContain(`Response with id '${r.id}' not found.`);
    expect((await rejection(client.responses.delete(r.id))).status).toBe(404);
  });

  it('keeps nothing with store: false', async () => {
    const r = await client.responses.create({ model: 'sim-small', input: 'Forget me', store: false });
    expect((r as unknown as { store: boolean }).store).toBe(false);
    expect((await rejection(client.responses.retrieve(r.id))).status).toBe(404);
  });

  it('lists input items newest first by default, oldest first with order=asc, and pages with after', async () => {
    const input = ['one', 'two', 'three'].map((t) => ({ role: 'user' as const, content: t }));
    const r = await client.responses.create({ model: 'sim-small', input });
    const desc = await client.responses.inputItems.list(r.id);
    const asc = await client.responses.inputItems.list(r.id, { order: 'asc' });
    const text = (d: typeof asc.data) => d.map((i) => (i.type === 'message' && i.content[0]!.type === 'input_text' ? i.content[0]!.text : ''));
    expect(text(asc.data)).toEqual(['one', 'two', 'three']);
    expect(text(desc.data)).toEqual(['three', 'two', 'one']);
    const page = await client.responses.inputItems.list(r.id, { order: 'asc', limit: 1, after: asc.data[0]!.id });
    expect(text(page.data)).toEqual(['two']);
    expect(page.has_more).toBe(true);
    const bad = await rejection(client.responses.inputItems.list(r.id, { limit: 'two' as unknown as number }));
    expect(bad.status).toBe(400);
    expect(bad.error).toMatchObject({ message: "Invalid type for 'limit': expected an integer, but got a string instead.", param: 'limit', code: 'invalid_type' });
  });

  it('chains three turns with previous_response_id; earlier turns count as input tokens', async () => {
    const t1 = await client.responses.create({ model: 'sim-small', input: 'My name is Ada.', max_output_tokens: 20 });
    const t2 = await client.responses.create({ model: 'sim-small', previous_response_id: t1.id, input: 'What is my name?', max_output_tokens: 20 });
    const t3 = await client.responses.create({ model: 'sim-small', previous_response_id: t2.id, input: 'Say it again.', max_output_tokens: 20 });
    expect(t2.previous_response_id).toBe(t1.id);
    expect(t3.previous_response_id).toBe(t2.id);

    // The same conversation sent whole, with nothing stored, costs exactly the same input tokens.
    const whole = await client.responses.create({
      model: 'sim-small',
      store: false,
      max_output_tokens: 20,
      input: [
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: t1.output_text },
        { role: 'user', content: 'What is my name?' },
        { role: 'assistant', content: t2.output_text },
        { role: 'user', content: 'Say it again.' },
      ],
    });
    expect(t3.usage!.input_tokens).toBe(whole.usage!.input_tokens);
    expect(t3.output_text).toBe(whole.output_text);
    expect(t2.usage!.input_tokens).toBeGreaterThan(t1.usage!.input_tokens + t1.usage!.output_tokens);
    expect(t3.usage!.input_tokens).toBeGreaterThan(t2.usage!.input_tokens + t2.usage!.output_tokens);
  });

  it('only the organization that created a response can read, delete or chain from it', async () => {
    const r = await client.responses.create({ model: 'sim-small', input: 'Private' });
    const other = await gw.newTenant('responses-other');
    const stranger = new OpenAI({ baseURL: gw.baseURL, apiKey: other.apiKey, maxRetries: 0 });
    expect((await rejection(stranger.responses.retrieve(r.id))).status).toBe(404);
    expect((await rejection(stranger.responses.delete(r.id))).status).toBe(404);
    expect((await rejection(stranger.responses.inputItems.list(r.id))).status).toBe(404);
    const e = await rejection(stranger.responses.create({ model: 'sim-small', previous_response_id: r.id, input: 'Hi' }));
    expect(e.status).toBe(400);
    expect(e.code).toBe('previous_response_not_found');
    expect(e.param).toBe('previous_response_id');
    expect(e.message).toBe(`400 Previous response with id '${r.id}' not found.`);
    // Still there for its owner.
    expect((await client.responses.retrieve(r.id)).id).toBe(r.id);
  });
});

/** An output item's `status` (every item type the simulator produces has one). */
function statusOf(item: OpenAI.Responses.ResponseOutputItem): string | undefined {
  return (item as { status?: string }).status;
}

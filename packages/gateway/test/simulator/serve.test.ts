import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, startSimulatorServer, type SimulatorServer } from 'tollgate';
import { countText } from '../../src/tokens/count.js';
import { flush, simModel } from './helpers.js';
import { until } from '../support/wait.js';

const chatModel = simModel({}, { name: 'sim-small' });
const embedModel = simModel({}, { name: 'sim-embed', type: 'embedding' });
const messages = [{ role: 'user' as const, content: 'Hello, simulator' }];

/** Polls a condition that another process or socket event makes true. */
const eventually = (cond: () => boolean) => until(cond, 'the simulator to get there');

describe('simulator over HTTP, with the official openai SDK', () => {
  let sim: SimulatorServer;
  let client: OpenAI;
  beforeAll(async () => {
    sim = await startSimulatorServer({ models: [chatModel, embedModel], port: 0, allowFaultHeader: true });
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'x', maxRetries: 0 });
  });
  afterAll(() => sim.close());

  it('chat.completions.create', async () => {
    const r = await client.chat.completions.create({ model: 'sim-small', messages });
    expect(r.object).toBe('chat.completion');
    const content = r.choices[0]!.message.content!;
    expect(content.length).toBeGreaterThan(0);
    expect(r.usage!.completion_tokens).toBe(countText(content));
    expect(r._request_id).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('chat.completions.create with stream and include_usage gives the same text and usage', async () => {
    const plain = await client.chat.completions.create({ model: 'sim-small', messages, max_tokens: 40 });
    const stream = await client.chat.completions.create({ model: 'sim-small', messages, max_tokens: 40, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(plain.choices[0]!.message.content);
    expect(finish).toBe(plain.choices[0]!.finish_reason);
    expect(usage).toEqual(plain.usage);
  });

  it('completions.create, streamed and not', async () => {
    const r = await client.completions.create({ model: 'sim-small', prompt: 'Once upon a time', max_tokens: 20 });
    expect(r.object).toBe('text_completion');
    expect(r.usage!.completion_tokens).toBe(20);
    let text = '';
    for await (const c of await client.completions.create({ model: 'sim-small', prompt: 'Once upon a time', max_tokens: 20, stream: true })) text += c.choices[0]?.text ?? '';
    expect(text).toBe(r.choices[0]!.text);
  });

  it('embeddings.create (the SDK asks for base64 and decodes it)', async () => {
    const r = await client.embeddings.create({ model: 'sim-embed', input: ['one', 'two'] });
    expect(r.data).toHaveLength(2);
    for (const d of r.data) {
      expect(d.embedding).toHaveLength(1536);
      expect(Math.sqrt(d.embedding.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 5);
    }
    const short = await client.embeddings.create({ model: 'sim-embed', input: 'one', dimensions: 32, encoding_format: 'float' });
    expect(short.data[0]!.embedding).toHaveLength(32);
  });

  it('models.list and models.retrieve', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['sim-small', 'sim-embed']);
    expect(await client.models.retrieve('sim-embed')).toMatchObject({ id: 'sim-embed', object: 'model', owned_by: 'tollgate', created: 1_767_225_600 });
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it.each([
    ['rate_limit_requests', OpenAI.RateLimitError, 429, 'rate_limit_exceeded'],
    ['insufficient_quota', OpenAI.RateLimitError, 429, 'insufficient_quota'],
    ['invalid_api_key', OpenAI.AuthenticationError, 401, 'invalid_api_key'],
    ['model_access_denied', OpenAI.PermissionDeniedError, 403, 'model_not_found'],
    ['model_not_found', OpenAI.NotFoundError, 404, 'model_not_found'],
    ['context_length_exceeded', OpenAI.BadRequestError, 400, 'context_length_exceeded'],
    ['resource_conflict', OpenAI.ConflictError, 409, 'resource_conflict'],
    ['server_error', OpenAI.InternalServerError, 500, null],
    ['server_is_overloaded', OpenAI.InternalServerError, 503, 'server_is_overloaded'],
  ] as const)('x-tollgate-fault: %s gives the SDK class the status calls for', async (fault, cls, status, code) => {
    const err = await client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-tollgate-fault': fault } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(status);
    expect(e.code).toBe(code);
    expect(e.requestID).toMatch(/^req_[0-9a-f]{32}$/);
    expect(e.message).not.toMatch(/\{[a-z_]+\}/);
  });

  it('a retry hint on rate-limit faults only, x-should-retry: false on the ones a retry cannot fix', async () => {
    const post = (fault: string) =>
      fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tollgate-fault': fault }, body: JSON.stringify({ model: 'sim-small', messages }) });
    const retryable = await post('upstream_unavailable');
    expect(retryable.status).toBe(503);
    expect(retryable.headers.get('retry-after-ms')).toBeNull();
    expect(retryable.headers.get('retry-after')).toBeNull();
    expect(retryable.headers.get('x-should-retry')).toBeNull();
    const limited = await post('rate_limit_requests');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after-ms')).toBe('1000');
    expect(limited.headers.get('retry-after')).toBe('1');
    const final = await post('insufficient_quota');
    expect(final.headers.get('x-should-retry')).toBe('false');
    expect(await final.json()).toEqual({
      error: {
        message: `You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: ${sim.url}/docs/errors#insufficient_quota.`,
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      },
    });
    const unknown = await post('nonsense');
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.message).toContain("'nonsense'");
  });

  it('a mid-stream fault arrives as an error frame the SDK throws as APIError without status', async () => {
    const stream = await client.chat.completions.create({ model: 'sim-small', messages, stream: true }, { headers: { 'x-tollgate-fault': 'server_error@2' } });
    let contentChunks = 0;
    const err = await (async () => {
      for await (const c of stream) if (c.choices[0]?.delta.content) contentChunks++;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBeUndefined();
    expect((err as Error).message).toBe('The server had an error while processing your request. Sorry about that!');
    expect(contentChunks).toBe(2);
  });

  it('the raw SSE wire: content type, data frames, [DONE]; an error frame and no [DONE] after a fault', async () => {
    const post = (headers: Record<string, string> = {}) =>
      fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'sim-small', messages, stream: true, max_tokens: 6 }) });
    const ok = await post();
    expect(ok.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(ok.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    const frames = (await ok.text()).split('\n\n').filter(Boolean);
    expect(frames.every((f) => f.startsWith('data: '))).toBe(true);
    expect(frames.at(-1)).toBe('data: [DONE]');
    expect(frames).toHaveLength(1 + 2 + 1 + 1); // role, 6 tokens in 2 chunks, finish, [DONE]

    const failed = (await (await post({ 'x-tollgate-fault': 'upstream_idle_timeout@1' })).text()).split('\n\n').filter(Boolean);
    expect(failed).toHaveLength(3);
    expect(JSON.parse(failed[2]!.slice(6))).toEqual({
      error: { message: 'Gateway timeout. The engine for this model stopped sending data for 30s.', type: 'server_error', param: null, code: 'upstream_idle_timeout' },
    });
  });

  it('disconnect@<n> cuts the socket after n content chunks; the engine slot comes back', async () => {
    const stream = await client.chat.completions.create({ model: 'sim-small', messages, stream: true }, { headers: { 'x-tollgate-fault': 'disconnect@2' } });
    let contentChunks = 0;
    const err = await (async () => {
      for await (const c of stream) if (c.choices[0]?.delta.content) contentChunks++;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(contentChunks).toBe(2);
    await eventually(() => sim.engines.get('sim-small')!.stats().inFlight === 0);
    // A non-streamed call is cut before any response.
    const plain = await client.chat.completions.create({ model: 'sim-small', messages }, { headers: { 'x-tollgate-fault': 'disconnect' } }).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('stall@<n> sends n content chunks then nothing, without closing; a client abort frees the slot', async () => {
    const ac = new AbortController();
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tollgate-fault': 'stall@1' },
      body: JSON.stringify({ model: 'sim-small', messages, stream: true }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/data: /g) ?? []).length < 2) {
      const { value } = await reader.read();
      text += decoder.decode(value, { stream: true });
    }
    const more = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('silence'), 50))]);
    expect(more).toBe('silence');
    expect(sim.engines.get('sim-small')!.stats().inFlight).toBe(1);
    ac.abort();
    await eventually(() => sim.engines.get('sim-small')!.stats().inFlight === 0);
  });

  it('plain HTTP errors: invalid JSON, body not an object, unknown model, unknown path, wrong method', async () => {
    const post = (path: string, body: string) => fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const bad = await post('/v1/chat/completions', '{not json');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-should-retry')).toBe('false');
    expect((await bad.json()).error).toMatchObject({ type: 'invalid_request_error', code: null, param: null });
    expect((await (await post('/v1/chat/completions', '[1]')).json()).error.message).toBe('Invalid type for request body: expected an object, but got an array instead.');
    const unknown = await post('/v1/chat/completions', JSON.stringify({ model: 'gpt-9', messages }));
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ code: 'model_not_found', message: 'The model `gpt-9` does not exist or you do not have access to it.' });
    const missing = await post('/v1/embeddings', JSON.stringify({ input: 'x' }));
    expect((await missing.json()).error).toMatchObject({ code: 'missing_required_parameter', param: 'model' });
    const path = await post('/v1/nothing', '{}');
    expect(path.status).toBe(404);
    expect((await path.json()).error.message).toBe('Invalid URL (POST /v1/nothing)');
    const method = await fetch(`${sim.url}/v1/chat/completions`);
    expect(method.status).toBe(405);
  });
});

describe('simulator over HTTP: capacity, cancellation and the fault switch', () => {
  it('answers 503 server_is_overloaded when full, and a client disconnect aborts the engine call', async () => {
    const clock = new FakeClock();
    const sim = await startSimulatorServer({ models: [simModel({ ttft_ms: 60_000, max_concurrency: 1, max_queue: 0 }, { name: 'tiny' })], port: 0, clock });
    try {
      const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const engine = sim.engines.get('tiny')!;
      const ac = new AbortController();
      const first = client.chat.completions.create({ model: 'tiny', messages }, { signal: ac.signal }).catch((e: unknown) => e);
      await eventually(() => engine.stats().inFlight === 1);
      const err = await client.chat.completions.create({ model: 'tiny', messages }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.InternalServerError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('server_is_overloaded');
      expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBeNull();
      ac.abort();
      expect(await first).toBeInstanceOf(OpenAI.APIUserAbortError);
      await eventually(() => engine.stats().inFlight === 0);
      expect(engine.stats()).toMatchObject({ served: 0, maxInFlightSeen: 1 });
      // With the slot free and time moved on, the same request is served.
      const next = client.chat.completions.create({ model: 'tiny', messages });
      await eventually(() => engine.stats().inFlight === 1);
      await flush();
      await clock.advance(60_000);
      expect((await next).object).toBe('chat.completion');
    } finally {
      await sim.close();
    }
  });

  it('ignores x-tollgate-fault unless the server or the model allows it', async () => {
    const sim = await startSimulatorServer({ models: [chatModel, simModel({ allow_fault_header: true }, { name: 'faulty' })], port: 0 });
    try {
      const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const opts = { headers: { 'x-tollgate-fault': 'server_error' } };
      expect((await client.chat.completions.create({ model: 'sim-small', messages }, opts)).object).toBe('chat.completion');
      await expect(client.chat.completions.create({ model: 'faulty', messages }, opts)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    } finally {
      await sim.close();
    }
  });

  it('close() ends open streams and stalls', async () => {
    const sim = await startSimulatorServer({ models: [chatModel], port: 0, allowFaultHeader: true });
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tollgate-fault': 'stall@0' },
      body: JSON.stringify({ model: 'sim-small', messages, stream: true }),
    });
    expect(res.status).toBe(200);
    await sim.close();
    await eventually(() => sim.engines.get('sim-small')!.stats().inFlight === 0);
    await expect(res.text()).rejects.toThrow();
  });
});

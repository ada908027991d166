/**
 * Issue 2's acceptance: the official `openai` SDK completes, streams, embeds and lists models
 * against the gateway; errors arrive as the SDK's own classes with the request id of the response.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway();
  client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
});
afterAll(() => gw.close());

describe('the official SDK against the gateway', () => {
  it('completes a chat with usage and the standard headers', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 20 }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]!.message.role).toBe('assistant');
    expect(data.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(data.usage!.completion_tokens).toBeLessThanOrEqual(20);
    expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(response.headers.get('openai-version')).toBe('2020-10-01');
    // Present and a whole number of ms (Number(null) would be 0 and pass a >= 0 check).
    expect(response.headers.get('openai-processing-ms')).toMatch(/^\d+$/);
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('streams with [DONE] and a final usage chunk when asked', async () => {
    const stream = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Stream please' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.total_tokens).toBeGreaterThan(0);
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text.length).toBeGreaterThan(0);
  });

  it('streams without a usage chunk when not asked', async () => {
    const stream = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Stream please' }], stream: true });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.every((c) => c.usage === undefined || c.usage === null)).toBe(true);
  });

  it('streamed and plain answers to the same request match', async () => {
    const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'Same answer twice' }], seed: 7, max_tokens: 40 };
    const plain = await client.chat.completions.create(body);
    const stream = await client.chat.completions.create({ ...body, stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe(plain.choices[0]!.message.content);
  });

  it('completes (legacy completions)', async () => {
    const r = await client.completions.create({ model: 'sim-small', prompt: 'Once upon a time', max_tokens: 10 });
    expect(r.object).toBe('text_completion');
    expect(r.choices[0]!.text.length).toBeGreaterThan(0);
  });

  it('embeds', async () => {
    const r = await client.embeddings.create({ model: 'sim-embed', input: ['a', 'b'], dimensions: 64 });
    expect(r.data).toHaveLength(2);
    expect(r.data[0]!.embedding).toHaveLength(64);
    const norm = Math.sqrt(r.data[0]!.embedding.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 4);
  });

  it('lists and retrieves models', async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['sim-small', 'sim-large', 'sim-embed']));
    const m = await client.models.retrieve('sim-small');
    expect(m).toMatchObject({ id: 'sim-small', object: 'model' });
  });

  it('raises BadRequestError with the request id of the response', async () => {
    const err = await client.chat.completions.create({ model: 'sim-small', messages: [], temperature: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.code).toBe('empty_array');
    expect(e.param).toBe('messages');
    expect(e.requestID).toMatch(/^req_[0-9a-f]{32}$/);
    expect(e.headers.get('x-request-id')).toBe(e.requestID);
    expect(e.headers.get('x-should-retry')).toBe('false');
  });

  it('raises NotFoundError for an unknown model, with OpenAI wording', async () => {
    const err = (await client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.NotFoundError>;
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.code).toBe('model_not_found');
    expect(err.message).toBe('404 The model `gpt-9` does not exist or you do not have access to it.');
    const r = await client.models.retrieve('gpt-9').catch((e: unknown) => e);
    expect(r).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('raises BadRequestError for context length with OpenAI wording', async () => {
    const long = 'word '.repeat(9000);
    const err = (await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: long }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe('context_length_exceeded');
    expect(err.message).toMatch(/^400 This model's maximum context length is 8192 tokens\. However, your messages resulted in \d+ tokens\. Please reduce the length of the messages\.$/);
  });

  it('gives the guide 500 for the server_error fault, retried by the SDK', async () => {
    const retrying = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 1, defaultHeaders: { 'x-tollgate-fault': 'server_error' } });
    const err = (await retrying.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.InternalServerError>;
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.message).toBe('500 The server had an error while processing your request. Sorry about that!');
  });

  it('a mid-stream fault ends the stream with an error frame', async () => {
    const faulty = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0, defaultHeaders: { 'x-tollgate-fault': 'server_error@2' } });
    const stream = await faulty.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'x' }], stream: true });
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const c of stream) seen.push(c);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBeUndefined();
    expect(seen.length).toBeGreaterThan(0);
  });
});

describe('raw HTTP edge cases', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(gw.url + path, { method: 'POST', headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json', ...headers }, body });

  it('invalid JSON → 400 with OpenAI wording and all four keys', async () => {
    const r = await post('/v1/chat/completions', '{"model":');
    expect(r.status).toBe(400);
    const j = await r.json();
    expect(Object.keys(j.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(j.error.message).toMatch(/^We could not parse the JSON body of your request\./);
    expect(j.error.message).toContain('http://gateway.test/docs/errors');
  });

  it('unknown path → 404 Invalid URL', async () => {
    const r = await post('/v1/chat/completion', '{}');
    expect(r.status).toBe(404);
    expect((await r.json()).error).toEqual({ message: 'Invalid URL (POST /v1/chat/completion)', type: 'invalid_request_error', param: null, code: null });
  });

  it('wrong method → 405 with Allow', async () => {
    const r = await fetch(gw.url + '/v1/chat/completions', { headers: { authorization: `Bearer ${gw.apiKey}` } });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    expect((await r.json()).error.type).toBe('invalid_request_error');
  });

  it('wrong content type → 415', async () => {
    const r = await post('/v1/chat/completions', 'model=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
  });

  it('unrecognized argument → exact OpenAI message', async () => {
    const r = await post('/v1/chat/completions', JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'x' }], foo: 1 }));
    expect(r.status).toBe(400);
    expect((await r.json()).error).toEqual({ message: 'Unrecognized request argument supplied: foo', type: 'invalid_request_error', param: null, code: null });
  });

  it('serves the error docs in both languages', async () => {
    const en = await fetch(gw.url + '/docs/errors?lang=en');
    expect(en.headers.get('content-type')).toContain('text/html');
    expect(await en.text()).toContain('invalid_api_key');
    const zh = await (await fetch(gw.url + '/docs/errors?lang=zh-CN')).text();
    expect(zh).toContain('原因');
  });

  it('/metrics counts answered requests in the Prometheus text format', async () => {
    const text = await (await fetch(gw.url + '/metrics')).text();
    expect(text).toMatch(/^tollgate_requests_total\{path="\/v1\/chat\/completions",status="200"\} [1-9]\d*$/m);
    expect(text).toContain('# TYPE tollgate_request_duration_seconds histogram');
  });

  it('healthz and readyz answer', async () => {
    expect((await fetch(gw.url + '/healthz')).status).toBe(200);
    expect((await fetch(gw.url + '/readyz')).status).toBe(200);
  });
});

// Chat `logprobs: true` (with `top_logprobs`): OpenAI's `choices[].logprobs.content[]` shape, one
// entry per output token, streamed and not; `null` when not asked.
const lpBody = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'Tell me something.' }], seed: 11, max_tokens: 30 };

function checkEntries(content: OpenAI.Chat.ChatCompletionTokenLogprob[], text: string, top: number): void {
  expect(content.map((e) => e.token).join('')).toBe(text);
  for (const e of content) {
    expect(e.logprob).toBeLessThanOrEqual(0);
    expect(Buffer.from(e.bytes!).toString('utf8')).toBe(e.token);
    expect(e.top_logprobs).toHaveLength(top);
    if (top > 0) expect(e.top_logprobs[0]).toEqual({ token: e.token, logprob: e.logprob, bytes: e.bytes });
    for (let i = 1; i < e.top_logprobs.length; i++) expect(e.top_logprobs[i]!.logprob).toBeLessThan(e.top_logprobs[i - 1]!.logprob);
  }
}

describe('chat logprobs', () => {
  it('null when not asked', async () => {
    const r = await client.chat.completions.create(lpBody);
    expect(r.choices[0]!.logprobs).toBeNull();
  });

  it('one entry per output token, with top_logprobs', async () => {
    const r = await client.chat.completions.create({ ...lpBody, logprobs: true, top_logprobs: 3 });
    const lp = r.choices[0]!.logprobs!;
    expect(lp.refusal).toBeNull();
    expect(lp.content).toHaveLength(r.usage!.completion_tokens);
    checkEntries(lp.content!, r.choices[0]!.message.content!, 3);
  });

  it('logprobs without top_logprobs: empty alternatives', async () => {
    const r = await client.chat.completions.create({ ...lpBody, logprobs: true });
    checkEntries(r.choices[0]!.logprobs!.content!, r.choices[0]!.message.content!, 0);
  });

  it('streamed: each content chunk carries the entries of its tokens, the same as the plain answer', async () => {
    const plain = await client.chat.completions.create({ ...lpBody, logprobs: true, top_logprobs: 2 });
    const stream = await client.chat.completions.create({ ...lpBody, logprobs: true, top_logprobs: 2, stream: true });
    const entries: OpenAI.Chat.ChatCompletionTokenLogprob[] = [];
    for await (const c of stream) {
      const choice = c.choices[0];
      if (!choice) continue;
      if (choice.delta.content) expect(choice.logprobs!.content!.map((e) => e.token).join('')).toBe(choice.delta.content);
      entries.push(...(choice.logprobs?.content ?? []));
    }
    expect(entries).toEqual(plain.choices[0]!.logprobs!.content);
  });

  it('streamed without logprobs: null on every chunk', async () => {
    const stream = await client.chat.completions.create({ ...lpBody, stream: true });
    for await (const c of stream) for (const ch of c.choices) expect(ch.logprobs ?? null).toBeNull();
  });
});

/*
 * Legacy completions' `echo` and `logprobs`, as OpenAI (and vLLM) answer them: with echo the text
 * starts with the prompt and usage does not change; `logprobs: k` gives {tokens, token_logprobs,
 * top_logprobs, text_offset} covering the text, in a stream chunk by chunk. The simulator used to
 * ignore both (text without the prompt, logprobs null).
 */
const LEGACY = { model: 'sim-small', prompt: 'Hello there', max_tokens: 3 } as const;

/** The logprobs cover `text` token by token: the tokens join to it, each offset is where its token starts. */
function expectCovers(lp: OpenAI.Completions.CompletionChoice.Logprobs, text: string, k: number): void {
  expect(lp.tokens!.join('')).toBe(text);
  let at = 0;
  lp.tokens!.forEach((t, i) => {
    expect(lp.text_offset![i]).toBe(at);
    at += t.length;
  });
  expect(lp.token_logprobs).toHaveLength(lp.tokens!.length);
  for (const top of lp.top_logprobs!.filter((x) => x !== null)) expect(Object.keys(top).length).toBeLessThanOrEqual(k + 1);
}

describe('POST /v1/completions', () => {
  it('echo: the text starts with the prompt, the generated text and the usage unchanged', async () => {
    const plain = await client.completions.create(LEGACY);
    const echoed = await client.completions.create({ ...LEGACY, echo: true });
    expect(echoed.choices[0]!.text).toBe(`Hello there${plain.choices[0]!.text}`);
    expect(echoed.usage).toEqual(plain.usage);
  });

  it('logprobs: one entry per output token, k + 1 alternatives at most, the sampled token among them', async () => {
    const r = await client.completions.create({ ...LEGACY, logprobs: 2 });
    const c = r.choices[0]!;
    expect(Object.keys(c.logprobs!).sort()).toEqual(['text_offset', 'token_logprobs', 'tokens', 'top_logprobs']);
    expectCovers(c.logprobs!, c.text, 2);
    expect(c.logprobs!.tokens).toHaveLength(r.usage!.completion_tokens);
    c.logprobs!.tokens!.forEach((t, i) => {
      expect(c.logprobs!.token_logprobs![i]).toEqual(expect.any(Number));
      expect(c.logprobs!.top_logprobs![i]![t]).toBe(c.logprobs!.token_logprobs![i]);
    });
  });

  it('echo with logprobs: the prompt tokens come first, the first without a log probability', async () => {
    const r = await client.completions.create({ ...LEGACY, echo: true, logprobs: 1 });
    const c = r.choices[0]!;
    expectCovers(c.logprobs!, c.text, 1);
    expect(c.logprobs!.token_logprobs![0]).toBeNull();
    expect(c.logprobs!.top_logprobs![0]).toBeNull();
    expect(c.logprobs!.tokens).toHaveLength(r.usage!.prompt_tokens + r.usage!.completion_tokens);
  });

  it('a stream: the prompt leads, each chunk carries its own tokens, the usage is that of the plain request', async () => {
    const plain = await client.completions.create(LEGACY);
    const stream = await client.completions.create({ ...LEGACY, echo: true, logprobs: 2, stream: true, stream_options: { include_usage: true } });
    let text = '';
    const all: Required<OpenAI.Completions.CompletionChoice.Logprobs> = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      for (const c of chunk.choices) {
        text += c.text;
        if (!c.logprobs) continue;
        expect(c.logprobs.tokens!.join('')).toBe(c.text);
        for (const key of Object.keys(all) as (keyof typeof all)[]) (all[key] as unknown[]).push(...(c.logprobs[key] as unknown[]));
      }
    }
    expect(text).toBe(`Hello there${plain.choices[0]!.text}`);
    expectCovers(all, text, 2);
    expect(usage).toEqual(plain.usage);
  });
});

import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from 'tollgate';
import type { OpenAICompatibleEngine } from '../../src/upstream/openai-compatible/index.js';
import type { FakeUpstream } from './fake-upstream.js';
import { chunks, completion, drained, errorBody, json, sleep, sse, startFakeUpstream } from './fake-upstream.js';
import { apiError, asStream, chatCall, deltaText, deployment, drain, engine, model, rejection } from './helpers.js';
import { until } from '../support/wait.js';

let a: FakeUpstream;
let b: FakeUpstream;
const engines: OpenAICompatibleEngine[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});
beforeEach(() => {
  a.requests.length = 0;
  b.requests.length = 0;
  b.handle((_, res) => sse(res, chunks(['from', ' b'])));
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** A on its own, or A then B. */
function eng(withB = false, deps: Parameters<typeof engine>[1] = {}) {
  const ds = [deployment('a', a.baseUrl), ...(withB ? [deployment('b', b.baseUrl)] : [])];
  const e = engine(model('m', ds), { random: () => 0, ...deps });
  engines.push(e);
  return e;
}

const words = ['Hello', ',', ' world', '!'];

describe('requests the engine sends', () => {
  it('POSTs base_url + endpoint with the deployment model, bearer key from env, deployment headers; no fault or request id header unless asked', async () => {
    a.handle((_, res) => json(res, 200, completion()));
    const d = deployment('a', `${a.baseUrl}?api-version=2024-06-01`, { api_key_env: 'UPSTREAM_KEY', model: 'llama3:8b', headers: { 'X-Org': 'acme' } });
    const e = engine(model('m', [d]), { env: { UPSTREAM_KEY: 'sk-upstream-secret' } });
    engines.push(e);
    await e.call(chatCall());
    await e.call({ ...chatCall(), endpoint: 'completions', body: { model: 'gateway-model', prompt: 'hi' }, fault: 'server_error@2' });
    await e.call({ ...chatCall(), endpoint: 'embeddings', body: { model: 'gateway-model', input: 'hi' } });
    const [chat, comp, emb] = a.requests;
    expect(chat!.method).toBe('POST');
    expect(chat!.path).toBe('/v1/chat/completions?api-version=2024-06-01');
    expect(chat!.body).toEqual({ model: 'llama3:8b', messages: [{ role: 'user', content: 'Say hello.' }] });
    expect(chat!.headers).toMatchObject({ authorization: 'Bearer sk-upstream-secret', 'x-org': 'acme', 'content-type': 'application/json', accept: 'application/json' });
    expect(chat!.headers['x-tollgate-fault']).toBeUndefined();
    expect(chat!.headers['x-request-id']).toBeUndefined();
    expect(comp!.path).toBe('/v1/completions?api-version=2024-06-01');
    expect(comp!.headers['x-tollgate-fault']).toBe('server_error@2');
    expect(emb!.path).toBe('/v1/embeddings?api-version=2024-06-01');
  });

  it('no Authorization header when the key variable is unset', async () => {
    a.handle((_, res) => json(res, 200, completion()));
    const e = engine(model('m', [deployment('a', a.baseUrl, { api_key_env: 'MISSING' })]));
    engines.push(e);
    await e.call(chatCall());
    expect(a.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('a JSON answer is returned with its usage', async () => {
    a.handle((_, res) => json(res, 200, completion('Hi.')));
    const r = await eng().call(chatCall());
    expect(r).toEqual({ kind: 'json', body: completion('Hi.'), usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } });
  });

  it('keep-alive: 35 calls in a row reuse their connections', async () => {
    a.handle((req, res) => (req.body.stream ? sse(res, chunks(words)) : json(res, 200, completion())));
    const before = a.connections;
    const e = eng();
    const seen: number[] = [];
    for (let i = 0; i < 30; i++) {
      await e.call(chatCall());
      seen.push(a.connections - before);
    }
    for (let i = 0; i < 5; i++) {
      await drain(asStream(await e.call(chatCall({ stream: true }))));
      seen.push(a.connections - before);
    }
    // undici may open a second socket when a call is dispatched in the same tick the previous
    // one completed (before its socket reports free); after that, the two are reused.
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
    expect(seen.slice(5).every((n) => n === seen[4])).toBe(true);
  });
});

describe('streams', () => {
  it('yields the parsed chunks in order, usage chunk included, and sends stream: true with accept: text/event-stream', async () => {
    a.handle((_, res) => sse(res, chunks(words)));
    const r = await eng().call(chatCall({ stream: true }));
    const { chunks: got, error } = await drain(asStream(r));
    expect(error).toBeUndefined();
    expect(got).toEqual(chunks(words));
    expect(deltaText(got)).toBe('Hello, world!');
    expect(a.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(a.requests[0]!.headers.accept).toBe('text/event-stream');
  });

  it('reads \\r\\n\\r\\n separators, multi-line data, comments and frames split anywhere', async () => {
    const cs = chunks(words);
    const wire = [': ping\r\n\r\n', ...cs.map((c) => `data: ${JSON.stringify(c, null, 1).replaceAll('\n', '\r\ndata: ')}\r\n\r\n`), 'data: [DONE]\r\n\r\n'].join('');
    // cut into 7-byte pieces, so separators and UTF-8 fall across writes
    const pieces = Buffer.from(wire).reduce<Buffer[]>((acc, _, i, all) => (i % 7 === 0 ? [...acc, all.subarray(i, i + 7)] : acc), []);
    a.handle(async (_, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const p of pieces) res.write(p);
      res.end();
    });
    const { chunks: got, error } = await drain(asStream(await eng().call(chatCall({ stream: true }))));
    expect(error).toBeUndefined();
    expect(got).toEqual(cs);
  });

  it('backpressure: a consumer that stops reading stops the upstream (its writes block); nothing piles up', async () => {
    // More than loopback socket buffers hold (several MB), so the upstream must block.
    const total = 1000;
    const pad = 'x'.repeat(16 * 1024);
    let written = 0;
    let blocked = false;
    a.handle(async (_, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < total; i++) {
        const ok = res.write(`data: ${JSON.stringify({ i, choices: [{ index: 0, delta: { content: pad } }] })}\n\n`);
        written++;
        if (!ok) {
          blocked = true;
          await drained(res);
        }
      }
      res.end('data: [DONE]\n\n');
    });
    const it = asStream(await eng().call(chatCall({ stream: true })))[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ i: 0 });
    await until(() => blocked, 'the upstream to block on a full socket');
    await sleep(50);
    expect(blocked).toBe(true);
    expect(written).toBeLessThan(total); // the upstream is parked on a full socket, not buffered into our memory
    let n = 1;
    for (let r = await it.next(); !r.done; r = await it.next()) expect(r.value).toMatchObject({ i: n++ });
    expect(n).toBe(total);
  });

  it('socket destroyed after 2 chunks: those 2 arrive, then upstream_connection_failed is thrown from the iterator; no retry', async () => {
    a.handle((_, res) => sse(res, chunks(words), { destroyAfter: 2 }));
    const { chunks: got, error } = await drain(asStream(await eng(true).call(chatCall({ stream: true }))));
    expect(got).toEqual(chunks(words).slice(0, 2));
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).entry.id).toBe('upstream_connection_failed');
    expect(b.requests).toHaveLength(0);
  });

  it.each([
    [errorBody('The server had an error', 'server_error'), 'server_error'],
    [errorBody('Rate limit reached', 'tokens', 'rate_limit_exceeded'), 'engine_overloaded'],
    [{ error: { message: 'bad', type: 'invalid_request_error', code: 'context_length_exceeded' } }, 'server_error'],
  ])('an error frame mid-stream (%j) is thrown as %s after the chunks before it', async (frame, id) => {
    a.handle((_, res) => sse(res, [...chunks(words).slice(0, 3), frame], { done: false }));
    const { chunks: got, error } = await drain(asStream(await eng(true).call(chatCall({ stream: true }))));
    expect(got).toHaveLength(3);
    expect((error as ApiError).entry.id).toBe(id);
    expect(b.requests).toHaveLength(0);
  });

  it('event: error frames with a flat payload are errors too', async () => {
    a.handle((_, res) => sse(res, [], { raw: [...chunks(words).slice(0, 2).map((c) => `data: ${JSON.stringify(c)}\n\n`), 'event: error\ndata: {"type":"server_error","message":"x"}\n\n'] }));
    const { chunks: got, error } = await drain(asStream(await eng().call(chatCall({ stream: true }))));
    expect(got).toHaveLength(2);
    expect((error as ApiError).entry.id).toBe('server_error');
  });

  it('a stream that ends without [DONE] is cut short: upstream_invalid_response after its chunks', async () => {
    a.handle((_, res) => sse(res, chunks(words).slice(0, 2), { done: false }));
    const { chunks: got, error } = await drain(asStream(await eng().call(chatCall({ stream: true }))));
    expect(got).toHaveLength(2);
    expect((error as ApiError).entry.id).toBe('upstream_invalid_response');
  });

  describe('a stream that closes without [DONE] is complete only when the answer is', () => {
    const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' };
    const choice = (index: number, content: string, finish: string | null = null) => ({ ...base, choices: [{ index, delta: { content }, finish_reason: finish }] });
    const usage = { ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } };
    const n2 = (over: Record<string, unknown> = {}) => chatCall({ stream: true, body: { ...chatCall({ stream: true }).body, n: 2, ...over } });
    const cases: [string, unknown[], ReturnType<typeof chatCall>, string | undefined][] = [
      ['n=2, both choices finished, usage sent: complete', [choice(0, 'a'), choice(1, 'b'), choice(0, '', 'stop'), choice(1, '', 'length'), usage], n2(), undefined],
      ['n=2, one choice never finished: cut short', [choice(0, 'a'), choice(1, 'b'), choice(0, '', 'stop'), usage], n2(), 'upstream_invalid_response'],
      ['n=2, only one choice ever seen: cut short', [choice(0, 'a'), choice(0, '', 'stop'), usage], n2(), 'upstream_invalid_response'],
      ['finished, usage asked for and sent on the finish chunk: complete', [choice(0, 'a'), { ...choice(0, '', 'stop'), usage: usage.usage }], chatCall({ stream: true }), undefined],
      ['finished, usage asked for but never sent: cut short', [choice(0, 'a'), choice(0, '', 'stop')], chatCall({ stream: true }), 'upstream_invalid_response'],
      ['finished, usage not asked for: complete', [choice(0, 'a'), choice(0, '', 'stop')], chatCall({ stream: true, body: { model: 'x', messages: [], stream: true } }), undefined],
    ];
    it.each(cases)('%s', async (_, frames, call, errorId) => {
      a.handle((_, res) => sse(res, frames, { done: false }));
      const { chunks: got, error } = await drain(asStream(await eng().call(call)));
      expect(got).toHaveLength(frames.length);
      expect(error === undefined ? undefined : (error as ApiError).entry.id).toBe(errorId);
    });
  });

  it('a reasoning delta is the first byte: a failure right after it is mid-stream, not retried on the next deployment', async () => {
    const reasoning = { ...chunks(words)[1], choices: [{ index: 0, delta: { reasoning_content: 'Thinking.' }, finish_reason: null }] };
    a.handle((_, res) => sse(res, [], { raw: [`data: ${JSON.stringify(chunks(words)[0])}\n\n`, `data: ${JSON.stringify(reasoning)}\n\n`, 'event: error\ndata: {"type":"server_error","message":"x"}\n\n'] }));
    const { chunks: got, error } = await drain(asStream(await eng(true).call(chatCall({ stream: true }))));
    expect(got).toHaveLength(2);
    expect((error as ApiError).entry.id).toBe('server_error');
    expect(b.requests).toHaveLength(0);
  });

  it('malformed JSON in a frame: upstream_invalid_response', async () => {
    a.handle((_, res) => sse(res, [chunks(words)[0], chunks(words)[1], '{"choices": [', chunks(words)[2]]));
    const { chunks: got, error } = await drain(asStream(await eng().call(chatCall({ stream: true }))));
    expect(got).toHaveLength(2);
    expect((error as ApiError).entry.id).toBe('upstream_invalid_response');
  });

  it('a role-only preamble is not the first byte: a failure right after it still goes to the next deployment', async () => {
    a.handle((_, res) => sse(res, [], { raw: [`data: ${JSON.stringify(chunks(words)[0])}\n\n`, 'event: error\ndata: {"type":"server_error","message":"x"}\n\n'] }));
    b.handle((_, res) => sse(res, chunks(words)));
    const { chunks: got, error } = await drain(asStream(await eng(true).call(chatCall({ stream: true }))));
    expect(error).toBeUndefined();
    expect(got).toHaveLength(chunks(words).length);
  });

  it('failures before the first chunk are retried on the next deployment: error frame first, socket cut first, empty 200', async () => {
    const cases: ((res: ServerResponse) => Promise<void>)[] = [
      (res) => sse(res, [errorBody('overloaded', 'server_error')], { done: false }),
      (res) => sse(res, chunks(words), { destroyAfter: 0 }),
      (res) => sse(res, [], { done: false }),
    ];
    for (const c of cases) {
      b.requests.length = 0;
      a.handle((_, res) => c(res));
      const { chunks: got, error } = await drain(asStream(await eng(true).call(chatCall({ stream: true }))));
      expect(error).toBeUndefined();
      expect(deltaText(got)).toBe('from b');
      expect(b.requests).toHaveLength(1);
    }
  });

  it('a JSON answer where a stream was asked for is not a stream: mapped (error) or invalid', async () => {
    a.handle((_, res) => json(res, 200, completion()));
    await apiError(eng().call(chatCall({ stream: true })), 'upstream_invalid_response');
    a.handle((_, res) => json(res, 200, errorBody('Rate limit reached', 'tokens', 'rate_limit_exceeded')));
    await apiError(eng().call(chatCall({ stream: true })), 'engine_overloaded');
  });

  it('client abort mid-stream destroys the upstream socket at once; the iterator throws the abort reason', async () => {
    a.handle((_, res) => sse(res, chunks(words), { stallAfter: 2 }));
    const ac = new AbortController();
    const it = asStream(await eng().call(chatCall({ stream: true, signal: ac.signal })))[Symbol.asyncIterator]();
    await it.next();
    const cut = a.nextCutShort();
    const pending = rejection(it.next().then(() => it.next()));
    const reason = new Error('client went away');
    ac.abort(reason);
    await cut;
    expect(await pending).toBe(reason);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('client abort before the answer starts aborts the upstream request (the upstream sees the close)', async () => {
    a.handle(() => {}); // never answers
    const ac = new AbortController();
    const cut = a.nextCutShort();
    const p = rejection(eng(true).call(chatCall({ signal: ac.signal })));
    await until(() => a.requests.length > 0, 'the request upstream');
    ac.abort('gone');
    await cut;
    expect(await p).toBe('gone');
    expect(b.requests).toHaveLength(0);
  });

  it('a consumer that stops early (return) closes the upstream socket', async () => {
    a.handle((_, res) => sse(res, chunks(words), { stallAfter: 3 }));
    const stream = asStream(await eng().call(chatCall({ stream: true })));
    const cut = a.nextCutShort();
    for await (const _ of stream) break;
    await cut;
  });

  it('200 streams at once on one engine: every one complete and in order', async () => {
    a.handle((req, res) => sse(res, chunks([String(req.body.n), ' a', ' b', ' c'])));
    const e = eng();
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, n) => {
        const r = await e.call({ ...chatCall({ stream: true }), body: { ...chatCall({ stream: true }).body, n } });
        return drain(asStream(r));
      }),
    );
    expect(results.filter((r) => r.error !== undefined)).toHaveLength(0);
    expect(results.map((r) => deltaText(r.chunks))).toEqual(Array.from({ length: 200 }, (_, n) => `${n} a b c`));
    expect(e.deploymentStates()[0]!.breaker).toMatchObject({ state: 'closed', windowFailures: 0 });
  });
});

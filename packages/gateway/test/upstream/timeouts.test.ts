/**
 * The four named timeouts, with small values over real sockets. Each is an ApiError naming the
 * deployment's configured value; before the first byte it is retried on another deployment,
 * after it, it is thrown from the chunk iterator.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type Timeouts } from 'tollgate';
import type { OpenAICompatibleEngine } from '../../src/upstream/openai-compatible/index.js';
import type { FakeUpstream } from './fake-upstream.js';
import { chunks, json, completion, silentServer, sleep, sse, startFakeUpstream } from './fake-upstream.js';
import { apiError, asStream, chatCall, deltaText, deployment, drain, engine, model } from './helpers.js';

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
  b.requests.length = 0;
  b.handle((req, res) => (req.body.stream ? sse(res, chunks(['from', ' b'])) : json(res, 200, completion('from b'))));
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function eng(timeouts: Partial<Timeouts>, withB = false, baseUrl = a.baseUrl) {
  const ds = [deployment('a', baseUrl, { timeouts }), ...(withB ? [deployment('b', b.baseUrl)] : [])];
  const e = engine(model('m', ds), { random: () => 0 });
  engines.push(e);
  return e;
}

const words = ['one', ' two', ' three', ' four', ' five'];

describe('upstream timeouts', () => {
  it('connect: a TLS handshake that never completes is upstream_connect_timeout naming connect_ms', async () => {
    const silent = await silentServer();
    try {
      const e = await apiError(eng({ connect_ms: 40 }, false, `https://127.0.0.1:${silent.port}/v1`).call(chatCall()), 'upstream_connect_timeout');
      expect(e.status).toBe(504);
      expect(e.vars).toEqual({ timeout: '40ms' });
    } finally {
      await silent.close();
    }
  });

  it('connect timeout is retried on the next deployment', async () => {
    const silent = await silentServer();
    try {
      const r = await eng({ connect_ms: 40 }, true, `https://127.0.0.1:${silent.port}/v1`).call(chatCall());
      expect(r.kind === 'json' && r.body.choices).toMatchObject([{ message: { content: 'from b' } }]);
    } finally {
      await silent.close();
    }
  });

  it('not streamed: no answer in time is upstream_total_timeout, never first_byte (the head comes after the whole generation); the upstream request is cut', async () => {
    a.handle(() => {});
    const cut = a.nextCutShort();
    const e = await apiError(eng({ first_byte_ms: 40, total_ms: 120 }).call(chatCall()), 'upstream_total_timeout');
    expect(e.vars).toEqual({ timeout: '120ms' });
    await cut;
  });

  it('not streamed: an answer slower than first_byte_ms but within total_ms is a success', async () => {
    const before = a.requests.length;
    a.handle(async (_, res) => {
      await sleep(200);
      json(res, 200, completion('slow but whole'));
    });
    const r = await eng({ first_byte_ms: 40, total_ms: 5_000 }).call(chatCall());
    expect(r.kind === 'json' && r.body.choices).toMatchObject([{ message: { content: 'slow but whole' } }]);
    expect(a.requests.length - before).toBe(1);
  });

  it('first byte on a stream: a head but no event in time is upstream_first_byte_timeout, retried on the next deployment', async () => {
    a.handle((_, res) => sse(res, chunks(words), { stallAfter: 0 }));
    const first = await apiError(eng({ first_byte_ms: 40, idle_ms: 5_000 }).call(chatCall({ stream: true })), 'upstream_first_byte_timeout');
    expect(first.vars).toEqual({ timeout: '40ms' });
    const { chunks: got } = await drain(asStream(await eng({ first_byte_ms: 40 }, true).call(chatCall({ stream: true }))));
    expect(deltaText(got)).toBe('from b');
  });

  it('idle: a stream that goes quiet after 3 chunks throws upstream_idle_timeout from the iterator; the upstream is cut; no retry', async () => {
    a.handle((_, res) => sse(res, chunks(words), { stallAfter: 3 }));
    const cut = a.nextCutShort();
    const { chunks: got, error } = await drain(asStream(await eng({ idle_ms: 40 }, true).call(chatCall({ stream: true }))));
    expect(got).toHaveLength(3);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).entry.id).toBe('upstream_idle_timeout');
    expect((error as ApiError).vars).toEqual({ timeout: '40ms' });
    await cut;
    expect(b.requests).toHaveLength(0);
  });

  it('idle counts only time spent waiting on the upstream: a slow consumer (backpressure) is not an idle upstream', async () => {
    a.handle((_, res) => sse(res, chunks(words)));
    const it = asStream(await eng({ idle_ms: 40 }).call(chatCall({ stream: true })))[Symbol.asyncIterator]();
    const got: unknown[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) {
      got.push(r.value);
      await sleep(100);
    }
    expect(got).toHaveLength(chunks(words).length);
  });

  it('idle on a JSON body that stops halfway is upstream_idle_timeout', async () => {
    a.handle((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
      res.write('{"id": "chatcmpl-x", ');
    });
    await apiError(eng({ idle_ms: 40 }).call(chatCall()), 'upstream_idle_timeout');
  });

  it('idle on a JSON body restarts at every piece: an answer trickling in pieces within idle_ms is a success', async () => {
    const text = JSON.stringify(completion('slow but steady'));
    const cuts = [0, 40, 80, 120, 160, text.length];
    a.handle(async (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      for (let i = 0; i + 1 < cuts.length; i++) {
        res.write(text.slice(cuts[i], cuts[i + 1]));
        if (i + 2 < cuts.length) await sleep(150);
      }
      res.end();
    });
    // Five pieces 150 ms apart: 600 ms in all, past one idle_ms of 500 ms, and each gap 350 ms
    // inside it, so a timer late on a loaded machine does not cut a piece that came in time.
    const r = await eng({ idle_ms: 500 }).call(chatCall());
    expect(r.kind).toBe('json');
    expect(r.kind === 'json' && r.body.choices).toEqual(completion('slow but steady').choices);
  });

  it('a JSON body cut by the upstream closing its connection is upstream_connection_failed (retried elsewhere), not an idle wait or a half answer', async () => {
    a.handle((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
      res.write('{"id": "chatcmpl-x", ', () => res.socket?.destroy());
    });
    const e = await apiError(eng({ idle_ms: 5_000, total_ms: 10_000 }).call(chatCall()), 'upstream_connection_failed');
    expect(e).toBeInstanceOf(ApiError);
  });

  it('total: a stream that keeps trickling within the idle timeout is cut at total_ms with upstream_total_timeout', async () => {
    // 200 events 20 ms apart (4 s) against a total of 1 s: the first events arrive well inside
    // the total even on a loaded machine, and the cut comes long before the stream's end.
    const many = Array.from({ length: 200 }, (_, i) => ` w${i}`);
    a.handle((_, res) => sse(res, chunks(many), { delayMs: 20 }));
    const cut = a.nextCutShort();
    const { chunks: got, error } = await drain(asStream(await eng({ idle_ms: 1_000, total_ms: 1_000 }).call(chatCall({ stream: true }))));
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(many.length);
    expect((error as ApiError).entry.id).toBe('upstream_total_timeout');
    expect((error as ApiError).vars).toEqual({ timeout: '1s' });
    await cut;
  });

  it('a timeout that fires while the consumer is not reading is thrown at its next read', async () => {
    a.handle((_, res) => sse(res, chunks(words), { stallAfter: 2 }));
    // A total of 1 s, so that the first events arrive inside it even on a loaded machine.
    const it = asStream(await eng({ idle_ms: 5_000, total_ms: 1_000 }).call(chatCall({ stream: true })))[Symbol.asyncIterator]();
    await it.next();
    await it.next();
    await sleep(1_200);
    const e = await it.next().then(
      () => undefined,
      (x: unknown) => x,
    );
    expect((e as ApiError).entry.id).toBe('upstream_total_timeout');
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });
});

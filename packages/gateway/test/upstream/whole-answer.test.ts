/**
 * Non-streamed answers, read whole without a body stream (whole-exchange.ts): what the attempt
 * keeps of the head, how a caller's abort and an oversized error body end the exchange, and that
 * 500 of them at once on one pool each get their own answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OpenAICompatibleEngine } from '../../src/upstream/openai-compatible/index.js';
import type { FakeUpstream } from './fake-upstream.js';
import { completion, json, sleep, startFakeUpstream } from './fake-upstream.js';
import { apiError, chatCall, deployment, engine, model, rejection } from './helpers.js';
import { headersOf } from '../../src/upstream/openai-compatible/whole-exchange.js';
import { until } from '../support/wait.js';

let a: FakeUpstream;
const engines: OpenAICompatibleEngine[] = [];

beforeAll(async () => {
  a = await startFakeUpstream();
});
afterAll(async () => {
  await a.close();
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function eng(timeouts: { idle_ms?: number; total_ms?: number } = {}) {
  const e = engine(model('m', [deployment('a', a.baseUrl, { timeouts })]), { random: () => 0 });
  engines.push(e);
  return e;
}

describe('non-streamed answers read whole', () => {
  it("the upstream's x-request-id is kept as soon as the head comes, even when the body then stalls", async () => {
    a.handle((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000, 'x-request-id': 'req_upstream_1' });
      res.write('{"id": ');
    });
    const ids: string[] = [];
    await apiError(eng({ idle_ms: 40 }).call(chatCall({ onUpstreamRequestId: (id) => ids.push(id) })), 'upstream_idle_timeout');
    expect(ids).toEqual(['req_upstream_1']);
  });

  it("a caller's abort while the body is coming cuts the upstream connection and rejects with the caller's reason", async () => {
    a.handle((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
      res.write('{"id": ');
    });
    const ac = new AbortController();
    const cut = a.nextCutShort();
    const p = rejection(eng().call(chatCall({ signal: ac.signal })));
    await until(() => a.requests.length > 0, 'the request upstream');
    await sleep(20);
    ac.abort('gone');
    await cut;
    expect(await p).toBe('gone');
  });

  it('an error body past 1 MB is mapped by its status alone, and the rest of it is not read (connection cut)', async () => {
    // 8 MB in pieces of 256 KB: the upstream is still sending when the gateway stops reading.
    const piece = 'x'.repeat(256 * 1024);
    a.handle(async (_, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': 32 * piece.length + 2 });
      res.write('"');
      for (let i = 0; i < 32 && !res.destroyed; i++) {
        res.write(piece);
        await sleep(5);
      }
      res.end('"');
    });
    const before = a.cutShort;
    const cut = a.nextCutShort();
    await apiError(eng().call(chatCall()), 'server_error');
    await cut;
    expect(a.cutShort).toBe(before + 1);
  });

  it('a repeated header keeps every value: the first retry-after-ms of two is the hint', async () => {
    a.handle((_, res) => {
      res.setHeader('retry-after-ms', ['1500', '9000']);
      json(res, 503, { error: { message: 'busy', type: 'server_error', code: null, param: null } });
    });
    const e = await apiError(engine(model('m', [deployment('a', a.baseUrl)]), { random: () => 0, overloadStatus: 503 }).call(chatCall()), 'server_is_overloaded');
    expect(e.headers['retry-after-ms']).toBe('1500');
  });

  it('500 answers at once on one pool: each caller gets its own', async () => {
    a.handle((req, res) => json(res, 200, completion(String((req.body.messages as { content: string }[])[0]!.content))));
    const e = eng();
    const out = await Promise.all(
      Array.from({ length: 500 }, async (_, n) => {
        const r = await e.call(chatCall({ body: { model: 'gateway-model', messages: [{ role: 'user', content: `n${n}` }] } }));
        return r.kind === 'json' ? (r.body.choices as { message: { content: string } }[])[0]!.message.content : undefined;
      }),
    );
    expect(out).toEqual(Array.from({ length: 500 }, (_, n) => `n${n}`));
  });

  it('a raw head becomes lower-cased names, common ones in any case as any other', () => {
    const raw = ['Content-Type', 'application/json', 'X-REQUEST-ID', 'req_1', 'date', 'Tue', 'X-Custom', 'a', 'x-custom', 'b', 'Retry-After', '2', 'content-lengtH', '10', 'Data', 'd'];
    const want = { 'content-type': 'application/json', 'x-request-id': 'req_1', date: 'Tue', 'x-custom': ['a', 'b'], 'retry-after': '2', 'content-length': '10', data: 'd' };
    expect({ ...headersOf(raw.map((x) => Buffer.from(x, 'latin1'))) }).toEqual(want);
    expect({ ...headersOf(raw) }).toEqual(want);
    // Not ASCII: decoded as latin1 and lower-cased, as before.
    expect(Object.keys(headersOf([Buffer.from([0x44, 0xc0, 0x54, 0x45]), Buffer.from('v')]))).toEqual(['dàte']);
  });
});

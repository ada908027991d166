/**
 * The error map over real HTTP, one test per row: deployment A answers with the row's case,
 * deployment B answers the same way (so the final error is visible) and counts whether it was
 * tried. Rows that may be cured elsewhere try B; the caller's errors and our own account's
 * problems do not.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenAICompatibleEngine } from '../../src/upstream/openai-compatible/index.js';
import { Pool } from 'undici';
import { FakeClock } from 'tollgate';
import type { FakeHandler, FakeUpstream } from './fake-upstream.js';
import { closedPort, completion, errorBody, json, startFakeUpstream, text } from './fake-upstream.js';
import { apiError, chatCall, deployment, engine, model, upstreamHttpError } from './helpers.js';

let a: FakeUpstream;
let b: FakeUpstream;

beforeAll(async () => {
  [a, b] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});
beforeEach(() => {
  a.requests.length = 0;
  b.requests.length = 0;
});
const engines: OpenAICompatibleEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

/** Both deployments answer with `h`; A is always tried first. */
function both(h: FakeHandler, overloadStatus: 429 | 503 = 429) {
  a.handle(h);
  b.handle(h);
  const e = engine(model('m', [deployment('a', a.baseUrl), deployment('b', b.baseUrl)]), { random: () => 0, overloadStatus });
  engines.push(e);
  return e;
}

describe('upstream error mapping over HTTP', () => {
  it.each([400, 404, 409, 413, 415, 422])("%i is the caller's fault: status and body passed through unchanged, x-should-retry: false, no retry", async (status) => {
    const body = errorBody(`upstream says ${status}`, 'invalid_request_error', 'some_code', 'messages');
    const e = await upstreamHttpError(both((_, res) => json(res, status, body)).call(chatCall()));
    expect(e.status).toBe(status);
    expect(e.body).toEqual(body);
    expect(e.headers).toEqual({ 'x-should-retry': 'false' });
    expect(b.requests).toHaveLength(0);
  });

  it.each([401, 403])('%i means our credentials: upstream_authentication_failed (502), never a 401 to the caller, no retry', async (status) => {
    const e = await apiError(both((_, res) => json(res, status, errorBody('Incorrect API key provided: sk-up***', 'invalid_request_error', 'invalid_api_key'))).call(chatCall()), 'upstream_authentication_failed');
    expect(e.status).toBe(502);
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(0);
  });

  it('429 insufficient_quota (and 402) means our upstream account: upstream_quota_exhausted (502), never a 429, no retry', async () => {
    const quota = errorBody('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota');
    const e = await apiError(both((_, res) => json(res, 429, quota)).call(chatCall()), 'upstream_quota_exhausted');
    expect(e.status).toBe(502);
    expect(b.requests).toHaveLength(0);
    await apiError(both((_, res) => json(res, 402, { error: { message: 'Insufficient credits' } })).call(chatCall()), 'upstream_quota_exhausted');
    expect(b.requests).toHaveLength(0);
  });

  it("429 rate limit tries the other deployment; when all are limited, engine overloaded with the first upstream's retry hint", async () => {
    let n = 0;
    const e = await apiError(
      both((_, res) => json(res, 429, errorBody('Rate limit reached for x', 'tokens', 'rate_limit_exceeded'), { 'retry-after-ms': String(1500 + 1000 * n++) })).call(chatCall()),
      'engine_overloaded',
    );
    expect(e.status).toBe(429);
    expect(e.headers).toEqual({ 'retry-after-ms': '1500', 'retry-after': '2' });
    expect(b.requests).toHaveLength(1);
  });

  it('503 tries the other deployment; with overload_status 503 the answer is server_is_overloaded carrying retry-after', async () => {
    const e = await apiError(both((_, res) => json(res, 503, errorBody('The engine is currently overloaded', 'server_error'), { 'retry-after': '4' }), 503).call(chatCall()), 'server_is_overloaded');
    expect(e.status).toBe(503);
    expect(e.headers).toEqual({ 'retry-after-ms': '4000', 'retry-after': '4' });
    expect(b.requests).toHaveLength(1);
  });

  it.each([500, 502, 504, 599, 408])('%i tries the other deployment; then server_error (500) with OpenAI wording', async (status) => {
    const e = await apiError(both((_, res) => text(res, status, '<html>bad gateway</html>')).call(chatCall()), 'server_error');
    expect(e.status).toBe(500);
    expect(e.entry.message).toBe('The server had an error while processing your request. Sorry about that!');
    expect(b.requests).toHaveLength(1);
  });

  it('any other 4xx (418) is passed through, never turned into a 5xx', async () => {
    const e = await upstreamHttpError(both((_, res) => json(res, 418, errorBody("I'm a teapot", 'invalid_request_error'))).call(chatCall()));
    expect(e.status).toBe(418);
    expect(b.requests).toHaveLength(0);
  });

  it('a 200 whose body is not JSON, or a 3xx, is upstream_invalid_response after trying the other deployment', async () => {
    await apiError(both((_, res) => text(res, 200, 'Hello, I am not JSON')).call(chatCall()), 'upstream_invalid_response');
    expect(b.requests).toHaveLength(1);
    await apiError(both((_, res) => json(res, 200, ['an', 'array'])).call(chatCall()), 'upstream_invalid_response');
    await apiError(both((_, res) => text(res, 302, '', { location: '/elsewhere' })).call(chatCall()), 'upstream_invalid_response');
  });

  it('a 200 carrying an error body is never a 200: mapped by the error it carries', async () => {
    await apiError(both((_, res) => json(res, 200, errorBody('Rate limit reached', 'tokens', 'rate_limit_exceeded'))).call(chatCall()), 'engine_overloaded');
    expect(b.requests).toHaveLength(1);
    await apiError(both((_, res) => json(res, 200, errorBody('Network connection lost.', 'server_error'))).call(chatCall()), 'server_error');
  });

  it('connection refused on every deployment: upstream_connection_failed (502)', async () => {
    const [p, q] = await Promise.all([closedPort(), closedPort()]);
    const eng = engine(model('m', [deployment('a', `http://127.0.0.1:${p}/v1`), deployment('b', `http://127.0.0.1:${q}/v1`)]));
    const e = await apiError(eng.call(chatCall()), 'upstream_connection_failed');
    expect(e.status).toBe(502);
    await eng.close();
  });

  it('connection reset before any answer tries the other deployment; then upstream_connection_failed', async () => {
    await apiError(both((_, res) => void res.destroy()).call(chatCall()), 'upstream_connection_failed');
    expect(b.requests).toHaveLength(1);
  });

  it('a DNS failure (through an injected dispatcher) is upstream_connection_failed', async () => {
    const lookup = (_host: string, _opts: unknown, cb: (err: Error) => void) => cb(Object.assign(new Error('getaddrinfo ENOTFOUND upstream.invalid'), { code: 'ENOTFOUND' }));
    const origins: string[] = [];
    const eng = engine(model('m', [deployment('a', 'http://upstream.invalid:8000/v1')]), {
      dispatcherFactory: (origin) => {
        origins.push(origin);
        return new Pool(origin, { connect: { lookup } as Pool.Options['connect'] });
      },
    });
    engines.push(eng);
    await apiError(eng.call(chatCall()), 'upstream_connection_failed');
    expect(origins).toEqual(['http://upstream.invalid:8000']);
  });

  it('a failing deployment is skipped for the next one that answers', async () => {
    const p = await closedPort();
    a.handle((_, res) => json(res, 503, errorBody('overloaded', 'server_error')));
    b.handle((_, res) => json(res, 200, completion('from b')));
    const eng = engine(model('m', [deployment('dead', `http://127.0.0.1:${p}/v1`), deployment('a', a.baseUrl, { weight: 2 }), deployment('b', b.baseUrl)]), { random: () => 0 });
    const r = await eng.call(chatCall());
    expect(r.kind === 'json' && r.body.choices).toEqual([{ index: 0, message: { role: 'assistant', content: 'from b' }, finish_reason: 'stop' }]);
    // dead (picked first), then a (heaviest), then b
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
    await eng.close();
  });

  it("breaker open on every deployment: upstream_unavailable (503) at once, retry hint = time until the first half-open", async () => {
    const clock = new FakeClock();
    a.handle((_, res) => json(res, 500, errorBody('boom', 'server_error')));
    b.handle((_, res) => json(res, 500, errorBody('boom', 'server_error')));
    const m = model('m', [deployment('a', a.baseUrl), deployment('b', b.baseUrl)], { breaker: { consecutive_failures: 1, open_ms: 5_000 } });
    const eng = engine(m, { clock, random: () => 0 });
    await apiError(eng.call(chatCall()), 'server_error'); // opens a, then b
    await clock.advance(1_200);
    const e = await apiError(eng.call(chatCall()), 'upstream_unavailable');
    expect(e.status).toBe(503);
    expect(e.headers).toEqual({ 'retry-after-ms': '3800', 'retry-after': '4' });
    expect(a.requests.length + b.requests.length).toBe(2); // the refused call reached no upstream
    expect(eng.deploymentStates().map((s) => s.breaker.state)).toEqual(['open', 'open']);
    await eng.close();
  });
});

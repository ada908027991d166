/**
 * Deployment choice, retries before the first byte, and the breaker in the engine's loop, on
 * real HTTP with the breaker on a FakeClock.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, type BreakerSettings } from 'tollgate';
import type { OpenAICompatibleEngine } from '../../src/upstream/openai-compatible/index.js';
import type { FakeHandler, FakeUpstream } from './fake-upstream.js';
import { chunks, completion, errorBody, json, sleep, sse, startFakeUpstream } from './fake-upstream.js';
import { apiError, asStream, chatCall, deployment, drain, engine, model, upstreamHttpError } from './helpers.js';
import { until } from '../support/wait.js';

let a: FakeUpstream;
let b: FakeUpstream;
const engines: OpenAICompatibleEngine[] = [];
const ok =
  (name: string): FakeHandler =>
  (req, res) =>
    req.body.stream ? sse(res, chunks([name])) : json(res, 200, completion(name));

beforeAll(async () => {
  [a, b] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});
beforeEach(() => {
  a.requests.length = 0;
  b.requests.length = 0;
  a.handle(ok('a'));
  b.handle(ok('b'));
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function eng(opts: { breaker?: Partial<BreakerSettings>; clock?: FakeClock; random?: () => number; weights?: [number, number] } = {}) {
  const [wa, wb] = opts.weights ?? [1, 1];
  const m = model('m', [deployment('a', a.baseUrl, { weight: wa }), deployment('b', b.baseUrl, { weight: wb })], { breaker: opts.breaker ?? {} });
  const e = engine(m, { clock: opts.clock ?? new FakeClock(), random: opts.random ?? (() => 0) });
  engines.push(e);
  return e;
}

const content = (r: Awaited<ReturnType<OpenAICompatibleEngine['call']>>) => (r.kind === 'json' ? (r.body.choices as { message: { content: string } }[])[0]!.message.content : 'stream');

describe('deployment choice and retries', () => {
  it('the first deployment is weighted random with the injected random; 300 calls split 1:2', async () => {
    let i = 0;
    const e = eng({ weights: [1, 2], random: () => ((i++ % 300) + 0.5) / 300 });
    for (let n = 0; n < 300; n++) await e.call(chatCall());
    expect([a.requests.length, b.requests.length]).toEqual([100, 200]);
  });

  it('a retryable failure before the first byte goes to the next deployment, and the caller sees only the success', async () => {
    a.handle((_, res) => json(res, 500, errorBody('boom', 'server_error')));
    expect(content(await eng().call(chatCall()))).toBe('b');
    expect([a.requests.length, b.requests.length]).toEqual([1, 1]);
  });

  it("no retry on the caller's errors or after the first chunk", async () => {
    a.handle((_, res) => json(res, 400, errorBody('bad', 'invalid_request_error')));
    await upstreamHttpError(eng().call(chatCall()));
    a.handle((_, res) => sse(res, chunks(['x', 'y', 'z']), { destroyAfter: 2 }));
    const { error } = await drain(asStream(await eng().call(chatCall({ stream: true }))));
    expect(error).toBeDefined();
    expect(b.requests).toHaveLength(0);
  });

  it('an aborted call tries nothing', async () => {
    const ac = new AbortController();
    ac.abort('gone');
    await expect(eng().call(chatCall({ signal: ac.signal }))).rejects.toBe('gone');
    expect(a.requests.length + b.requests.length).toBe(0);
  });
});

describe('the breaker in the engine', () => {
  const breaker = { consecutive_failures: 3, error_rate: 0, window: 20, open_ms: 10_000 };

  it('a deployment failing 3 times in a row is skipped until open_ms passes; then one probe decides', async () => {
    const clock = new FakeClock();
    a.handle((_, res) => json(res, 502, errorBody('Bad gateway.', 'cf_bad_gateway')));
    const e = eng({ breaker, clock });
    for (let i = 0; i < 3; i++) expect(content(await e.call(chatCall()))).toBe('b');
    expect(e.deploymentStates()[0]!.breaker.state).toBe('open');
    for (let i = 0; i < 10; i++) expect(content(await e.call(chatCall()))).toBe('b');
    expect(a.requests).toHaveLength(3); // skipped while open
    await clock.advance(10_000);
    expect(e.deploymentStates()[0]!.breaker.state).toBe('half_open');
    await e.call(chatCall()); // the probe fails: open again
    expect(a.requests).toHaveLength(4);
    expect(e.deploymentStates()[0]!.breaker).toMatchObject({ state: 'open', opens: 2 });
    await clock.advance(10_000);
    a.handle(ok('a'));
    expect(content(await e.call(chatCall()))).toBe('a'); // the probe succeeds: closed
    expect(e.deploymentStates()[0]!.breaker.state).toBe('closed');
  });

  it('overload answers (429, 503) are tried elsewhere but never open the breaker: the deployment is healthy, only busy', async () => {
    const e = eng({ breaker });
    let n = 0;
    a.handle((_, res) => json(res, n++ % 2 ? 503 : 429, errorBody('Rate limit reached', 'requests', 'rate_limit_exceeded')));
    for (let i = 0; i < 20; i++) expect(content(await e.call(chatCall()))).toBe('b');
    expect(a.requests).toHaveLength(20);
    expect(e.deploymentStates()[0]!.breaker).toMatchObject({ state: 'closed', consecutiveFailures: 0, windowCalls: 0 });
  });

  it("the caller's errors and client aborts do not count; a failure mid-stream does", async () => {
    const e = eng({ breaker });
    a.handle((_, res) => json(res, 422, errorBody('bad', 'invalid_request_error')));
    for (let i = 0; i < 5; i++) await upstreamHttpError(e.call(chatCall()));
    a.handle(() => {});
    for (let i = 0; i < 5; i++) {
      const ac = new AbortController();
      const p = e.call(chatCall({ signal: ac.signal })).catch((x: unknown) => x);
      await until(() => a.requests.length >= 6 + i, 'the request upstream');
      ac.abort('gone');
      expect(await p).toBe('gone');
    }
    expect(e.deploymentStates()[0]!.breaker).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    a.handle((_, res) => sse(res, chunks(['x', 'y', 'z']), { destroyAfter: 2 }));
    for (let i = 0; i < 3; i++) await drain(asStream(await e.call(chatCall({ stream: true }))));
    expect(e.deploymentStates()[0]!.breaker.state).toBe('open');
  });

  it('200 calls at once in half-open: exactly one probe reaches the recovering deployment, the rest are served elsewhere', async () => {
    const clock = new FakeClock();
    a.handle((_, res) => json(res, 500, errorBody('boom', 'server_error')));
    const e = eng({ breaker: { ...breaker, consecutive_failures: 1 }, clock });
    await e.call(chatCall()); // opens a
    await clock.advance(10_000);
    a.requests.length = 0;
    b.requests.length = 0;
    a.handle(async (_, res) => {
      await sleep(30); // the probe is still out while the others arrive
      json(res, 200, completion('a'));
    });
    const served = await Promise.all(Array.from({ length: 200 }, () => e.call(chatCall()).then(content)));
    expect(a.requests).toHaveLength(1);
    expect(served.filter((s) => s === 'a')).toHaveLength(1);
    expect(served.filter((s) => s === 'b')).toHaveLength(199);
    expect(e.deploymentStates()[0]!.breaker.state).toBe('closed');
  });

  it('one deployment, half-open, probe out: the others get upstream_unavailable without a hint (nobody knows when the probe answers)', async () => {
    const clock = new FakeClock();
    a.handle((_, res) => json(res, 500, errorBody('boom', 'server_error')));
    const m = model('m', [deployment('a', a.baseUrl)], { breaker: { ...breaker, consecutive_failures: 1 } });
    const e = engine(m, { clock });
    engines.push(e);
    await apiError(e.call(chatCall()), 'server_error');
    await clock.advance(10_000);
    a.handle(async (_, res) => {
      await sleep(30);
      json(res, 200, completion('a'));
    });
    const probe = e.call(chatCall());
    const others = await Promise.all(Array.from({ length: 50 }, () => apiError(e.call(chatCall()), 'upstream_unavailable')));
    expect(others.every((x) => x.headers['retry-after-ms'] === undefined && x.headers['retry-after'] === undefined)).toBe(true);
    expect(content(await probe)).toBe('a');
    expect(content(await e.call(chatCall()))).toBe('a');
  });

  it('every breaker open: upstream_unavailable without touching any upstream', async () => {
    const clock = new FakeClock();
    a.handle((_, res) => json(res, 500, errorBody('boom', 'server_error')));
    b.handle((_, res) => json(res, 500, errorBody('boom', 'server_error')));
    const e = eng({ breaker: { ...breaker, consecutive_failures: 1, open_ms: 2_000 }, clock });
    await apiError(e.call(chatCall()), 'server_error');
    const sent = a.requests.length + b.requests.length;
    const results = await Promise.all(Array.from({ length: 100 }, () => apiError(e.call(chatCall()), 'upstream_unavailable')));
    // The breakers reopen in 2 s: that is the hint, with up to 20 % upward jitter (drawn from the
    // engine's injected random) so that callers do not all come back in the same instant.
    const hints = results.map((x) => Number(x.headers['retry-after-ms']));
    expect(hints.every((h) => h >= 2000 && h <= 2400)).toBe(true);
    expect(a.requests.length + b.requests.length).toBe(sent);
  });
});

/**
 * Issue 6's acceptance, what happens around a failing upstream, seen through the official SDK:
 * another deployment serves an overloaded one's calls, a fallback model serves a model whose
 * deployment is down, and a deployment that keeps failing is cut off by its circuit breaker.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { closedPort, errorBody, json, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { simModel } from '../upstream/helpers.js';
import { startSimulatorServer, type SimulatorServer } from 'tollgate';
import { ask, countingFetch, PRICING, rejection, sdk, SIM_MODEL, upstreamModel, type SdkError } from './harness.js';

let sim: SimulatorServer;
/** Deployment A of `up-ab`: answers whatever the test scripts (an overload). */
let busy: FakeUpstream;
/** The only deployment of `up-breaker`. */
let failing: FakeUpstream;
let gw: TestGateway;
const wire = countingFetch();

beforeAll(async () => {
  sim = await startSimulatorServer({ models: [simModel(SIM_MODEL)], port: 0, allowFaultHeader: true });
  busy = await startFakeUpstream();
  failing = await startFakeUpstream();
  gw = await startTestGateway({
    models: [
      { name: 'sim-small', context_window: 8192, max_output_tokens: 4096, pricing: PRICING },
      // Weight 0 makes B a standby: A is always tried first, B only as the retry.
      upstreamModel('up-ab', [
        { base_url: busy.baseUrl, weight: 1 },
        { base_url: `${sim.url}/v1`, weight: 0 },
      ]),
      upstreamModel('up-fb', [{ base_url: `http://127.0.0.1:${await closedPort()}/v1` }], { fallbacks: ['sim-small'] }),
      upstreamModel('up-breaker', [{ base_url: failing.baseUrl }], { breaker: { consecutive_failures: 2, error_rate: 0, open_ms: 30_000 } }),
    ],
  });
});
afterAll(async () => {
  await gw?.close();
  await Promise.all([sim?.close(), busy?.close(), failing?.close()]);
});

describe('two deployments, the first overloaded: served by the second', () => {
  it.each([
    ['429 rate limit', 429, errorBody('Rate limit reached for requests', 'requests', 'rate_limit_exceeded')],
    ['503 overloaded', 503, errorBody('The engine is currently overloaded, please try again later', 'service_unavailable_error', 'server_is_overloaded')],
  ])('deployment A answers %s → B answers 200, the SDK sent one request', async (_, status, body) => {
    busy.handle((_, res) => json(res, status, body, { 'retry-after-ms': '1000' }));
    const before = busy.requests.length;
    wire.reset();
    const r = await sdk(gw, wire.fetch, 2).chat.completions.create(ask('up-ab', { max_tokens: 16 }));
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(busy.requests.length - before).toBe(1);
    expect(wire.attempts.map((a) => a.status)).toEqual([200]);
  });
});

describe('fallback model', () => {
  it("'up-fb' (deployment down) is served by its fallback 'sim-small', 200 on the first attempt", async () => {
    wire.reset();
    const r = await sdk(gw, wire.fetch, 2).chat.completions.create(ask('up-fb', { max_tokens: 16 }));
    expect(r.object).toBe('chat.completion');
    expect(r.model).toBe('sim-small');
    expect(r.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(wire.attempts.map((a) => a.status)).toEqual([200]);
  });

  it('a fallback serves a stream too (before the first byte)', async () => {
    const stream = await sdk(gw, wire.fetch, 0).chat.completions.create({ ...ask('up-fb', { max_tokens: 16 }), stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
  });
});

describe('circuit breaker', () => {
  it('overload answers do not count; 2 failures in a row open it → 503 upstream_unavailable with retry-after, upstream spared', async () => {
    const client = sdk(gw, wire.fetch, 0);
    // "Busy, retry in 1 s" is a healthy deployment short of capacity: the breaker ignores it.
    failing.handle((_, res) => json(res, 429, errorBody('Rate limit reached', 'requests', 'rate_limit_exceeded')));
    for (let i = 0; i < 3; i++) expect(((await rejection(client.chat.completions.create(ask('up-breaker')))) as SdkError).code).toBe('engine_overloaded');
    expect(failing.requests).toHaveLength(3);

    failing.handle((_, res) => json(res, 500, errorBody('internal', 'server_error')));
    for (let i = 0; i < 2; i++) expect(((await rejection(client.chat.completions.create(ask('up-breaker')))) as SdkError).status).toBe(500);
    expect(failing.requests).toHaveLength(5);

    wire.reset();
    const err = (await rejection(client.chat.completions.create(ask('up-breaker')))) as SdkError;
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(503);
    expect(err.type).toBe('service_unavailable_error');
    expect(err.code).toBe('upstream_unavailable');
    expect(err.message).toBe('503 The engine for this model is temporarily unavailable, please try again later.');
    const afterMs = Number(err.headers.get('retry-after-ms'));
    expect(afterMs).toBeGreaterThan(0);
    expect(afterMs).toBeLessThanOrEqual(30_000 * 1.2); // the reopen time plus at most 20 % jitter
    expect(Number(err.headers.get('retry-after'))).toBe(Math.ceil(afterMs / 1000));
    expect(err.headers.get('x-should-retry')).toBeNull();
    // Refused by the breaker: the upstream never saw the call.
    expect(failing.requests).toHaveLength(5);
    expect(wire.attempts).toHaveLength(1);
  });

  it('no 200 JSON body the SDK received in this file held an error', () => {
    expect(wire.okWithError).toEqual([]);
  });
});

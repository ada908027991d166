/**
 * Issue 6's acceptance, row by row of the upstream error map: Tollgate in front of a real HTTP
 * upstream (the simulator served alone, driven by `x-tollgate-fault`; a scriptable node:http fake
 * for statuses the simulator has no catalog id for; a closed port), with the official `openai`
 * SDK as the client. Each row checks the SDK's exception class, status, code, message, and how
 * many attempts the SDK made (retried or not), counted on the wire.
 */
import { CATALOG } from '@tollgate/protocol';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { closedPort, errorBody, json, startFakeUpstream, text, type FakeUpstream } from '../upstream/fake-upstream.js';
import { simModel } from '../upstream/helpers.js';
import { startSimulatorServer, type SimulatorServer } from 'tollgate';
import { ask, countingFetch, fault, rejection, sdk, SIM_MODEL, upstreamModel, type SdkError } from './harness.js';

let sim: SimulatorServer;
let fake: FakeUpstream;
let gw: TestGateway;
const wire = countingFetch();

const OVERLOADED = 'The engine is currently overloaded, please try again later';
const SERVER_ERROR = 'The server had an error while processing your request. Sorry about that!';

beforeAll(async () => {
  sim = await startSimulatorServer({ models: [simModel(SIM_MODEL)], port: 0, allowFaultHeader: true });
  fake = await startFakeUpstream();
  gw = await startTestGateway({
    models: [
      upstreamModel('up', [{ base_url: `${sim.url}/v1` }]),
      upstreamModel('up-fake', [{ base_url: fake.baseUrl }]),
      upstreamModel('up-down', [{ base_url: `http://127.0.0.1:${await closedPort()}/v1` }]),
    ],
  });
});
afterAll(async () => {
  await gw?.close();
  await Promise.all([sim?.close(), fake?.close()]);
});

/** The error the SDK raises for one call, and the attempts it made on the wire. */
async function sdkError(maxRetries: number, call: (c: OpenAI) => Promise<unknown>): Promise<{ err: SdkError; attempts: number }> {
  wire.reset();
  const err = await rejection(call(sdk(gw, wire.fetch, maxRetries)));
  expect(err).toBeInstanceOf(OpenAI.APIError);
  return { err: err as SdkError, attempts: wire.attempts.length };
}

/** What the simulator itself answers to a fault, asked directly (not through the gateway). */
async function simulatorAnswer(faultId: string): Promise<{ status: number; body: { error: Record<string, unknown> } }> {
  const r = await fetch(`${sim.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tollgate-fault': faultId },
    body: JSON.stringify(ask(SIM_MODEL)),
  });
  return { status: r.status, body: (await r.json()) as { error: Record<string, unknown> } };
}

describe("upstream 400, the caller's fault: passed through with its body, not retried", () => {
  it.each(['invalid_value', 'context_length_exceeded'])('fault %s', async (id) => {
    const upstream = await simulatorAnswer(id);
    expect(upstream.status).toBe(400);
    const { err, attempts } = await sdkError(2, (c) => c.chat.completions.create(ask('up'), fault(id)));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.status).toBe(400);
    expect(err.error).toEqual(upstream.body.error);
    expect(err.code).toBe(id);
    expect(err.type).toBe('invalid_request_error');
    expect(err.message).toBe(`400 ${upstream.body.error.message as string}`);
    expect(err.headers.get('x-should-retry')).toBe('false');
    expect(attempts).toBe(1);
  });
});

describe("the gateway's own upstream account: a 502 that says so, never the caller's 401/403/429", () => {
  it.each([
    ['invalid_api_key', 401],
    ['model_access_denied', 403],
  ])('upstream %s (%i) → 502 upstream_authentication_failed, not retried', async (id, upstreamStatus) => {
    expect((await simulatorAnswer(id)).status).toBe(upstreamStatus);
    const { err, attempts } = await sdkError(2, (c) => c.chat.completions.create(ask('up'), fault(id)));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(502);
    expect(err.type).toBe('server_error');
    expect(err.code).toBe('upstream_authentication_failed');
    expect(err.message).toBe('502 The server had an error while processing your request: the gateway is not authorized by the engine for this model. Sorry about that!');
    expect(err.headers.get('x-should-retry')).toBe('false');
    expect(attempts).toBe(1);
  });

  it('upstream 429 insufficient_quota → 502 upstream_quota_exhausted, not retried', async () => {
    const upstream = await simulatorAnswer('insufficient_quota');
    expect(upstream.status).toBe(429);
    expect(upstream.body.error.code).toBe('insufficient_quota');
    const { err, attempts } = await sdkError(2, (c) => c.chat.completions.create(ask('up'), fault('insufficient_quota')));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(502);
    expect(err.code).toBe('upstream_quota_exhausted');
    expect(err.message).toBe("502 The server had an error while processing your request: the gateway's account with the engine for this model has no quota left. Sorry about that!");
    expect(err.headers.get('x-should-retry')).toBe('false');
    expect(attempts).toBe(1);
  });
});

describe('upstream overload with one deployment: engine overloaded with the retry hint, retried', () => {
  it.each([
    ['rate_limit_requests', 429],
    ['server_is_overloaded', 503],
  ])('upstream %s (%i) → 429 engine_overloaded', async (id, upstreamStatus) => {
    expect((await simulatorAnswer(id)).status).toBe(upstreamStatus);
    const { err, attempts } = await sdkError(1, (c) => c.chat.completions.create(ask('up'), fault(id)));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.type).toBe('server_error');
    expect(err.code).toBe('engine_overloaded');
    expect(err.message).toBe(`429 ${OVERLOADED}`);
    // An upstream's own hint (the simulated rate limit's 1 s) travels on as ours; an upstream
    // overload without one gets none from us either.
    expect(err.headers.get('retry-after-ms')).toBe(id === 'rate_limit_requests' ? '1000' : null);
    expect(err.headers.get('retry-after')).toBe(id === 'rate_limit_requests' ? '1' : null);
    expect(err.headers.get('x-should-retry')).toBeNull();
    expect(attempts).toBe(2);
  });
});

describe('upstream failures with no other deployment: retried by the SDK', () => {
  it('upstream 500 → the guide 500', async () => {
    const { err, attempts } = await sdkError(1, (c) => c.chat.completions.create(ask('up'), fault('server_error')));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(500);
    expect(err.type).toBe('server_error');
    expect(err.code).toBeNull();
    expect(err.message).toBe(`500 ${SERVER_ERROR}`);
    expect(attempts).toBe(2);
  });

  it('connection refused → 502 upstream_connection_failed', async () => {
    const { err, attempts } = await sdkError(1, (c) => c.chat.completions.create(ask('up-down')));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(502);
    expect(err.code).toBe('upstream_connection_failed');
    expect(err.message).toBe('502 Bad gateway. The engine for this model could not be reached, please try again later.');
    expect(attempts).toBe(2);
  });
});

describe('statuses the simulator cannot produce (scripted upstream)', () => {
  it('422 with a FastAPI-style `detail` → passed through as 422 in an OpenAI envelope, not retried', async () => {
    fake.handle((_, res) => json(res, 422, { detail: 'temperature: Input should be less than or equal to 2' }));
    const { err, attempts } = await sdkError(2, (c) => c.chat.completions.create(ask('up-fake')));
    expect(err).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    expect(err.status).toBe(422);
    expect(err.error).toEqual({ message: 'temperature: Input should be less than or equal to 2', type: 'invalid_request_error', param: null, code: null });
    expect(err.message).toBe('422 temperature: Input should be less than or equal to 2');
    expect(attempts).toBe(1);
  });

  it('418 (any other 4xx) → passed through, never turned into a 5xx', async () => {
    fake.handle((_, res) => json(res, 418, errorBody("I'm a teapot", 'invalid_request_error', 'teapot')));
    const { err, attempts } = await sdkError(2, (c) => c.chat.completions.create(ask('up-fake')));
    expect(err.status).toBe(418);
    expect(err.code).toBe('teapot');
    expect(err.message).toBe("418 I'm a teapot");
    expect(attempts).toBe(1);
  });

  it('402 → 502 upstream_quota_exhausted, not retried', async () => {
    fake.handle((_, res) => json(res, 402, errorBody('Payment required', 'billing_error')));
    const { err, attempts } = await sdkError(2, (c) => c.chat.completions.create(ask('up-fake')));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(502);
    expect(err.code).toBe('upstream_quota_exhausted');
    expect(attempts).toBe(1);
  });

  it.each([
    ['a non-JSON 502', 502],
    ['a 408', 408],
  ])('%s → the guide 500, retried', async (_, status) => {
    fake.handle((_, res) => text(res, status, '<html><body>Bad Gateway</body></html>'));
    const { err, attempts } = await sdkError(1, (c) => c.chat.completions.create(ask('up-fake')));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.status).toBe(500);
    expect(err.message).toBe(`500 ${SERVER_ERROR}`);
    expect(attempts).toBe(2);
  });
});

describe('never a 200 with an error inside a non-streamed body', () => {
  it.each([
    ['a server_error object', errorBody('boom', 'server_error'), 500, null],
    ['an invalid_request_error object', errorBody('bad temperature', 'invalid_request_error', 'invalid_value', 'temperature'), 400, 'invalid_value'],
    ['a rate_limit_exceeded object', errorBody('slow down', 'requests', 'rate_limit_exceeded'), 429, 'engine_overloaded'],
    ['a bare error string', { error: 'model crashed' }, 500, null],
  ])('an upstream 200 holding %s is answered as an error', async (_, body, status, code) => {
    fake.handle((_, res) => json(res, 200, body));
    const { err } = await sdkError(0, (c) => c.chat.completions.create(ask('up-fake')));
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
  });

  it('an upstream 200 that is not JSON → 502 upstream_invalid_response', async () => {
    fake.handle((_, res) => text(res, 200, 'OK'));
    const { err } = await sdkError(0, (c) => c.chat.completions.create(ask('up-fake')));
    expect(err.status).toBe(502);
    expect(err.code).toBe('upstream_invalid_response');
  });

  it('every catalog error the simulator can inject: never a 200, never a 401, never a 429 insufficient_quota', async () => {
    const answers = await Promise.all(
      CATALOG.map(async (e) => {
        const r = await fetch(`${gw.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json', 'x-tollgate-fault': e.id },
          body: JSON.stringify(ask('up')),
        });
        return { id: e.id, status: r.status, body: (await r.json()) as { error?: { code?: unknown } } };
      }),
    );
    expect(answers.length).toBeGreaterThan(20);
    // The faults reached the upstream: its answers came back mapped in every way the table has.
    const statuses = new Set(answers.map((a) => a.status));
    for (const s of [400, 404, 429, 500, 502]) expect(statuses, `statuses seen: ${[...statuses].join(', ')}`).toContain(s);
    for (const a of answers) {
      expect(a.status, a.id).not.toBe(200);
      expect(a.status, a.id).not.toBe(401);
      expect(a.body.error, a.id).toBeTypeOf('object');
      if (a.status === 429) expect(a.body.error!.code, a.id).not.toBe('insufficient_quota');
    }
  });

  it('no 200 JSON body the SDK received in this file held an error', () => {
    expect(wire.okWithError).toEqual([]);
  });
});

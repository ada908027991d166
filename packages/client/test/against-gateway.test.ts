/**
 * The client against the real gateway (issue 7): every catalog entry, produced on demand by the
 * simulator's fault header, comes out as its class with `retryable`, the catalog's hint in both
 * locales, and as many attempts reaching the server as a retry can justify. Transport failures
 * (reset mid-stream, timeout, abort) against real servers too.
 */
import { CATALOG, LOCALES, type CatalogEntry } from '@tollgate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  ContextLengthExceededError,
  EngineOverloadedError,
  InsufficientQuotaError,
  InvalidRequestError,
  ModelNotFoundError,
  PermissionError,
  RateLimitError,
  RequestTooLargeError,
  ServiceUnavailableError,
  Timeout,
  Tollgate,
  type TollgateError,
} from '@tollgate/client';
import { startSimulatorServer, type SimulatorServer } from '../../gateway/src/upstream/simulator/serve.js';
import { parseConfig } from '../../gateway/src/config/load.js';
import { startTestGateway, type TestGateway } from '../../gateway/test/support/gateway.js';

/** The class each entry must produce, derived from the catalog independently of the client's table. */
function expectedClass(e: CatalogEntry): abstract new (...args: never[]) => TollgateError {
  if (e.code === 'context_length_exceeded') return ContextLengthExceededError;
  if (e.id === 'model_not_found') return ModelNotFoundError;
  if (e.id === 'request_too_large' || e.id === 'body_too_large') return RequestTooLargeError;
  switch (e.kind) {
    case 'authentication':
      return AuthenticationError;
    case 'permission':
      return PermissionError;
    case 'invalid_request':
    case 'not_found':
    case 'conflict':
      return InvalidRequestError;
    case 'rate_limit':
      return RateLimitError;
    case 'insufficient_quota':
      return InsufficientQuotaError;
    case 'overloaded':
      return EngineOverloadedError;
    case 'service_unavailable':
    case 'timeout':
      return ServiceUnavailableError;
    case 'server':
      return APIError;
  }
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    models: [
      { name: 'sim-small' },
      { name: 'sim-slow', simulator: { ttft_ms: 3000 } },
    ],
  });
});
afterAll(() => gw.close());

/** A fetch that counts the attempts reaching the server, per fault. */
function countingFetch() {
  const attempts = new Map<string, number>();
  const f: typeof fetch = (input, init) => {
    const fault = new Headers(init?.headers).get('x-tollgate-fault') ?? '';
    attempts.set(fault, (attempts.get(fault) ?? 0) + 1);
    return fetch(input, init);
  };
  return { fetch: f, attempts };
}

describe('every catalog entry through the real gateway', () => {
  const MAX_RETRIES = 1;
  const wire = countingFetch();
  const client = new Tollgate({ apiKey: '', baseURL: '', maxRetries: MAX_RETRIES, retryBudget: false, fetch: wire.fetch, locale: 'zh-CN' });
  const results = new Map<string, TollgateError>();

  beforeAll(async () => {
    const c = client.withOptions({ apiKey: gw.apiKey, baseURL: gw.baseURL });
    // All at once: the retryable ones wait the server's hint (1 s) once, in parallel.
    await Promise.all(
      CATALOG.map(async (e) => {
        try {
          await c.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-tollgate-fault': e.id } });
          throw new Error(`${e.id}: the call succeeded`);
        } catch (err) {
          results.set(e.id, err as TollgateError);
        }
      }),
    );
  });

  it.each(CATALOG.map((e) => [e.id, e] as const))('%s', (_id, e) => {
    const err = results.get(e.id)!;
    const Expected = expectedClass(e);
    expect(err.constructor).toBe(Expected);
    expect(err.entry?.id).toBe(e.id);
    expect([err.status, err.type, err.code]).toEqual([e.status, e.type, e.code]);
    expect(err.retryable).toBe(e.retryable);
    expect(err.requestID).toMatch(/^req_[0-9a-f]{32}$/);
    expect(err.hint).toEqual({ entryId: e.id, locale: 'zh-CN', title: e.title['zh-CN'], cause: e.cause['zh-CN'], fix: e.fix['zh-CN'] });
    for (const l of LOCALES) expect(err.hintIn(l)).toMatchObject({ cause: e.cause[l], fix: e.fix[l] });
    expect(wire.attempts.get(e.id)).toBe(e.retryable ? MAX_RETRIES + 1 : 1);
  });
});

describe('transport failures against real servers', () => {
  let sim: SimulatorServer;
  beforeAll(async () => {
    sim = await startSimulatorServer({ models: parseConfig({}).models, port: 0, allowFaultHeader: true });
  });
  afterAll(() => sim.close());

  it('a connection reset mid-stream is an APIConnectionError', async () => {
    const c = new Tollgate({ apiKey: 'x', baseURL: `${sim.url}/v1`, maxRetries: 0 });
    const stream = await c.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], stream: true }, { headers: { 'x-tollgate-fault': 'disconnect@2' } });
    let n = 0;
    const err = await (async () => {
      for await (const _ of stream) n++;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(n).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(APIConnectionError);
  });

  it('a client timeout is a Timeout, retried, then thrown', async () => {
    const wire = countingFetch();
    const c = new Tollgate({ apiKey: gw.apiKey, baseURL: gw.baseURL, maxRetries: 1, timeout: 200, retryBudget: false, backoff: { initialMs: 1, maxMs: 2 }, fetch: wire.fetch });
    const err = await c.chat.completions.create({ model: 'sim-slow', messages: [{ role: 'user', content: 'hi' }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Timeout);
    expect(wire.attempts.get('')).toBe(2);
  });

  it('connection refused and DNS failure are APIConnectionErrors', async () => {
    const refused = new Tollgate({ apiKey: 'x', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 });
    expect(await refused.models.list().then(() => undefined, (e: unknown) => e)).toBeInstanceOf(APIConnectionError);
    const dns = new Tollgate({ apiKey: 'x', baseURL: 'http://tollgate.invalid/v1', maxRetries: 0 });
    expect(await dns.models.list().then(() => undefined, (e: unknown) => e)).toBeInstanceOf(APIConnectionError);
  });

  it('an aborted request stops its retries', async () => {
    const wire = countingFetch();
    const c = new Tollgate({ apiKey: gw.apiKey, baseURL: gw.baseURL, maxRetries: 5, retryBudget: false, fetch: wire.fetch });
    const ac = new AbortController();
    const p = c.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }, { signal: ac.signal, headers: { 'x-tollgate-fault': 'engine_overloaded' } });
    setTimeout(() => ac.abort(), 300);
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(wire.attempts.get('engine_overloaded')).toBe(1);
  });
});

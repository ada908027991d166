/**
 * Failures without a (complete) response, and the retry machinery: connection errors and
 * timeouts are retried, an abort stops everything at once, server wait hints are followed, and
 * the retry budget keeps a failing server from seeing multiplied load.
 */
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entry, retryHeaders } from '@tollgate/protocol';
import {
  APIConnectionError,
  APIUserAbortError,
  RetryBudget,
  ServiceUnavailableError,
  Timeout,
  Tollgate,
  TollgateError,
  backoffDelayMs,
  serverRetryDelayMs,
  type RetryEvent,
} from '@tollgate/client';
import { chatCompletion, findEntryHeader, newRequestId, sendCatalogError, sendJson, startServer, type TestServer } from './helpers/server.js';

const KEY = 'sk-test-0123456789abcdef';
const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'hi' }] };
const fast = { backoff: { initialMs: 1, maxMs: 2 }, retryBudget: false as const };

async function caught(p: Promise<unknown>): Promise<TollgateError> {
  try {
    await p;
  } catch (e) {
    return e as TollgateError;
  }
  throw new Error('expected a rejection');
}

let server: TestServer;
const hit = new Map<string, number[]>();
beforeAll(async () => {
  server = await startServer(async (req, res) => {
    const key = String(req.headers['x-test-key'] ?? '');
    hit.set(key, [...(hit.get(key) ?? []), performance.now()]);
    const mode = req.headers['x-test-mode'];
    if (mode === 'hang') return; // never answers
    if (mode === 'reset-mid-stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': newRequestId() });
      res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'par' }, finish_reason: null }] })}\n\n`);
      setTimeout(() => res.socket?.destroy(), 10);
      return;
    }
    if (mode === 'reset-mid-body') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"chatcmpl-');
      setTimeout(() => res.socket?.destroy(), 10);
      return;
    }
    if (mode === 'fail-then-ok') {
      const n = hit.get(key)?.length ?? 0;
      if (n <= 2) return void sendCatalogError(res, entry('server_is_overloaded'), { retryMs: 20 });
      return void sendJson(res, 200, chatCompletion('sim-small', 'ok'));
    }
    if (mode === 'retry-after-seconds') {
      const n = hit.get(key)?.length ?? 0;
      if (n === 1) return void res.writeHead(503, { 'retry-after': '0.02', 'content-type': 'application/json' }).end('{"error":{"message":"busy","type":"server_error","param":null,"code":null}}');
      return void sendJson(res, 200, chatCompletion('sim-small', 'ok'));
    }
    const raw = req.headers['x-test-raw'];
    if (typeof raw === 'string') {
      // api.openai.com style: the status and body only, no x-should-retry, no retry headers.
      const [status, type, code, message] = JSON.parse(raw) as [number, string, string | null, string];
      return void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type, param: null, code } }));
    }
    const e = findEntryHeader(req);
    if (e) return void sendCatalogError(res, e, { retryMs: Number(req.headers['x-test-retry-ms'] ?? 5) });
    sendJson(res, 200, chatCompletion('sim-small', 'ok'));
  });
});
afterAll(() => server.close());

function client(extra: ConstructorParameters<typeof Tollgate>[0] = {}) {
  return new Tollgate({ apiKey: KEY, baseURL: server.baseURL, ...fast, ...extra });
}

describe('connection failures', () => {
  it('connection refused is an APIConnectionError, retried maxRetries times', async () => {
    const closed = await startServer(() => undefined);
    const baseURL = closed.baseURL;
    await closed.close();
    const retries: RetryEvent[] = [];
    const err = await caught(new Tollgate({ apiKey: KEY, baseURL, maxRetries: 2, ...fast, onRetry: (e) => retries.push(e) }).chat.completions.create(body));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(Timeout);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.retryable).toBe(true);
    expect(err.attempts).toBe(3);
    expect(retries.map((r) => r.retry)).toEqual([1, 2]);
    expect(err.hint.title).toBe('Connection error');
    expect(err.hintIn('zh-CN').title).toBe('连接错误');
  });

  it('a DNS failure is an APIConnectionError', async () => {
    const err = await caught(new Tollgate({ apiKey: KEY, baseURL: 'http://tollgate-test.invalid/v1', maxRetries: 0, timeout: 20_000 }).models.list());
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(Timeout);
    expect(err.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  it('a connection reset in the middle of a stream is an APIConnectionError after the chunks that arrived', async () => {
    const stream = await client().chat.completions.create({ ...body, stream: true }, { headers: { 'x-test-mode': 'reset-mid-stream' } });
    const got: string[] = [];
    const err = await caught(
      (async () => {
        for await (const c of stream) got.push(c.choices[0]?.delta.content ?? '');
      })(),
    );
    expect(got).toEqual(['par']);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err.retryStop).toBe('mid_stream');
  });

  it('a connection reset in the middle of a JSON body is an APIConnectionError, and is retried', async () => {
    const err = await caught(client({ maxRetries: 1 }).chat.completions.create(body, { headers: { 'x-test-mode': 'reset-mid-body', 'x-test-key': 'mid-body' } }));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(hit.get('mid-body')).toHaveLength(2);
  });
});

describe('timeouts and aborts', () => {
  it('the client timeout gives a Timeout, and timeouts are retried', async () => {
    // Long enough for the retry to reach the server on a busy machine (it needs a new connection:
    // the first was closed by the timeout), which may see it a moment after the client gave up.
    const err = await caught(client({ timeout: 250, maxRetries: 1 }).chat.completions.create(body, { headers: { 'x-test-mode': 'hang', 'x-test-key': 'hang' } }));
    expect(err).toBeInstanceOf(Timeout);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err.retryable).toBe(true);
    expect(err.attempts).toBe(2);
    await expect.poll(() => hit.get('hang')).toHaveLength(2);
  });

  it('the overall deadline stops retries and gives a Timeout', async () => {
    const err = await caught(
      client({ maxRetries: 10, totalTimeout: 80 }).chat.completions.create(body, {
        headers: { 'x-test-entry': 'server_is_overloaded', 'x-test-retry-ms': '30', 'x-test-key': 'deadline' },
      }),
    );
    // Either the next wait would pass the deadline (the 503 is thrown), or an attempt ran into it.
    expect(err.retryStop).toBe('deadline');
    expect(hit.get('deadline')?.length).toBeLessThan(11);
  });

  it('an abort during the backoff stops the retries at once', async () => {
    const ac = new AbortController();
    const err = await caught(
      client({ maxRetries: 5 }).chat.completions.create(body, {
        signal: ac.signal,
        headers: { 'x-test-entry': 'server_is_overloaded', 'x-test-retry-ms': '1000', 'x-test-key': 'abort-wait' },
        onRetry: () => ac.abort(),
      }),
    );
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(err.name).toBe('AbortError');
    expect(err.retryable).toBe(false);
    expect(hit.get('abort-wait')).toHaveLength(1);
  });

  it('an abort during a request stops it and does not retry', async () => {
    const ac = new AbortController();
    const p = client({ maxRetries: 5 }).chat.completions.create(body, { signal: ac.signal, headers: { 'x-test-mode': 'hang', 'x-test-key': 'abort-inflight' } });
    while ((hit.get('abort-inflight')?.length ?? 0) === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const err = await caught(p);
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(err.retryStop).toBe('aborted');
    expect(hit.get('abort-inflight')).toHaveLength(1);
  });

  it('an already-aborted signal sends nothing', async () => {
    const err = await caught(client().chat.completions.create(body, { signal: AbortSignal.abort(), headers: { 'x-test-key': 'pre-aborted' } }));
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(hit.get('pre-aborted')).toBeUndefined();
  });
});

describe('server retry hints', () => {
  it('retry-after-ms is waited for, then the call succeeds', async () => {
    const events: RetryEvent[] = [];
    const res = await client({ maxRetries: 3 }).chat.completions.create(body, { headers: { 'x-test-mode': 'fail-then-ok', 'x-test-key': 'hint' }, onRetry: (e) => events.push(e) });
    expect(res.choices[0]?.message.content).toBe('ok');
    expect(events.map((e) => [e.retry, e.delayMs, e.delaySource])).toEqual([
      [1, 20, 'server'],
      [2, 20, 'server'],
    ]);
    expect(events.every((e) => e.error instanceof ServiceUnavailableError && e.error.retryAfterMs === 20)).toBe(true);
    const times = hit.get('hint') ?? [];
    expect(times).toHaveLength(3);
    // Never sooner than the server asked (a lower bound; timers may fire up to 1 ms early).
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(19);
  });

  it('retry-after in seconds is followed', async () => {
    const events: RetryEvent[] = [];
    await client().chat.completions.create(body, { headers: { 'x-test-mode': 'retry-after-seconds', 'x-test-key': 'secs' }, onRetry: (e) => events.push(e) });
    expect(events.map((e) => e.delayMs)).toEqual([20]);
  });

  it('a wait longer than maxRetryAfter is not waited for', async () => {
    const err = await caught(
      client({ maxRetries: 3, maxRetryAfter: 100 }).chat.completions.create(body, {
        headers: { 'x-test-entry': 'rate_limit_requests', 'x-test-retry-ms': '5000', 'x-test-key': 'too-long' },
      }),
    );
    expect(err.retryStop).toBe('retry_after_too_long');
    expect(err.retryAfterMs).toBe(5000);
    expect(hit.get('too-long')).toHaveLength(1);
  });

  it('parses every hint format', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const h = (o: Record<string, string>) => new Headers(o);
    expect(serverRetryDelayMs(h(retryHeaders(1234)), now)).toBe(1234);
    expect(serverRetryDelayMs(h({ 'retry-after-ms': '12.5', 'retry-after': '9' }), now)).toBe(12.5);
    expect(serverRetryDelayMs(h({ 'retry-after': '2' }), now)).toBe(2000);
    expect(serverRetryDelayMs(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(serverRetryDelayMs(h({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), now)).toBe(0);
    const limits = h({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1.5s', 'x-ratelimit-remaining-tokens': '10', 'x-ratelimit-reset-tokens': '6m0s' });
    expect(serverRetryDelayMs(limits, now)).toBeUndefined(); // not a rate limit: reset headers are no hint
    expect(serverRetryDelayMs(limits, now, undefined, true)).toBe(1500); // only the exhausted dimension
    expect(serverRetryDelayMs(limits, now, 'tokens', true)).toBe(360_000);
    // A project's own token limit has its own family: the longer reset of the two for tokens, and counted when exhausted.
    const project = h({ 'x-ratelimit-remaining-tokens': '900', 'x-ratelimit-reset-tokens': '60ms', 'x-ratelimit-remaining-project-tokens': '0', 'x-ratelimit-reset-project-tokens': '36s' });
    expect(serverRetryDelayMs(project, now, 'tokens', true)).toBe(36_000);
    expect(serverRetryDelayMs(project, now, undefined, true)).toBe(36_000);
    expect(serverRetryDelayMs(h({ 'retry-after': 'soon' }), now)).toBeUndefined();
  });

  it('x-ratelimit-reset is the hint of a 429 without retry-after', async () => {
    const s = await startServer((_req, res) => {
      res
        .writeHead(429, { 'content-type': 'application/json', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '15ms' })
        .end('{"error":{"message":"Rate limit reached for m","type":"tokens","param":null,"code":"rate_limit_exceeded"}}');
    });
    try {
      const events: RetryEvent[] = [];
      const err = await caught(new Tollgate({ apiKey: KEY, baseURL: s.baseURL, ...fast, maxRetries: 1, onRetry: (e) => events.push(e) }).chat.completions.create(body));
      expect(err.retryAfterMs).toBe(15);
      expect(events.map((e) => [e.delayMs, e.delaySource])).toEqual([[15, 'server']]);
    } finally {
      await s.close();
    }
  });

  it('backoff is full jitter within a doubling, capped window', () => {
    expect(backoffDelayMs(0, () => 0.999, {})).toBeCloseTo(499.5);
    expect(backoffDelayMs(3, () => 0.5, {})).toBe(2000);
    expect(backoffDelayMs(10, () => 0.999, {})).toBeCloseTo(7992);
    expect(backoffDelayMs(2, () => 0, {})).toBe(0);
  });
});

describe('what cannot succeed is never retried, even without x-should-retry', () => {
  it.each([
    ['insufficient quota', [429, 'insufficient_quota', 'insufficient_quota', 'You exceeded your current quota, please check your plan and billing details.'], 'InsufficientQuotaError'],
    ['request too large', [429, 'tokens', 'rate_limit_exceeded', 'Request too large for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Requested 31538.'], 'RequestTooLargeError'],
    ['bad key', [401, 'invalid_request_error', 'invalid_api_key', 'Incorrect API key provided: sk-abc. You can find your API key at https://platform.openai.com/account/api-keys.'], 'AuthenticationError'],
    ['no access', [403, 'invalid_request_error', 'model_not_found', 'Project `proj_1` does not have access to model `gpt-4o-mini`'], 'PermissionError'],
    ['bad request', [400, 'invalid_request_error', null, "'messages' is a required property"], 'InvalidRequestError'],
  ] as const)('%s', async (name, raw, cls) => {
    const key = `raw-${name}`;
    const err = await caught(client({ maxRetries: 3 }).chat.completions.create(body, { headers: { 'x-test-raw': JSON.stringify(raw), 'x-test-key': key } }));
    expect(err.name).toBe(cls);
    expect(err.retryable).toBe(false);
    expect(hit.get(key)).toHaveLength(1);
  });

  it('while an ordinary OpenAI rate limit without headers is retried with backoff', async () => {
    const raw = [429, 'requests', 'rate_limit_exceeded', 'Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): Limit 3, Used 3, Requested 1.'];
    const err = await caught(client({ maxRetries: 2 }).chat.completions.create(body, { headers: { 'x-test-raw': JSON.stringify(raw), 'x-test-key': 'raw-rl' } }));
    expect(err.name).toBe('RateLimitError');
    expect(hit.get('raw-rl')).toHaveLength(3);
  });
});

describe('retry budget', () => {
  it('under sustained failure, retries stay within the budget', async () => {
    const budget = new RetryBudget({ ratio: 0.1, burst: 5, minPerSecond: 0 });
    const c = client({ maxRetries: 2, retryBudget: budget });
    const N = 200;
    const errors = await Promise.all(
      Array.from({ length: N }, (_, i) => caught(c.chat.completions.create(body, { headers: { 'x-test-entry': 'server_error', 'x-test-key': `budget-${i}` } }))),
    );
    const hits = Array.from({ length: N }, (_, i) => hit.get(`budget-${i}`)?.length ?? 0).reduce((a, b) => a + b, 0);
    const retries = hits - N;
    expect(retries).toBeLessThanOrEqual(5 + 0.1 * N);
    expect(retries).toBeGreaterThan(0);
    expect(errors.filter((e) => e.retryStop === 'retry_budget').length).toBeGreaterThan(N / 2);
    expect(errors.reduce((n, e) => n + e.attempts, 0)).toBe(hits);
  });

  it('without a budget the same failure triples the load', async () => {
    const c = client({ maxRetries: 2, retryBudget: false });
    const N = 50;
    await Promise.all(Array.from({ length: N }, (_, i) => caught(c.chat.completions.create(body, { headers: { 'x-test-entry': 'server_error', 'x-test-key': `nobudget-${i}` } }))));
    const hits = Array.from({ length: N }, (_, i) => hit.get(`nobudget-${i}`)?.length ?? 0).reduce((a, b) => a + b, 0);
    expect(hits).toBe(3 * N);
  });

  it('earns retries per request and per second', () => {
    let t = 0;
    const b = new RetryBudget({ ratio: 0.1, burst: 2, minPerSecond: 0.5, now: () => t });
    expect(b.tryRetry()).toBe(true);
    expect(b.tryRetry()).toBe(true);
    expect(b.tryRetry()).toBe(false);
    for (let i = 0; i < 10; i++) b.recordRequest();
    expect(b.tryRetry()).toBe(true);
    expect(b.tryRetry()).toBe(false);
    t += 2000;
    expect(b.tryRetry()).toBe(true);
    t += 60_000;
    expect(b.available()).toBe(2);
  });
});

describe('one signal shared by many calls', () => {
  it('holds one abort listener for 20 calls in flight and still stops them all', async () => {
    const client = new Tollgate({ apiKey: KEY, baseURL: server.baseURL, maxRetries: 0, ...fast });
    const ac = new AbortController();
    const calls = Array.from({ length: 20 }, () => caught(client.chat.completions.create(body, { signal: ac.signal, headers: { 'x-test-mode': 'hang', 'x-test-key': 'shared-signal' } })));
    while ((hit.get('shared-signal')?.length ?? 0) < 20) await new Promise((r) => setTimeout(r, 2));
    expect(getEventListeners(ac.signal, 'abort').length).toBe(1);
    ac.abort();
    for (const e of await Promise.all(calls)) expect(e).toBeInstanceOf(APIUserAbortError);
  });
});

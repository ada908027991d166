/**
 * Issue 7, the failures that have no response: a closed port, a name that does not resolve, a
 * connection reset before the answer and in the middle of a stream (the simulator server alone,
 * `disconnect@n`), the client's own timeouts against a slow model of the real gateway, and the
 * caller's abort, which stops retrying. Attempts are counted with a wrapping `fetch`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIConnectionError, APIError, APIUserAbortError, Timeout, Tollgate, type ClientOptions } from '@tollgate/client';
import { DEFAULT_MODELS, startSimulatorServer, type SimulatorServer } from 'tollgate';
import { startTestGateway, type TestGateway } from '../../../gateway/test/support/gateway.js';
import { CHAT, closedPort, countingFetch, type CountingFetch } from './helpers.js';

/** A retrying client whose backoff is short, so that attempts can be counted quickly. */
function client(baseURL: string, wire: CountingFetch, opts: ClientOptions = {}): Tollgate {
  return new Tollgate({ apiKey: 'sk-test-0123456789abcdef', baseURL, maxRetries: 2, retryBudget: false, backoff: { initialMs: 1, maxMs: 5 }, fetch: wire.fetch, ...opts });
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('the call succeeded');
}

describe('no server to answer', () => {
  it('a closed port is an APIConnectionError, retried maxRetries times, none of which got an answer', async () => {
    const wire = countingFetch();
    const err = await failure(client(`http://127.0.0.1:${await closedPort()}/v1`, wire).chat.completions.create(CHAT));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(Timeout);
    expect(err).not.toBeInstanceOf(APIError);
    const e = err as APIConnectionError;
    expect(e.kind).toBe('connection');
    expect(e.retryable).toBe(true);
    expect(e.status).toBeUndefined();
    expect(e.message).toContain('ECONNREFUSED');
    expect(wire.calls).toBe(3);
    expect(wire.responses).toBe(0);
    expect(e.attempts).toBe(3);
    expect(e.retryStop).toBe('max_retries');
    expect(e.hint.entryId).toBeUndefined();
    expect(e.hintIn('zh-CN').locale).toBe('zh-CN');
  });

  it('a name that does not resolve is an APIConnectionError naming the DNS failure', async () => {
    const wire = countingFetch();
    const err = await failure(client('http://nonexistent.invalid/v1', wire, { maxRetries: 1 }).chat.completions.create(CHAT));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(Timeout);
    const e = err as APIConnectionError;
    expect(e.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(wire.calls).toBe(2);
    expect(wire.responses).toBe(0);
    expect(e.attempts).toBe(2);
    expect(e.retryStop).toBe('max_retries');
  });
});

describe('connections reset by the simulator server (disconnect@n)', () => {
  let sim: SimulatorServer;
  beforeAll(async () => {
    sim = await startSimulatorServer({ models: DEFAULT_MODELS, port: 0, allowFaultHeader: true });
  });
  afterAll(() => sim.close());

  it('a reset before any response is an APIConnectionError and is retried', async () => {
    const wire = countingFetch();
    const c = client(`${sim.url}/v1`, wire, { defaultHeaders: { 'x-tollgate-fault': 'disconnect' } });
    const err = await failure(c.chat.completions.create(CHAT));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(Timeout);
    const e = err as APIConnectionError;
    expect(e.kind).toBe('connection');
    expect(wire.calls).toBe(3);
    expect(wire.responses).toBe(0);
    expect(e.attempts).toBe(3);
    expect(e.retryStop).toBe('max_retries');
  });

  it('a reset mid-stream is an APIConnectionError after the chunks that arrived, and is not retried', async () => {
    const wire = countingFetch();
    const c = client(`${sim.url}/v1`, wire, { defaultHeaders: { 'x-tollgate-fault': 'disconnect@2' } });
    const stream = await c.chat.completions.create({ ...CHAT, max_tokens: 50, stream: true });
    const content: string[] = [];
    const err = await failure(
      (async () => {
        for await (const chunk of stream) {
          const text = chunk.choices[0]?.delta.content;
          if (text) content.push(text);
        }
      })(),
    );
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(APIError);
    const e = err as APIConnectionError;
    expect(e.kind).toBe('connection');
    expect(e.retryStop).toBe('mid_stream');
    expect(content).toHaveLength(2);
    expect(wire.calls).toBe(1);
    expect(wire.responses).toBe(1);
  });
});

describe('the real gateway: timeouts, a mid-stream error frame, aborts', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ models: [{ name: 'sim-small' }, { name: 'sim-slow', simulator: { ttft_ms: 2000 } }] });
  });
  afterAll(() => gw.close());

  const SLOW = { ...CHAT, model: 'sim-slow' };
  const gateway = (wire: CountingFetch, opts: ClientOptions = {}) => client(gw.baseURL, wire, { apiKey: gw.apiKey, ...opts });

  it('a slow model beyond the per-attempt timeout is a Timeout, retried', async () => {
    const wire = countingFetch();
    const err = await failure(gateway(wire, { timeout: 200, maxRetries: 1 }).chat.completions.create(SLOW));
    expect(err).toBeInstanceOf(Timeout);
    expect(err).toBeInstanceOf(APIConnectionError);
    const e = err as Timeout;
    expect(e.kind).toBe('client_timeout');
    expect(e.retryable).toBe(true);
    expect(e.message).toBe('Request timed out after 200 ms.');
    expect(wire.calls).toBe(2);
    expect(wire.responses).toBe(0);
    expect(e.attempts).toBe(2);
    expect(e.retryStop).toBe('max_retries');
  });

  it('the overall deadline stops retries of timed-out attempts', async () => {
    const wire = countingFetch();
    const err = await failure(gateway(wire, { timeout: 200, totalTimeout: 500, maxRetries: 10 }).chat.completions.create(SLOW));
    expect(err).toBeInstanceOf(Timeout);
    const e = err as Timeout;
    expect(e.retryStop).toBe('deadline');
    expect(e.message).toBe('Request timed out: the overall deadline of 500 ms passed.');
    // 200 + 200 + what is left of 500: three attempts at most, never the ten allowed.
    expect(wire.calls).toBeGreaterThanOrEqual(2);
    expect(wire.calls).toBeLessThanOrEqual(3);
    expect(e.attempts).toBe(wire.calls);
  });

  it('an error frame mid-stream (server_error@3) is the catalog class, not retried', async () => {
    const wire = countingFetch();
    const c = gateway(wire, { defaultHeaders: { 'x-tollgate-fault': 'server_error@3' }, locale: 'zh-CN' });
    const stream = await c.chat.completions.create({ ...CHAT, max_tokens: 50, stream: true });
    let content = 0;
    const err = await failure(
      (async () => {
        for await (const chunk of stream) if (chunk.choices[0]?.delta.content) content++;
      })(),
    );
    expect(err).toBeInstanceOf(APIError);
    const e = err as APIError;
    expect(e.entry?.id).toBe('server_error');
    expect(e.status).toBeUndefined();
    expect(e.retryStop).toBe('mid_stream');
    expect(e.hint.locale).toBe('zh-CN');
    expect(content).toBe(3);
    expect(wire.calls).toBe(1);
  });

  it('aborting during the wait for a retry stops the call and its retries', async () => {
    const wire = countingFetch();
    const ac = new AbortController();
    // server_error asks for a 1 s wait; the abort comes as that wait begins.
    const c = gateway(wire, { defaultHeaders: { 'x-tollgate-fault': 'server_error' }, onRetry: () => ac.abort() });
    const err = await failure(c.chat.completions.create(CHAT, { signal: ac.signal }));
    expect(err).toBeInstanceOf(APIUserAbortError);
    const e = err as APIUserAbortError;
    expect(e.name).toBe('AbortError');
    expect(e.retryable).toBe(false);
    expect(e.retryStop).toBe('aborted');
    expect(e.attempts).toBe(1);
    expect(wire.calls).toBe(1);
    // Inherently about real time: past the moment the retry would have been sent, nothing was.
    await new Promise((r) => setTimeout(r, 1200));
    expect(wire.calls).toBe(1);
  });

  it('aborting an attempt in flight stops the call without a retry', async () => {
    const wire = countingFetch();
    const ac = new AbortController();
    const pending = failure(gateway(wire).chat.completions.create(SLOW, { signal: ac.signal }));
    setTimeout(() => ac.abort(), 100);
    const err = await pending;
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect((err as APIUserAbortError).attempts).toBe(1);
    expect((err as APIUserAbortError).retryStop).toBe('aborted');
    expect(wire.calls).toBe(1);
    expect(wire.responses).toBe(0);
  });
});

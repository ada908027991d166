/**
 * The HTTP engine against Tollgate's own simulator served alone, driven by `x-tollgate-fault`:
 * a Tollgate in front of a simulator answers every injected failure with the mapped error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ModelConfig, startSimulatorServer, type SimulatorServer } from 'tollgate';
import type { OpenAICompatibleEngine } from '../../src/upstream/openai-compatible/index.js';
import { apiError, asStream, chatCall, deltaText, deployment, drain, engine, model, simModel, upstreamHttpError } from './helpers.js';
import { until } from '../support/wait.js';

let sim: SimulatorServer;
const busy: ModelConfig = { ...simModel('sim-busy'), simulator: { ...simModel('x').simulator, ttft_ms: 200, max_concurrency: 2, max_queue: 0 } };

beforeAll(async () => {
  sim = await startSimulatorServer({ models: [simModel('sim-small'), simModel('sim-embed'), busy], port: 0, allowFaultHeader: true });
});
afterAll(async () => {
  await sim.close();
});

function eng(upstreamModel = 'sim-small', timeouts = {}, overloadStatus: 429 | 503 = 429): OpenAICompatibleEngine {
  return engine(model('gw', [deployment('sim', `${sim.url}/v1`, { model: upstreamModel, timeouts })]), { overloadStatus });
}

async function using<T>(e: OpenAICompatibleEngine, f: (e: OpenAICompatibleEngine) => Promise<T>): Promise<T> {
  try {
    return await f(e);
  } finally {
    await e.close();
  }
}

describe('against the simulator served alone', () => {
  it('chat JSON, chat stream with the usage chunk, and embeddings', async () => {
    await using(eng(), async (e) => {
      const json = await e.call(chatCall());
      expect(json.kind).toBe('json');
      if (json.kind === 'json') {
        expect(json.body.object).toBe('chat.completion');
        expect(json.usage?.prompt_tokens).toBeGreaterThan(0);
      }
      const { chunks, error } = await drain(asStream(await e.call(chatCall({ stream: true }))));
      expect(error).toBeUndefined();
      expect(deltaText(chunks).length).toBeGreaterThan(0);
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });
      const emb = await e.call({ ...chatCall(), endpoint: 'embeddings', body: { model: 'x', input: 'hello' } });
      expect(emb.kind === 'json' && emb.body.object).toBe('list');
    });
  });

  it.each([
    ['server_error', 'server_error'],
    ['engine_overloaded', 'engine_overloaded'],
    ['server_is_overloaded', 'engine_overloaded'],
    ['rate_limit_tokens', 'engine_overloaded'],
    ['rate_limit_requests', 'engine_overloaded'],
    ['insufficient_quota', 'upstream_quota_exhausted'],
    ['invalid_api_key', 'upstream_authentication_failed'],
    ['insufficient_permissions', 'upstream_authentication_failed'],
    ['upstream_connection_failed', 'server_error'],
    ['upstream_unavailable', 'engine_overloaded'],
    ['upstream_total_timeout', 'server_error'],
  ])('fault %s upstream is %s here', async (fault, id) => {
    await using(eng(), async (e) => {
      const err = await apiError(e.call(chatCall({ fault })), id);
      // The simulator's rate-limit faults carry a 1 s hint; it survives as ours on overload. Its
      // other overloads carry none, and we add none.
      if (fault.startsWith('rate_limit')) expect(err.headers).toEqual({ 'retry-after-ms': '1000', 'retry-after': '1' });
      else if (id === 'engine_overloaded') expect(err.headers).toEqual({});
    });
  });

  it('with overload_status 503 an overloaded simulator is server_is_overloaded', async () => {
    await using(eng('sim-small', {}, 503), (e) => apiError(e.call(chatCall({ fault: 'engine_overloaded' })), 'server_is_overloaded'));
  });

  it.each([
    ['context_length_exceeded', 400],
    ['model_not_found', 404],
    ['invalid_type', 400],
  ])("the caller's error %s passes through with its status and the simulator's body", async (fault, status) => {
    await using(eng(), async (e) => {
      const err = await upstreamHttpError(e.call(chatCall({ fault })));
      expect(err.status).toBe(status);
      expect(err.body).toMatchObject({ error: { type: 'invalid_request_error', message: expect.any(String) } });
      expect(err.headers).toEqual({ 'x-should-retry': 'false' });
    });
  });

  it('server_error@2 on a stream: the role chunk and 2 content chunks, then server_error from the iterator', async () => {
    await using(eng(), async (e) => {
      const { chunks, error } = await drain(asStream(await e.call(chatCall({ stream: true, fault: 'server_error@2' }))));
      expect(chunks).toHaveLength(3);
      expect((error as ApiError).entry.id).toBe('server_error');
    });
  });

  it('rate_limit_tokens@1 mid-stream is an overload error frame: engine_overloaded from the iterator', async () => {
    await using(eng(), async (e) => {
      const { chunks, error } = await drain(asStream(await e.call(chatCall({ stream: true, fault: 'rate_limit_tokens@1' }))));
      expect(chunks).toHaveLength(2);
      expect((error as ApiError).entry.id).toBe('engine_overloaded');
    });
  });

  it('disconnect@2 cuts the stream: upstream_connection_failed after the chunks; disconnect on JSON fails the call', async () => {
    await using(eng(), async (e) => {
      const { chunks, error } = await drain(asStream(await e.call(chatCall({ stream: true, fault: 'disconnect@2' }))));
      expect(chunks).toHaveLength(3);
      expect((error as ApiError).entry.id).toBe('upstream_connection_failed');
      await apiError(e.call(chatCall({ fault: 'disconnect' })), 'upstream_connection_failed');
    });
  });

  it("stall@1 hits the idle timeout, and the simulator's slot is freed when we cut", async () => {
    await using(eng('sim-small', { idle_ms: 80 }), async (e) => {
      const { chunks, error } = await drain(asStream(await e.call(chatCall({ stream: true, fault: 'stall@1' }))));
      expect(chunks).toHaveLength(2);
      expect((error as ApiError).entry.id).toBe('upstream_idle_timeout');
      const engineStats = sim.engines.get('sim-small')!;
      await until(() => engineStats.stats().inFlight === 0, "the simulator's slot to be freed");
    });
  });

  it('stall on a JSON call hits the total timeout (first_byte_ms bounds streams only)', async () => {
    await using(eng('sim-small', { first_byte_ms: 50, total_ms: 150 }), (e) => apiError(e.call(chatCall({ fault: 'stall' })), 'upstream_total_timeout'));
  });

  it('a simulator at capacity: 40 calls at once are each served or engine_overloaded, nothing else', async () => {
    await using(eng('sim-busy'), async (e) => {
      const results = await Promise.all(
        Array.from({ length: 40 }, () =>
          e.call(chatCall()).then(
            () => 'served',
            (x: unknown) => (x instanceof ApiError ? x.entry.id : String(x)),
          ),
        ),
      );
      const served = results.filter((r) => r === 'served').length;
      const overloaded = results.filter((r) => r === 'engine_overloaded').length;
      expect(served + overloaded).toBe(40);
      expect(served).toBeGreaterThanOrEqual(2);
      expect(overloaded).toBeGreaterThan(0);
    });
  });
});

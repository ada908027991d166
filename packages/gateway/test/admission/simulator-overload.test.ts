/**
 * Issue 6: an overloaded engine is answered as the gateway's overload — by default the guide's 429
 * `engine_overloaded` ("The engine is currently overloaded, please try again later"), with
 * `server.overload_status: 503` OpenAI's 503 `server_is_overloaded` — whichever engine it is. The
 * built-in simulator's own capacity (`simulator: { max_concurrency, max_queue }`) is refused the same
 * way as an HTTP upstream's overload, and as the gateway's admission queue; only the simulator served
 * alone (`tollgate simulate`) answers as engines do, 503 (simulator/serve.test.ts).
 */
import OpenAI from 'openai';
import { expect, it, vi } from 'vitest';
import type { SimulatorEngine } from '../../src/upstream/simulator/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const TINY = { name: 'tiny', simulator: { ttft_ms: 60_000, max_concurrency: 1, max_queue: 0 } };
const ask = { model: 'tiny', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 3 };

/** Holds the one slot with a request that waits out its minute, then sends another one. */
async function refusedWhileFull(gw: TestGateway): Promise<unknown> {
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
  const engine = gw.gateway.services.engines.get('tiny') as SimulatorEngine;
  const ac = new AbortController();
  const holder = client.chat.completions.create(ask, { signal: ac.signal }).catch((e: unknown) => e);
  await vi.waitFor(() => expect(engine.stats().inFlight).toBe(1), { timeout: 15_000 });
  try {
    return await client.chat.completions.create(ask).catch((e: unknown) => e);
  } finally {
    ac.abort();
    await holder;
  }
}

it("the simulator's capacity, full, is the gateway's default overload: 429 engine_overloaded", async () => {
  const gw = await startTestGateway({ models: [TINY] });
  try {
    const err = await refusedWhileFull(gw);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({
      status: 429,
      type: 'server_error',
      code: 'engine_overloaded',
      error: { message: 'The engine is currently overloaded, please try again later' },
    });
  } finally {
    await gw.close();
  }
});

it('with server.overload_status 503 it is 503 server_is_overloaded', async () => {
  const gw = await startTestGateway({ server: { host: '127.0.0.1', port: 0, public_url: 'http://gateway.test', overload_status: 503 }, models: [TINY] });
  try {
    const err = await refusedWhileFull(gw);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err).toMatchObject({ status: 503, type: 'service_unavailable_error', code: 'server_is_overloaded' });
  } finally {
    await gw.close();
  }
});

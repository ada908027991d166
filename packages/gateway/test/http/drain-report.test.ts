/**
 * What a gateway's close reports of its drain (`serve` logs it as its last line, `stopped`): the
 * requests answered during the drain, those cut when the grace period ended, and how long it took.
 */
import { expect, it, vi } from 'vitest';
import type { SimulatorEngine } from '../../src/upstream/simulator/index.js';
import { HoldableClock } from '../support/clocks.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const ask = (baseURL: string, apiKey: string, model: string) =>
  fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }),
  }).then(
    (r) => r.status,
    () => 'cut' as const,
  );

/** Until the simulated model is answering `n` requests: they are in the gateway, in flight. */
const inFlight = (gw: TestGateway, model: string, n: number) =>
  vi.waitFor(() => expect((gw.gateway.services.engines.get(model) as SimulatorEngine).stats().inFlight).toBe(n), { timeout: 15_000 });

it('a request in flight when the drain begins is answered and counted as drained', async () => {
  // The simulator waits out its time to first token on the gateway's clock, whose sleeps stay
  // paused until the drain has begun: the request cannot finish before it.
  const clock = new HoldableClock();
  const gw = await startTestGateway({ server: { host: '127.0.0.1', port: 0, public_url: 'http://gateway.test', shutdown_grace_ms: 20_000 }, models: [{ name: 'slow', simulator: { ttft_ms: 100 } }] }, { clock });
  await ask(gw.baseURL, gw.apiKey, 'slow'); // a connection and a key already warm
  clock.pauseSleeps();
  const pending = ask(gw.baseURL, gw.apiKey, 'slow');
  await inFlight(gw, 'slow', 1);
  const closing = gw.gateway.close();
  clock.resumeSleeps();
  const report = await closing;
  expect(await pending).toBe(200);
  expect(report).toMatchObject({ drained: 1, cut: 0 });
  expect(report.drainMs).toBeGreaterThan(0);
  expect(await gw.gateway.close()).toBe(report); // every call, the same
  await gw.close();
});

it('a request still in flight when the grace period ends is counted as cut', async () => {
  const gw = await startTestGateway({ server: { host: '127.0.0.1', port: 0, public_url: 'http://gateway.test', shutdown_grace_ms: 300 }, models: [{ name: 'stalled', simulator: { ttft_ms: 60_000 } }] });
  const pending = ask(gw.baseURL, gw.apiKey, 'stalled');
  await inFlight(gw, 'stalled', 1);
  const report = await gw.gateway.close();
  expect(await pending).toBe('cut');
  expect(report).toMatchObject({ drained: 0, cut: 1 });
  expect(report.drainMs).toBeGreaterThanOrEqual(300);
  await gw.close();
});

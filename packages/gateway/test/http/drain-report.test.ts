/**
 * What a gateway's close reports of its drain (`serve` logs it as its last line, `stopped`): the
 * requests answered during the drain, those cut when the grace period ended, and how long it took.
 */
import { expect, it } from 'vitest';
import { startTestGateway } from '../support/gateway.js';

const ask = (baseURL: string, apiKey: string, model: string) =>
  fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }),
  }).then(
    (r) => r.status,
    () => 'cut' as const,
  );

it('a request in flight when the drain begins is answered and counted as drained', async () => {
  const gw = await startTestGateway({ server: { host: '127.0.0.1', port: 0, public_url: 'http://gateway.test', shutdown_grace_ms: 20_000 }, models: [{ name: 'slow', simulator: { ttft_ms: 1500 } }] });
  await ask(gw.baseURL, gw.apiKey, 'slow'); // a connection and a key already warm
  const pending = ask(gw.baseURL, gw.apiKey, 'slow');
  await new Promise((r) => setTimeout(r, 500));
  const report = await gw.gateway.close();
  expect(await pending).toBe(200);
  expect(report).toMatchObject({ drained: 1, cut: 0 });
  expect(report.drainMs).toBeGreaterThan(0);
  expect(await gw.gateway.close()).toBe(report); // every call, the same
  await gw.close();
});

it('a request still in flight when the grace period ends is counted as cut', async () => {
  const gw = await startTestGateway({ server: { host: '127.0.0.1', port: 0, public_url: 'http://gateway.test', shutdown_grace_ms: 300 }, models: [{ name: 'stalled', simulator: { ttft_ms: 60_000 } }] });
  const pending = ask(gw.baseURL, gw.apiKey, 'stalled');
  await new Promise((r) => setTimeout(r, 500));
  const report = await gw.gateway.close();
  expect(await pending).toBe('cut');
  expect(report).toMatchObject({ drained: 0, cut: 1 });
  expect(report.drainMs).toBeGreaterThanOrEqual(300);
  await gw.close();
});

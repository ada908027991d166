/**
 * A Redis that stops answering must not hang the gateway (nor take it down with it). The counters fail closed within the command timeout: a retryable 503
 * `store_unavailable`, never a hang and never an unmetered admission; health stays green, readiness
 * reports the failing dependency, and service resumes when Redis answers again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { gatewayOnProxiedRedis, type GatewayOnProxiedRedis } from '../support/stalled-redis.js';

let t: GatewayOnProxiedRedis;
beforeAll(async () => {
  t = await gatewayOnProxiedRedis(1000);
});
afterAll(() => t?.close());
const chat = () => t.chat();

it('answers 503 store_unavailable (retryable) while Redis is silent, and recovers after', async () => {
  expect((await chat()).status).toBe(200);

  t.proxy.stall();
  const replies = await Promise.all(Array.from({ length: 10 }, () => chat()));
  for (const r of replies) {
    expect(r.status).toBe(503);
    expect(r.headers.get('x-should-retry')).not.toBe('false');
    // Retryable, but with no fixed hint: the gateway cannot know when Redis is back (clients back off).
    expect(r.headers.get('retry-after')).toBeNull();
    expect(r.headers.get('retry-after-ms')).toBeNull();
    const body = await r.json();
    expect(body.error).toMatchObject({ type: 'service_unavailable_error', code: 'store_unavailable' });
    // It names the store that is down: Redis, not the (healthy) database.
    expect(body.error.message).toBe('The server could not reach its Redis server to check your request, please try again later.');
  }
  expect((await fetch(`${t.gw.url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${t.gw.url}/readyz`);
  expect(ready.status).toBe(503);
  expect((await ready.json()).checks.redis).toBe('failing');

  t.proxy.restore();
  // The client reconnects on its own; give it a moment, then traffic flows again.
  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await chat()).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  expect(status).toBe(200);
});

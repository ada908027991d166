/**
 * Redis forgets the gateway's Lua scripts (SCRIPT FLUSH, or a restart with its data kept): the
 * next request's EVALSHA is answered NOSCRIPT and the script is sent once by its text. That
 * request is served at once, as any other, and counted once: no second reservation, no wait for
 * a timeout.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { TEST_REDIS_URL } from '../support/services.js';

const RPM = 4;
let gw: TestGateway;
let redis: Redis;

beforeAll(async () => {
  gw = await startTestGateway({ tiers: { few: { '*': { max_requests_per_1_minute: RPM } } }, default_tier: 'few' }, { redisPrefix: true });
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  redis?.disconnect();
  await gw?.close();
});

/** One chat request: its status, what its rate limit headers say is left, and how long it took. */
async function chat() {
  const t0 = performance.now();
  const r = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
  });
  await r.arrayBuffer();
  return { status: r.status, remaining: r.headers.get('x-ratelimit-remaining-requests'), ms: performance.now() - t0 };
}

it('after SCRIPT FLUSH the next requests are served at once and each is counted exactly once', async () => {
  const first = await chat();
  expect(first).toMatchObject({ status: 200, remaining: String(RPM - 1) });

  expect(await redis.script('FLUSH')).toBe('OK');
  const afterFlush = await chat();
  expect(afterFlush).toMatchObject({ status: 200, remaining: String(RPM - 2) });
  // The gateway's bound on one Redis command is 2 s; reloading the scripts costs round trips, not that.
  expect(afterFlush.ms).toBeLessThan(1000);

  // Again, with the requests in flight together (each script is reloaded by whichever gets NOSCRIPT).
  expect(await redis.script('FLUSH')).toBe('OK');
  const together = await Promise.all([chat(), chat()]);
  expect(together.map((r) => r.status)).toEqual([200, 200]);
  expect(together.map((r) => r.remaining).sort()).toEqual(['0', '1']);
  // The limit was reached by exactly RPM requests: none was reserved twice, none lost.
  expect(await chat()).toMatchObject({ status: 429 });
});

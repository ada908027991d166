/**
 * Redis forgets the gateway's Lua scripts (SCRIPT FLUSH, or a restart with its data kept): the
 * next request's EVALSHA is answered NOSCRIPT and the script is sent once by its text. That
 * request is served at once, as any other, and counted once: no second reservation, no wait for
 * a timeout. SCRIPT FLUSH empties the whole server's script cache, so the test runs on a
 * redis-server of its own: on the shared one it would pull scripts from under other test files.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOwnRedis, type OwnRedis } from '../support/redis-server.js';

const RPM = 4;
let gw: TestGateway;
let redis: Redis;
let server: OwnRedis;

beforeAll(async () => {
  server = await startOwnRedis();
  gw = await startTestGateway({ redis: { url: server.url, key_prefix: 'flush:' }, tiers: { few: { '*': { max_requests_per_1_minute: RPM } } }, default_tier: 'few' });
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await gw?.close();
  await server?.stop();
});

/** One chat request: its status and what its rate limit headers say is left. */
async function chat() {
  const r = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
  });
  await r.arrayBuffer();
  return { status: r.status, remaining: r.headers.get('x-ratelimit-remaining-requests') };
}

it('after SCRIPT FLUSH the next requests are served at once and each is counted exactly once', async () => {
  const first = await chat();
  expect(first).toMatchObject({ status: 200, remaining: String(RPM - 1) });

  expect(await redis.script('FLUSH')).toBe('OK');
  const afterFlush = await chat();
  // Served (a request that waited out the 2 s command bound would be a 503) and counted once.
  expect(afterFlush).toEqual({ status: 200, remaining: String(RPM - 2) });

  // Again, with the requests in flight together (each script is reloaded by whichever gets NOSCRIPT).
  expect(await redis.script('FLUSH')).toBe('OK');
  const together = await Promise.all([chat(), chat()]);
  expect(together.map((r) => r.status)).toEqual([200, 200]);
  expect(together.map((r) => r.remaining).sort()).toEqual(['0', '1']);
  // The limit was reached by exactly RPM requests: none was reserved twice, none lost.
  expect(await chat()).toMatchObject({ status: 429 });
});

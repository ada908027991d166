/**
 * Revocation across a lost Redis connection: instance A's subscriber is cut off while a key is
 * revoked through instance B, so A never hears the event. A subscriber that reconnects may have
 * missed anything, so A drops its whole identity cache on reconnect; the key must be refused by A
 * at its next request although its cache TTL (an hour) is far from over.
 */
import { Redis } from 'ioredis';
import OpenAI, { AuthenticationError } from 'openai';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { FakeClock, openStore, type Store } from 'tollgate';
import { redisPrefix, TEST_REDIS_URL } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startHarness, type Harness } from './harness.js';
import { adminOk, newTenant } from '../support/admin.js';

let store: Store;
let proxy: TcpProxy;
let redisA: Redis;
let redisB: Redis;
let a: Harness;
let b: Harness;

beforeAll(async () => {
  const clock = new FakeClock();
  store = await openStore('sqlite::memory:', { clock });
  const target = new URL(TEST_REDIS_URL);
  proxy = new TcpProxy(Number(target.port || 6379), target.hostname);
  await proxy.listen();
  // A reaches Redis only through the proxy; B directly.
  redisA = new Redis({ host: '127.0.0.1', port: proxy.port, maxRetriesPerRequest: 1, retryStrategy: () => 20 });
  redisB = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = redisPrefix();
  const config = { redis: { url: TEST_REDIS_URL, key_prefix: prefix }, auth: { failed_attempts_per_minute: 1000, cache_ttl_ms: 3_600_000 } };
  a = await startHarness({ store, redis: redisA, clock, config });
  b = await startHarness({ store, redis: redisB, clock, config });
});
afterAll(async () => {
  await a.close();
  await b.close();
  await store.close();
  redisA.disconnect();
  redisB.disconnect();
  await proxy.close();
});

const chat = (h: Harness, key: string) =>
  new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }).then(
    () => 'ok',
    (e) => (e instanceof AuthenticationError ? (e.code ?? 'missing_api_key') : String(e)),
  );

it('a key revoked while instance A was disconnected from Redis is refused by A after it reconnects', async () => {
  const { apiKey: key, keyId } = await newTenant(b);
  expect(await chat(a, key)).toBe('ok'); // now cached on A for an hour
  expect(await chat(b, key)).toBe('ok');

  proxy.cut();
  const missed = a.identity.remoteInvalidations;
  await adminOk(b, 'POST', `/keys/${keyId}/revoke`);
  expect(await chat(b, key)).toBe('invalid_api_key');
  expect(a.identity.remoteInvalidations).toBe(missed); // A did not hear it

  proxy.restore();
  // Wait until A's subscription is back: B publishes probes until A receives one. Any event A
  // receives now comes after its reconnect handling, and none of them names the revoked key.
  await vi.waitFor(
    async () => {
      await b.identity.invalidate({ kind: 'key', keyId: 'probe-unrelated-key' });
      expect(a.identity.remoteInvalidations).toBeGreaterThan(missed);
    },
    { timeout: 10_000, interval: 50 },
  );
  expect(await chat(a, key)).toBe('invalid_api_key');
});

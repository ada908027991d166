/**
 * Two gateway instances on one PostgreSQL database and one Redis: a revocation (or member
 * removal) through one instance's admin API reaches the other's cache as an event, long before
 * its TTL would — applied there before the admin call returns (the publisher waits for the
 * other instance's confirmation), so the very next request is refused.
 */
import { Redis } from 'ioredis';
import OpenAI, { AuthenticationError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, openStore, type Store } from 'tollgate';
import { postgresSchema, type TestDatabase } from '../support/databases.js';
import { startHarness, type Harness } from './harness.js';
import { adminOk, newTenant } from '../support/admin.js';
import { redisPrefix, TEST_REDIS_URL } from '../support/services.js';

let db: TestDatabase;
let stores: Store[];
let redis: Redis;
let a: Harness;
let b: Harness;

beforeAll(async () => {
  db = postgresSchema('tg_inval');
  const clock = new FakeClock();
  stores = [await openStore(db.url, { clock }), await openStore(db.url, { clock })];
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = redisPrefix();
  // A TTL far longer than the test: only the event can make instance B refuse the key.
  const config = { redis: { url: TEST_REDIS_URL, key_prefix: prefix }, auth: { failed_attempts_per_minute: 1000, cache_ttl_ms: 3_600_000 } };
  a = await startHarness({ store: stores[0], redis, clock, config });
  b = await startHarness({ store: stores[1], redis, clock, config });
});
afterAll(async () => {
  await a.close();
  await b.close();
  for (const s of stores) await s.close();
  redis.disconnect();
  await db.drop();
});

const chat = (h: Harness, key: string) =>
  new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }).then(
    () => 'ok',
    (e) => (e instanceof AuthenticationError ? e.code ?? 'missing_api_key' : String(e)),
  );

describe('invalidation across instances', () => {
  it('a key revoked on instance A is refused by instance B as soon as the revocation returns', async () => {
    const { apiKey: key, keyId } = await newTenant(a);
    expect(await chat(a, key)).toBe('ok');
    expect(await chat(b, key)).toBe('ok');
    const seen = b.identity.remoteInvalidations;
    await adminOk(a, 'POST', `/keys/${keyId}/revoke`);
    expect(await chat(a, key)).toBe('invalid_api_key');
    expect(b.identity.remoteInvalidations).toBeGreaterThan(seen);
    const results = await Promise.all(Array.from({ length: 50 }, () => chat(b, key)));
    expect(results.every((r) => r === 'invalid_api_key')).toBe(true);
  });

  it('a member removed on instance B loses access on instance A', async () => {
    const { apiKey: key, orgId, userId } = await newTenant(b);
    expect(await chat(a, key)).toBe('ok');
    const seen = a.identity.remoteInvalidations;
    await adminOk(b, 'DELETE', `/organizations/${orgId}/members/${userId}`);
    expect(a.identity.remoteInvalidations).toBeGreaterThan(seen);
    expect(await chat(a, key)).toBe('no_organization');
  });
});

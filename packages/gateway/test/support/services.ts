/**
 * The shared services the tests use, one environment variable each (honoured by every test):
 * - `TOLLGATE_TEST_PG`    PostgreSQL URL, default postgres://postgres@127.0.0.1:5432/test
 * - `TOLLGATE_TEST_REDIS` Redis URL, default redis://127.0.0.1:6379
 * Tests isolate themselves with their own schema or key prefix.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

if (process.env.TOLLGATE_TEST_PG_URL !== undefined) {
  throw new Error('TOLLGATE_TEST_PG_URL was renamed: set TOLLGATE_TEST_PG instead');
}

export const TEST_PG_URL = process.env.TOLLGATE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TOLLGATE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

const redis = new URL(TEST_REDIS_URL);
/** The Redis address as ioredis options / a TCP target. */
export const TEST_REDIS = { host: redis.hostname || '127.0.0.1', port: Number(redis.port || 6379) };

/** A key prefix of its own on the shared Redis (`label:<random>:`), so test files run in parallel. */
export function redisPrefix(label = 'tgtest'): string {
  return `${label}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix` on the shared Redis (what a test left behind). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    // SCAN, not KEYS: the shared Redis may hold many other tests' keys.
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

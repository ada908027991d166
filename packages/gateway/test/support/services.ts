/**
 * The shared services the tests use, one environment variable each (honoured by every test):
 * - `TOLLGATE_TEST_PG`    PostgreSQL URL, default postgres://postgres@127.0.0.1:5432/test
 * - `TOLLGATE_TEST_REDIS` Redis URL, default redis://127.0.0.1:6379
 * Tests isolate themselves with their own schema or key prefix.
 */
if (process.env.TOLLGATE_TEST_PG_URL !== undefined) {
  throw new Error('TOLLGATE_TEST_PG_URL was renamed: set TOLLGATE_TEST_PG instead');
}

export const TEST_PG_URL = process.env.TOLLGATE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TOLLGATE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

const redis = new URL(TEST_REDIS_URL);
/** The Redis address as ioredis options / a TCP target. */
export const TEST_REDIS = { host: redis.hostname || '127.0.0.1', port: Number(redis.port || 6379) };

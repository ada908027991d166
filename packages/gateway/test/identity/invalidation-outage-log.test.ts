/**
 * While Redis is unreachable, ioredis reports every reconnect attempt of the invalidation
 * subscriber (about one a second). The bus reports the first error of an outage only; a log line
 * per attempt buried the gateway's log (a new user counted 46 of 55 lines in 50 s).
 */
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { expect, it, vi } from 'vitest';
import { InvalidationBus } from '../../src/identity/invalidation.js';

const deadPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

it('reports the first error of an outage once, not each reconnect attempt, and closes without waiting for Redis', async () => {
  // Reconnect attempts 50 ms apart, counted (the bus's subscriber connection inherits the options).
  let retries = 0;
  const retryStrategy = () => {
    retries++;
    return 50;
  };
  const client = new Redis({ host: '127.0.0.1', port: await deadPort(), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy });
  const errors: unknown[] = [];
  const bus = new InvalidationBus(client, 'test:identity-invalidate', () => {}, (e) => errors.push(e));
  // However long they take on a loaded machine, many attempts have failed before the check.
  await vi.waitFor(() => expect(retries).toBeGreaterThanOrEqual(10), { timeout: 15_000 });
  // Closing does not wait for a Redis that is not there (a QUIT would be queued forever).
  await bus.close();
  client.disconnect();
  expect(errors).toHaveLength(1);
  expect(String((errors[0] as Error).message)).toContain('ECONNREFUSED');
});

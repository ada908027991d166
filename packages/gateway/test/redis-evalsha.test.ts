/**
 * The gateway's Redis client sends `evalsha` with the arguments it was given (no copy of them):
 * the same command, keys, numbers as strings and UTF-8 replies as ioredis's own `evalsha`.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectRedis, type RedisClient } from '../src/redis-client.js';
import { captureLog } from './support/log-capture.js';
import { TEST_REDIS } from './support/services.js';

const ECHO = "return { KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[2]) + 1, #KEYS, #ARGV }";
const SHA = createHash('sha1').update(ECHO).digest('hex');

describe("the gateway's Redis client's evalsha", () => {
  let client: RedisClient;
  beforeEach(async () => {
    client = await connectRedis({ url: `redis://${TEST_REDIS.host}:${TEST_REDIS.port}`, cluster_nodes: [], key_prefix: 'x:' } as Parameters<typeof connectRedis>[0], captureLog().log);
    await client.script('LOAD', ECHO);
  });
  afterEach(() => client.disconnect());

  it('sends keys and arguments as given, numbers as strings, and answers in strings', async () => {
    const args = [SHA, 1, 'test:{evalsha}:k', 'é', 41];
    expect(await client.evalsha(...(args as [string, number, string, string, number]))).toEqual(['test:{evalsha}:k', 'é', '41', 42, 1, 2]);
  });

  it('still takes a callback, and reports an unknown script as ioredis does', async () => {
    const reply = await new Promise((resolve, reject) => void client.evalsha(SHA, 1, 'k', 'a', 1, (err: unknown, r: unknown) => (err ? reject(err) : resolve(r))));
    expect(reply).toEqual(['k', 'a', '1', 2, 1, 2]);
    await expect(client.evalsha('0'.repeat(40), 0)).rejects.toThrow(/^NOSCRIPT/);
  });
});

/**
 * While Redis cannot be reached, ioredis refuses each command with "Stream isn't writeable and
 * enableOfflineQueue options is false", which says only that there is no connection. Every line
 * that reports such a refusal (the request path's outage line and its summary, the admin API's
 * `dependency unavailable`, the background jobs') names why: the last failed connection attempt
 * (`connect ECONNREFUSED 127.0.0.1:<port>`), carried as the refusal's cause.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { connectRedis, type RedisClient } from '../../src/redis-client.js';
import { OutageLog } from '../../src/outage-log.js';
import { errorText } from '../../src/logger.js';
import { captureLog } from '../support/log-capture.js';
import { freePort, startOwnRedis, type OwnRedis } from '../support/redis-server.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { until } from '../support/wait.js';

const REFUSAL = "Stream isn't writeable and enableOfflineQueue options is false";

describe('a command refused for want of a connection', () => {
  let client: RedisClient | undefined;
  let port: number;
  beforeAll(async () => {
    port = await freePort(); // nothing listens there
    client = await connectRedis({ url: `redis://127.0.0.1:${port}`, cluster_nodes: [], key_prefix: 'x:' } as Parameters<typeof connectRedis>[0], captureLog().log);
  });
  afterAll(() => client?.disconnect());

  it('carries the last connection failure as its cause, whichever way it was sent', async () => {
    const refused = [
      await client!.get('k').catch((e: unknown) => e),
      await client!.evalsha('0'.repeat(40), 0).catch((e: unknown) => e),
      ((await client!.pipeline().get('k').exec()) ?? [])[0]?.[0],
    ];
    for (const e of refused) {
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toBe(REFUSAL);
      expect((e as Error).cause).toMatchObject({ message: `connect ECONNREFUSED 127.0.0.1:${port}`, code: 'ECONNREFUSED' });
      expect(errorText(e)).toBe(`${REFUSAL}: connect ECONNREFUSED 127.0.0.1:${port}`);
    }
  });

  it('the outage line and its summary name the cause', async () => {
    const clock = new FakeClock();
    const { lines, log } = captureLog();
    const outage = new OutageLog(log, 'redis (rate limits and spend counters)', clock, 60_000);
    const call = () => outage.guard(() => client!.get('k')).catch((e: unknown) => e);
    expect(await call()).toMatchObject({ status: 503 });
    await clock.advance(60_000);
    await call();
    expect(lines.map((l) => l.msg)).toEqual(['redis (rate limits and spend counters) unavailable: requests that need it get 503 until it is back', 'redis (rate limits and spend counters) still unavailable']);
    expect((lines[0]!.err as { message: string }).message).toBe(`${REFUSAL}: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(lines[1]!.err).toBe(`${REFUSAL}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe('a command refused after the server went away', () => {
  it('names the closed connection until a reconnect attempt fails, then that failure', async () => {
    const redis = await startOwnRedis();
    const client = await connectRedis({ url: redis.url, cluster_nodes: [], key_prefix: 'x:' } as Parameters<typeof connectRedis>[0], captureLog().log);
    try {
      expect(await client.ping()).toBe('PONG');
      // Sent when the client learns the connection is gone, before its first attempt to reconnect.
      const early = new Promise<unknown>((resolve) => client.once('reconnecting', () => resolve(client.get('k').catch((e: unknown) => e))));
      const failedAttempt = new Promise<void>((resolve) => client.once('error', () => resolve()));
      await redis.stop();
      expect(errorText(await early)).toBe(`${REFUSAL}: the connection to Redis at 127.0.0.1:${redis.port} was closed`);
      await failedAttempt;
      expect(errorText(await client.get('k').catch((e: unknown) => e))).toBe(`${REFUSAL}: connect ECONNREFUSED 127.0.0.1:${redis.port}`);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});

describe('a gateway whose Redis stopped', () => {
  let redis: OwnRedis;
  let gw: TestGateway;
  let orgAdminKey: string;
  beforeAll(async () => {
    redis = await startOwnRedis();
    gw = await startTestGateway({ redis: { url: redis.url, key_prefix: `refusal:${randomUUID()}:` }, default_tier: 'free' });
    orgAdminKey = (await gw.newTenant('admin-org', { adminKey: true })).adminKey!;
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('every line that reports a refused command names the refused connection', async () => {
    await redis.stop();
    // Once an attempt to reconnect has failed (the line before the outage's).
    await until(() => gw.logs().includes('redis connection lost'), 'the lost connection to be logged', { intervalMs: 20 });
    const chat = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
    });
    expect(chat.status).toBe(503);
    // The 503 names the store, never the error's text.
    const body = (await chat.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('store_unavailable');
    expect(body.error.message).not.toMatch(/ECONNREFUSED|enableOfflineQueue/);
    // The Administration API's limits with what is left of them read the counters (a route without an outage policy of its own).
    const limits = await fetch(`${gw.baseURL}/organization/rate_limits`, { headers: { authorization: `Bearer ${orgAdminKey}` } });
    expect(limits.status).toBe(503);

    // A well-formed key that matches none (a guess) is counted in Redis's failed-authentication
    // buckets, which fall back to this instance's. (A malformed key is refused by its shape alone.)
    const wrongKey = await fetch(`${gw.baseURL}/models`, { headers: { authorization: `Bearer sk-proj-${'x'.repeat(43)}` } });
    expect(wrongKey.status).toBe(401);

    const lines = gw
      .logs()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; err?: unknown });
    const text = (err: unknown) => (typeof err === 'string' ? err : (err as { message?: string } | undefined)?.message ?? '');
    const refused = `${REFUSAL}: connect ECONNREFUSED 127.0.0.1:${redis.port}`;
    const line = (msg: string) => lines.find((l) => l.msg === msg);
    expect(text(line('redis (rate limits and spend counters) unavailable: requests that need it get 503 until it is back')?.err)).toBe(refused);
    expect(text(line('dependency unavailable')?.err)).toBe(refused);
    expect(text(line('redis unavailable: failed authentications are limited per instance until it is back')?.err)).toBe(refused);
    // Any other (a background job's, in the moment before the first attempt to reconnect) names a cause too.
    for (const l of lines.filter((x) => text(x.err).includes(REFUSAL))) expect([refused, `${REFUSAL}: the connection to Redis at 127.0.0.1:${redis.port} was closed`]).toContain(text(l.err));
  });
});

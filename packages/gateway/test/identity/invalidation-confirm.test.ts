/**
 * An invalidation binds on every instance before the admin call that published it returns:
 * `InvalidationBus.publish` resolves only once every other subscribed instance has APPLIED the
 * event (it confirms after applying), not when Redis has merely taken the message. Instances
 * whose replies from Redis come late (a slow link, or an event loop that reads late) are the ones
 * a publish that returned at PUBLISH's reply would leave stale. An instance that never confirms
 * costs the publisher the confirmation timeout and one reported error, never a throw or a hung
 * shutdown.
 */
import { Cluster, Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidationBus, type Invalidation } from '../../src/identity/invalidation.js';
import { startRedisCluster } from '../support/redis-cluster.js';
import { redisPrefix, TEST_REDIS, TEST_REDIS_URL } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';

interface Instance {
  bus: InvalidationBus;
  applied: Invalidation[];
  errors: unknown[];
  client: Redis | Cluster;
}

let channel: string;
let started: Instance[];
let proxies: TcpProxy[];

beforeEach(() => {
  channel = `${redisPrefix()}identity-invalidate`;
  started = [];
  proxies = [];
});
afterEach(async () => {
  for (const p of proxies) p.cut();
  for (const i of started) {
    await i.bus.close();
    i.client.disconnect();
  }
  for (const p of proxies) await p.close();
});

/** An instance's bus on its own connection: straight to Redis, or through `proxy`. */
async function instance(proxy?: TcpProxy, confirmTimeoutMs?: number): Promise<Instance> {
  const client = proxy ? new Redis({ host: '127.0.0.1', port: proxy.port, maxRetriesPerRequest: 1, retryStrategy: () => 20 }) : new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  return busOn(client, confirmTimeoutMs);
}

async function busOn(client: Redis | Cluster, confirmTimeoutMs?: number): Promise<Instance> {
  const applied: Invalidation[] = [];
  const errors: unknown[] = [];
  const bus = new InvalidationBus(client, channel, (e) => applied.push(e), (e) => errors.push(e), confirmTimeoutMs === undefined ? {} : { confirmTimeoutMs });
  const i = { bus, applied, errors, client };
  started.push(i);
  await bus.ready();
  return i;
}

async function proxy(port = TEST_REDIS.port): Promise<TcpProxy> {
  const p = new TcpProxy(port, TEST_REDIS.host);
  await p.listen();
  proxies.push(p);
  return p;
}

describe('a published invalidation is applied everywhere when publish returns', () => {
  it('on every other instance, the slow ones included, each once, and acknowledgements are never applied', async () => {
    // Generous: a loaded machine must not turn the delays below into a timeout.
    const slow = [await proxy(), await proxy()];
    const a = await instance(undefined, 30_000);
    const b = await instance(slow[0], 30_000);
    const c = await instance(slow[1], 30_000);
    const d = await instance(undefined, 30_000);
    // From now on B and C read everything from Redis, the event included, 300 and 150 ms late.
    slow[0]!.delayReplies(300);
    slow[1]!.delayReplies(150);

    const first: Invalidation = { kind: 'key', keyId: 'key_revoked' };
    await a.bus.publish(first);
    expect(b.applied).toEqual([first]);
    expect(c.applied).toEqual([first]);
    expect(d.applied).toEqual([first]);
    expect(a.applied).toEqual([]); // the publisher applies its own change before publishing

    // Published by a slow instance: the others have applied it too when it returns.
    const second: Invalidation = { kind: 'org', orgId: 'org_limits', projectId: 'proj_new' };
    await b.bus.publish(second);
    expect(a.applied).toEqual([second]);
    expect(c.applied).toEqual([first, second]);
    expect(d.applied).toEqual([first, second]);
    expect(b.applied).toEqual([first]);

    for (const i of [a, b, c, d]) expect(i.errors).toEqual([]);
    expect([a, b, c, d].map((i) => i.bus.received)).toEqual([1, 1, 2, 2]);
  });

  it('an event from an instance that asks no confirmation (an older version) is applied all the same', async () => {
    const a = await instance();
    const old = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      expect(await old.publish(channel, JSON.stringify({ origin: 'old-instance', event: { kind: 'all' } }))).toBe(1);
      await expect.poll(() => a.applied).toEqual([{ kind: 'all' }]);
    } finally {
      old.disconnect();
    }
  });
});

describe('on a Redis Cluster', () => {
  it('waits for the instances subscribed through every node (PUBLISH counts only its own node)', async () => {
    const redis = await startRedisCluster(3);
    try {
      const ports = redis.nodes.map((n) => Number(new URL(n).port));
      const startup = ports.map((port) => ({ host: '127.0.0.1', port }));
      // Slow instances reach every node through a proxy of its own that delivers replies late;
      // natMap sends the cluster client (and its subscriber) there whichever node it picks.
      const slowCluster = async (ms: number) => {
        const natMap: Record<string, { host: string; port: number }> = {};
        for (const port of ports) {
          const p = await proxy(port);
          slowDown.push(() => p.delayReplies(ms));
          natMap[`127.0.0.1:${port}`] = { host: '127.0.0.1', port: p.port };
        }
        return new Cluster(startup, { natMap, redisOptions: { commandTimeout: 30_000 } });
      };
      const slowDown: (() => void)[] = [];
      const fast = () => new Cluster(startup, { redisOptions: { commandTimeout: 30_000 } });
      const all = [await busOn(fast(), 30_000), await busOn(await slowCluster(300), 30_000), await busOn(await slowCluster(150), 30_000), await busOn(fast(), 30_000)];
      // Once subscribed, the slow instances read everything from Redis late.
      for (const slow of slowDown) slow();
      const events: Invalidation[] = all.map((_, n) => ({ kind: 'key', keyId: `key_${n}` }));
      for (const [n, i] of all.entries()) {
        await i.bus.publish(events[n]!);
        for (const [m, other] of all.entries()) expect(other.applied).toEqual(events.slice(0, n + 1).filter((_, k) => k !== m));
      }
      for (const i of all) expect(i.errors).toEqual([]);
    } finally {
      for (const i of started.splice(0)) {
        await i.bus.close();
        i.client.disconnect();
      }
      await redis.stop();
    }
  }, 60_000);
});

describe('an instance that never confirms', () => {
  it('costs the publisher the timeout and one reported error; the others have applied the event', async () => {
    const stalled = await proxy();
    const a = await instance();
    const b = await instance(stalled);
    const c = await instance();
    // B's connections stay open (Redis counts its subscriber) but nothing reaches it any more.
    stalled.stall();

    await a.bus.publish({ kind: 'key', keyId: 'key_revoked' });
    expect(c.applied).toEqual([{ kind: 'key', keyId: 'key_revoked' }]);
    expect(b.applied).toEqual([]);
    expect(a.errors).toHaveLength(1);
    expect(String((a.errors[0] as Error).message)).toBe('identity invalidation: 1 of 3 subscribers did not confirm within 1000 ms');
  });

  it('does not hold shutdown: closing the publisher ends a publish still waiting', async () => {
    const stalled = await proxy();
    // A timeout far beyond the test's own: only close() can end the wait.
    const a = await instance(undefined, 3_600_000);
    await instance(stalled);
    stalled.stall();

    const waiting = a.bus.publish({ kind: 'all' });
    // Answered after the PUBLISH sent before it on the same connection: the publish now waits for B.
    await a.client.ping();
    await a.bus.close();
    await waiting;
    expect(a.errors).toEqual([]);
    // Closed: further publishes return at once and tell nobody.
    await a.bus.publish({ kind: 'all' });
  });
});

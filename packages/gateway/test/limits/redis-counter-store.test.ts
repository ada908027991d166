import { fork } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { RedisCounterStore, systemClock, type RedisClient } from 'tollgate';
import { RESERVE_LUA, SETTLE_LUA, SPEND_GRACE_MS, bucketScale, encodeReserve, encodeSettle, type ReserveRequest } from '../../src/limits/index.js';
import { describeCounterStoreContract } from './counter-store-contract.js';
import { scanTargets } from '../../src/redis-client.js';
import { SettlementQueue } from '../../src/limits/settlements.js';
import { startRedisCluster, type OwnRedisCluster } from '../support/redis-cluster.js';
import { freePort, launch } from '../support/redis-server.js';
import { track } from '../support/children.js';
import { TEST_REDIS, TEST_REDIS_URL } from '../support/services.js';
import { until } from '../support/wait.js';

const REDIS = TEST_REDIS;
const REDIS_URL = TEST_REDIS_URL;
const WORKER = fileURLToPath(new URL('./fixtures/reserve-worker.mjs', import.meta.url));
const DAY = 86_400_000;

const newPrefix = () => `test:limits:${randomUUID()}:`;

/** Every key under the prefix with its content and absolute expiry, sorted: the whole state (every master of a cluster). */
async function dump(redis: RedisClient, prefix: string): Promise<Record<string, unknown>> {
  const keys: string[] = [];
  for (const node of scanTargets(redis)) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  const out: Record<string, unknown> = {};
  for (const k of keys.sort()) {
    const type = await redis.type(k);
    const value = type === 'hash' ? await redis.hgetall(k) : type === 'zset' ? await redis.zrange(k, 0, -1, 'WITHSCORES') : `<${type}>`;
    out[k] = { value, expireAt: await redis.call('PEXPIRETIME', k) };
  }
  return out;
}

async function wipe(redis: RedisClient, prefix: string): Promise<void> {
  // One DEL per key: on a cluster the keys of different organizations live in different slots.
  for (const k of Object.keys(await dump(redis, prefix))) await redis.del(k);
}

// The same contract on one Redis server and on a 3-master Redis Cluster: every script's keys
// share the organization's hash tag, so each call runs in one slot (a cluster refuses a script
// whose keys span slots with CROSSSLOT, and ioredis refuses to send one).
// One cluster for the file: the fixture opens its clients at once, so the start is shared as a
// promise (a plain variable set after the await let each client start a cluster of its own, and
// the peers of the first test then saw other clusters than the store).
// Started in whichever test needs it first, kept for the file's later tests.
let cluster: Promise<OwnRedisCluster> | undefined;
afterAll(async () => {
  await (await cluster)?.stop();
});
const connect: Record<string, () => Promise<RedisClient>> = {
  redis: async () => new Redis({ ...REDIS, commandTimeout: 5_000 }),
  'redis cluster': async () => {
    cluster ??= startRedisCluster(3, { until: 'file' });
    const c = new Cluster((await cluster).nodes.map((n) => ({ host: '127.0.0.1', port: Number(new URL(n).port) })), { redisOptions: { commandTimeout: 5_000 } });
    await new Promise<void>((resolve, reject) => c.once('ready', resolve).once('error', reject));
    return c;
  },
};

for (const [name, open] of Object.entries(connect)) {
  describeCounterStoreContract({
    name,
    async setup() {
      const prefix = newPrefix();
      const clients = await Promise.all(Array.from({ length: 4 }, open));
      const [main, ...others] = clients as [RedisClient, ...RedisClient[]];
      const store = new RedisCounterStore(main, { prefix });
      const peers = others.map((c) => new RedisCounterStore(c, { prefix }));
      return {
        store,
        peers,
        // Real time: Redis reads its own clock. +2 ms covers ms rounding between Date and TIME.
        pass: (ms) => sleep(ms + 2),
        now: () => Date.now(),
        slack: 2,
        snapshot: () => dump(main, prefix),
        async teardown() {
          await wipe(main, prefix);
          for (const s of [store, ...peers]) await s.close();
          await Promise.all(clients.map((c) => c.quit()));
        },
      };
    },
  });
}

describe('RedisCounterStore specifics', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  const setup = () => {
    const prefix = newPrefix();
    const redis = new Redis({ ...REDIS, commandTimeout: 5_000 });
    const store = new RedisCounterStore(redis, { prefix });
    cleanups.push(() => redis.quit(), () => wipe(redis, prefix));
    return { prefix, redis, store };
  };

  it('a reserve call carries limit, window and cost per bucket, and its reply repeats none of them', async () => {
    const { prefix, redis } = setup();
    const buckets = [
      { key: 'org:m:rpm', limit: 1_000, windowMs: 60_000, cost: 1 },
      { key: 'org:m:tpd', limit: 10 ** 9, windowMs: DAY, cost: 40 },
    ];
    const spend = { key: '2026-01', hardLimit: 10n ** 15n, amount: 10n, periodEndMs: Date.now() + DAY };
    const call = encodeReserve(prefix, { reservationId: 'r1', tag: 'org_1', leaseMs: 60_000, buckets, spend });
    // The scale of each bucket (bucketScale) is the script's to compute, not the caller's to send.
    expect(call.args.slice(-6)).toEqual(['1000', '60000', '1', String(10 ** 9), String(DAY), '40']);
    expect(call.args).toHaveLength(9 + 3 * buckets.length);
    const reply = (await redis.eval(RESERVE_LUA, call.keys.length, ...call.keys, ...call.args)) as unknown[];
    // admitted, (remaining, resetMs) per bucket, the two spend states (3 each), no failures.
    expect(reply.slice(0, 5)).toEqual([1, 999, 60, 10 ** 9 - 40, Math.ceil((40 * DAY) / 10 ** 9)]);
    expect(reply).toHaveLength(1 + 2 * buckets.length + 6 + 1);
  });

  it('puts every key of a call under the prefix and the {tag} hash tag, with TTLs', async () => {
    const { prefix, redis, store } = setup();
    const periodEndMs = Date.now() + DAY;
    const t0 = Date.now();
    await store.reserve({
      reservationId: 'r1',
      tag: 'org_42',
      leaseMs: 60_000,
      buckets: [{ key: 'org:gpt-4o:rpm', limit: 10, windowMs: 60_000, cost: 3 }],
      spend: { key: '2026-01', hardLimit: null, amount: 10n, periodEndMs },
    });
    const state = await dump(redis, prefix);
    const base = `${prefix}{org_42}:`;
    expect(Object.keys(state).sort()).toEqual([`${base}b:org:gpt-4o:rpm`, `${base}leases`, `${base}p:2026-01`, `${base}res`]);
    // A bucket key lives exactly until the bucket is full again (3 tokens at 1 per 6 s).
    const pttl = await redis.pttl(`${base}b:org:gpt-4o:rpm`);
    expect(pttl).toBeLessThanOrEqual(18_000);
    expect(pttl).toBeGreaterThanOrEqual(18_000 - (Date.now() - t0) - 2);
    expect(await redis.call('PEXPIRETIME', `${base}p:2026-01`)).toBe(periodEndMs + SPEND_GRACE_MS);
    // The records outlive the spend key, so a sweep can still charge an expired lease.
    expect(Number(await redis.call('PEXPIRETIME', `${base}res`))).toBeGreaterThanOrEqual(periodEndMs + SPEND_GRACE_MS);
    expect(Number(await redis.call('PEXPIRETIME', `${base}leases`))).toBeGreaterThanOrEqual(periodEndMs + SPEND_GRACE_MS);
  });

  it('a bucket written before its scale was kept with the level (l, t, q) reads as before, and is rewritten with it', async () => {
    const { prefix, redis, store } = setup();
    const s = bucketScale(10, DAY);
    const key = `${prefix}{t}:b:b`;
    await redis.hset(key, { l: String(s.capacity - 3 * s.q), t: String(Date.now()), q: String(s.q) });
    await redis.pexpire(key, DAY);
    const b = { key: 'b', limit: 10, windowMs: DAY };
    expect((await store.peek('t', [b]))[0]!.remaining).toBe(7);
    expect((await store.reserve({ reservationId: 'r1', tag: 't', leaseMs: 60_000, buckets: [{ ...b, cost: 1 }] })).buckets[0]!.remaining).toBe(6);
    expect(await redis.hmget(key, 'q', 'r', 'c')).toEqual([String(s.q), String(s.rate), String(s.capacity)]);
    // Now kept with its scale: a raised limit keeps the 4 used.
    expect((await store.peek('t', [{ ...b, limit: 1_000 }]))[0]!.remaining).toBe(996);
  });

  it('idle bucket keys expire on their own once full', async () => {
    const { prefix, redis, store } = setup();
    await store.reserve({ reservationId: 'r1', tag: 't', leaseMs: 60_000, buckets: [{ key: 'b', limit: 5, windowMs: 50, cost: 5 }] });
    expect(await redis.exists(`${prefix}{t}:b:b`)).toBe(1);
    await sleep(60);
    expect(await redis.exists(`${prefix}{t}:b:b`)).toBe(0);
  });

  it('decides on Redis time: a skewed instance clock changes nothing', async () => {
    const { store } = setup();
    const req = (id: string): ReserveRequest => ({ reservationId: id, tag: 't', leaseMs: 60_000, buckets: [{ key: 'b', limit: 2, windowMs: DAY, cost: 1 }], spend: { key: 'p', hardLimit: null, amount: 1n, periodEndMs: Date.now() + DAY } });
    await store.reserve(req('a'));
    const skew = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 3_600_000);
    try {
      await store.reserve(req('b')); // would sweep 'a' if the lease were judged by this clock
      const o = await store.reserve(req('c'));
      expect(o.admitted).toBe(false);
      if (!o.admitted) expect(o.failures[0]!.retryAfterMs).toBeLessThanOrEqual(DAY / 2);
    } finally {
      skew.mockRestore();
    }
    expect(await store.spendOf('t', 'p')).toEqual({ spent: 0n, reserved: 2n });
  });

  it('3 processes firing 600 reserves at one bucket of 100 admit exactly 100', async () => {
    const { prefix, store } = setup();
    const workers = Array.from({ length: 3 }, (_, w) => {
      const calls = Array.from({ length: 200 }, (_, i) =>
        encodeReserve(prefix, { reservationId: `w${w}-${i}`, tag: 'org_p', leaseMs: 60_000, buckets: [{ key: 'rpd', limit: 100, windowMs: DAY, cost: 1 }] }),
      );
      const child = track(fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
      cleanups.push(async () => child.kill());
      const messages: { type: string; admitted?: number; message?: string }[] = [];
      const next = () =>
        new Promise<{ type: string; admitted?: number; message?: string }>((resolve, reject) => {
          const queued = messages.shift();
          if (queued) return resolve(queued);
          child.once('message', (m) => resolve(m as { type: string }));
          child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
        });
      child.send({ redisUrl: REDIS_URL, lua: RESERVE_LUA, calls });
      return { child, next };
    });
    for (const w of workers) expect((await w.next()).type).toBe('ready');
    const done = workers.map((w) => w.next());
    for (const w of workers) w.child.send({ type: 'go' });
    const results = await Promise.all(done);
    for (const r of results) expect(r.type, r.message).toBe('done');
    expect(results.reduce((sum, r) => sum + r.admitted!, 0)).toBe(100);
    const peek = await store.reserve({ reservationId: 'peek', tag: 'org_p', leaseMs: 60_000, buckets: [{ key: 'rpd', limit: 100, windowMs: DAY, cost: 0 }] });
    expect(peek.buckets[0]!.remaining).toBe(0);
  });

  it('rejects within the timeout when Redis is unreachable', async () => {
    const dead = new Redis({ host: '127.0.0.1', port: 1, commandTimeout: 100, maxRetriesPerRequest: null, retryStrategy: () => 20, lazyConnect: true });
    dead.on('error', () => undefined);
    cleanups.push(async () => dead.disconnect());
    const store = new RedisCounterStore(dead, { prefix: newPrefix() });
    expect(store.timeoutMs).toBe(100);
    await expect(store.reserve({ reservationId: 'r', tag: 't', leaseMs: 1_000, buckets: [{ key: 'b', limit: 1, windowMs: 1_000, cost: 1 }] })).rejects.toThrow();
    await expect(store.settle({ reservationId: 'r', tag: 't' })).rejects.toThrow();
    await expect(store.spendOf('t', 'p')).rejects.toThrow();
  });

  it('cancels a reserve that timed out at the client but still ran on the server', async () => {
    const { prefix, redis } = setup();
    // Make sure EVALSHA finds both scripts, so the delayed reserve really runs.
    await redis.script('LOAD', RESERVE_LUA);
    await redis.script('LOAD', SETTLE_LUA);
    const proxy = await delayingProxy(150);
    cleanups.push(() => proxy.close());
    const slow = new Redis({ host: '127.0.0.1', port: proxy.port, lazyConnect: true });
    cleanups.push(async () => slow.disconnect());
    await slow.connect();
    const store = new RedisCounterStore(slow, { prefix, timeoutMs: 40 });

    await expect(
      store.reserve({ reservationId: 'late', tag: 't', leaseMs: 60_000, buckets: [{ key: 'b', limit: 10, windowMs: DAY, cost: 5 }], spend: { key: 'p', hardLimit: 100n, amount: 7n, periodEndMs: Date.now() + DAY } }),
    ).rejects.toThrow(/did not answer/);
    await store.close(); // waits for the compensating settle (which also times out at the client)

    // The server ran the reserve and then the cancel: spend exists with nothing reserved or spent,
    // the bucket is full again (no key), and no reservation is left.
    const spendKey = `${prefix}{t}:p:p`;
    await until(async () => (await redis.hexists(spendKey, 's')) === 1, 'the spend counter', { intervalMs: 20 });
    expect(await redis.hgetall(spendKey)).toEqual({ s: '0', r: '0' });
    expect(await redis.exists(`${prefix}{t}:b:b`, `${prefix}{t}:res`, `${prefix}{t}:leases`)).toBe(0);
  });
});

/** A TCP proxy to Redis that holds every client→server chunk for `delayMs` (order kept). */
async function delayingProxy(delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(REDIS);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => setTimeout(() => upstream.writable && upstream.write(chunk), delayMs));
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no proxy port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('key layout on a Redis Cluster', () => {
  it('every script call of an organization names keys of one slot, and 1,000 organizations spread over all 3 masters', async () => {
    cluster ??= startRedisCluster(3, { until: 'file' });
    const c = new Cluster((await cluster).nodes.map((n) => ({ host: '127.0.0.1', port: Number(new URL(n).port) })), { redisOptions: { commandTimeout: 5_000 } });
    const prefix = newPrefix();
    const store = new RedisCounterStore(c, { prefix });
    try {
      const slotOf = async (key: string) => Number(await c.call('CLUSTER', 'KEYSLOT', key));
      const periodEndMs = Date.now() + DAY;
      const spend = { key: '2026-01', hardLimit: 10n ** 15n, amount: 10n, periodEndMs };
      const buckets = [
        { key: 'org:sim-small:rpm', limit: 1000, windowMs: 60_000, cost: 1 },
        { key: 'org:sim-small:tpd', limit: 10 ** 9, windowMs: DAY, cost: 40 },
      ];
      const calls = [
        encodeReserve(prefix, { reservationId: 'r1', tag: 'org_1', leaseMs: 60_000, buckets, spend }),
        encodeSettle(prefix, { reservationId: 'r1', tag: 'org_1', bucketCosts: [1, 30], spendAmount: 7n }),
      ];
      for (const call of calls) {
        const slots = new Set(await Promise.all(call.keys.map(slotOf)));
        expect(call.keys.length).toBeGreaterThan(1);
        expect(slots.size).toBe(1);
      }
      // Through the store: each call succeeds only if the cluster ran its script in one slot.
      for (let i = 0; i < 1000; i++) {
        const o = await store.reserve({ reservationId: `r${i}`, tag: `org_${i}`, leaseMs: 60_000, buckets, spend });
        expect(o.admitted).toBe(true);
        expect(await store.settle({ reservationId: `r${i}`, tag: `org_${i}`, bucketCosts: [1, 30], spendAmount: 7n })).toBe(true);
      }
      // One spend key per organization (it outlives the settle); count them on each master.
      const perMaster = await Promise.all(scanTargets(c).map(async (node) => (await node.keys(`${prefix}{org_*}:p:2026-01`)).length));
      expect(perMaster).toHaveLength(3);
      for (const n of perMaster) expect(n).toBeGreaterThan(0);
      expect(perMaster.reduce((a, b) => a + b, 0)).toBe(1000);
      await wipe(c, prefix);
    } finally {
      await store.close();
      c.disconnect();
    }
  });
});

describe('settlements batched per tag and event-loop turn', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  const SETTLE_SHA = createHash('sha1').update(SETTLE_LUA).digest('hex');
  /** The settle script calls a client made, as [tag of the call's keys, settlements in it]. */
  const settleCalls = (client: RedisClient) => {
    const calls: [string, number][] = [];
    const evalsha = client.evalsha.bind(client) as (...a: unknown[]) => Promise<unknown>;
    vi.spyOn(client, 'evalsha').mockImplementation(((...a: unknown[]) => {
      if (a[0] === SETTLE_SHA) calls.push([/\{([^}]*)\}/.exec(String(a[2]))![1]!, Number(a[4])]);
      return evalsha(...a);
    }) as never);
    return calls;
  };
  const setup = () => {
    const prefix = newPrefix();
    const redis = new Redis({ ...REDIS, commandTimeout: 5_000 });
    const store = new RedisCounterStore(redis, { prefix });
    cleanups.push(() => redis.quit(), () => wipe(redis, prefix), () => store.close());
    return { prefix, redis, store, calls: settleCalls(redis) };
  };
  const YEAR = 365 * DAY;
  const periodEndMs = Date.now() + 30 * DAY;
  // 100,000 tokens a year refill one token per 315 s: within a test the remaining count is exact.
  const reserveReq = (id: string, tag: string, cost = 200, amount = 1_000_000_000_000n): ReserveRequest => ({
    reservationId: id,
    tag,
    leaseMs: 600_000,
    buckets: [{ key: 'tpy', limit: 100_000, windowMs: YEAR, cost }],
    spend: { key: 'm', hardLimit: null, amount, periodEndMs },
    projectSpend: { key: 'proj:m', hardLimit: null },
  });
  const remaining = async (store: RedisCounterStore, tag: string) => (await store.peek(tag, [{ key: 'tpy', limit: 100_000, windowMs: YEAR }]))[0]!.remaining;
  const leasesLeft = async (redis: RedisClient, prefix: string, tag: string) => (await redis.zcard(`${prefix}{${tag}}:leases`)) + (await redis.hlen(`${prefix}{${tag}}:res`));

  it('settles many settlements of one tag in one turn with one script call, each with its own result', async () => {
    const { prefix, redis, store, calls } = setup();
    const ids = Array.from({ length: 50 }, (_, i) => `r${i}`);
    for (const id of ids) expect((await store.reserve(reserveReq(id, 'org_a'))).admitted).toBe(true);
    expect(calls).toEqual([]);
    const costs = ids.map((_, i) => i * 7);
    const amounts = ids.map((_, i) => BigInt(i) * 123_456_789_013n + 1n);
    const results = await Promise.all([
      ...ids.map((id, i) => store.settle({ reservationId: id, tag: 'org_a', bucketCosts: [costs[i]!], spendAmount: amounts[i]! })),
      store.settle({ reservationId: 'never-reserved', tag: 'org_a' }),
    ]);
    expect(results).toEqual([...ids.map(() => true), false]);
    expect(calls).toEqual([['org_a', 51]]);
    const spent = amounts.reduce((a, b) => a + b, 0n);
    expect(await store.spendOf('org_a', 'm')).toEqual({ spent, reserved: 0n });
    expect(await store.spendOf('org_a', 'proj:m')).toEqual({ spent, reserved: 0n });
    expect(await remaining(store, 'org_a')).toBe(100_000 - costs.reduce((a, b) => a + b, 0));
    expect(await leasesLeft(redis, prefix, 'org_a')).toBe(0);
  });

  it('sends one call per tag, and a new call past 200 settlements of a tag', async () => {
    const { store, calls } = setup();
    const perTag: Record<string, number> = { org_a: 450, org_b: 3, org_c: 1 };
    const all = Object.entries(perTag).flatMap(([tag, n]) => Array.from({ length: n }, (_, i) => ({ tag, id: `${tag}-${i}` })));
    await Promise.all(all.map((x) => store.reserve(reserveReq(x.id, x.tag, 1, 1n))));
    // Interleaved, in one turn.
    const order = [...all].sort((a, b) => Number(a.id.split('-')[1]) - Number(b.id.split('-')[1]));
    const results = await Promise.all(order.map((x) => store.settle({ reservationId: x.id, tag: x.tag, bucketCosts: [0], spendAmount: 0n })));
    expect(results.every((r) => r === true)).toBe(true);
    expect(calls.sort()).toEqual([
      ['org_a', 200],
      ['org_a', 200],
      ['org_a', 50],
      ['org_b', 3],
      ['org_c', 1],
    ]);
    for (const tag of Object.keys(perTag)) {
      expect(await store.spendOf(tag, 'm')).toEqual({ spent: 0n, reserved: 0n });
      expect(await remaining(store, tag)).toBe(100_000);
    }
  });

  it('a settlement repeated in one call settles once: the second gets false', async () => {
    const { store, calls } = setup();
    await store.reserve(reserveReq('dup', 'org_a'));
    const s = { reservationId: 'dup', tag: 'org_a', bucketCosts: [10], spendAmount: 5n };
    expect(await Promise.all([store.settle(s), store.settle({ ...s, bucketCosts: [0], spendAmount: 0n })])).toEqual([true, false]);
    expect(calls).toEqual([['org_a', 2]]);
    expect(await store.spendOf('org_a', 'm')).toEqual({ spent: 5n, reserved: 0n });
    expect(await remaining(store, 'org_a')).toBe(100_000 - 10);
  });

  it('a settlement that fails in the script fails alone; the others of its call land', async () => {
    const { prefix, redis, store, calls } = setup();
    await store.reserve(reserveReq('good1', 'org_a'));
    await store.reserve(reserveReq('good2', 'org_a'));
    await redis.hset(`${prefix}{org_a}:res`, 'broken', 'not json');
    const outcomes = await Promise.allSettled(['good1', 'broken', 'good2'].map((id) => store.settle({ reservationId: id, tag: 'org_a', bucketCosts: [1], spendAmount: 2n })));
    expect(calls).toEqual([['org_a', 3]]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: true });
    expect(outcomes[1]!.status).toBe('rejected');
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/ReplyError/);
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: true });
    expect(await store.spendOf('org_a', 'm')).toEqual({ spent: 4n, reserved: 0n });
  });

  it('hundreds of concurrent reserve + settle pairs leave exactly the sums of the actual costs', async () => {
    const { prefix, redis, store, calls } = setup();
    const tags = ['org_a', 'org_b', 'org_c'];
    // Deterministic pseudo-random costs (a linear congruential generator).
    let seed = 12345;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const pairs = Array.from({ length: 600 }, (_, i) => {
      const asReserved = i % 10 === 0;
      return {
        id: `p${i}`,
        tag: tags[i % 3]!,
        cost: 200,
        amount: 1_000_000_000_000n + BigInt(rand(1_000_000)),
        actualCost: asReserved ? undefined : rand(300),
        actualAmount: asReserved ? undefined : BigInt(rand(2_000_000)) * 1_000_003n + BigInt(rand(1000)),
      };
    });
    await Promise.all(
      pairs.map(async (p) => {
        expect((await store.reserve(reserveReq(p.id, p.tag, p.cost, p.amount))).admitted).toBe(true);
        const settled = await store.settle({ reservationId: p.id, tag: p.tag, ...(p.actualCost !== undefined && { bucketCosts: [p.actualCost] }), ...(p.actualAmount !== undefined && { spendAmount: p.actualAmount }) });
        expect(settled).toBe(true);
      }),
    );
    for (const tag of tags) {
      const mine = pairs.filter((p) => p.tag === tag);
      const spent = mine.reduce((a, p) => a + (p.actualAmount ?? p.amount), 0n);
      const tokens = mine.reduce((a, p) => a + (p.actualCost ?? p.cost), 0);
      expect(await store.spendOf(tag, 'm')).toEqual({ spent, reserved: 0n });
      expect(await store.spendOf(tag, 'proj:m')).toEqual({ spent, reserved: 0n });
      expect(await remaining(store, tag)).toBe(100_000 - tokens);
      expect(await leasesLeft(redis, prefix, tag)).toBe(0);
    }
    // Every settlement went in some call, each call of one tag.
    expect(calls.reduce((a, [, n]) => a + n, 0)).toBe(600);
    expect(calls.length).toBeLessThanOrEqual(600);
  });

  it('on a Redis Cluster the call of each tag runs in its slot', async () => {
    cluster ??= startRedisCluster(3, { until: 'file' });
    const c = new Cluster((await cluster).nodes.map((n) => ({ host: '127.0.0.1', port: Number(new URL(n).port) })), { redisOptions: { commandTimeout: 5_000 } });
    const prefix = newPrefix();
    const store = new RedisCounterStore(c, { prefix });
    cleanups.push(async () => c.disconnect(), () => wipe(c, prefix), () => store.close());
    const calls = settleCalls(c);
    const tags = Array.from({ length: 30 }, (_, i) => `org_${i}`);
    await Promise.all(tags.flatMap((tag) => [0, 1, 2].map((k) => store.reserve(reserveReq(`${tag}-${k}`, tag, 5, 10n)))));
    const results = await Promise.all(tags.flatMap((tag) => [0, 1, 2].map((k) => store.settle({ reservationId: `${tag}-${k}`, tag, bucketCosts: [k], spendAmount: BigInt(k) }))));
    expect(results.every((r) => r === true)).toBe(true);
    expect(calls.sort()).toEqual(tags.map((t) => [t, 3]).sort());
    for (const tag of tags) {
      expect(await store.spendOf(tag, 'm')).toEqual({ spent: 3n, reserved: 0n });
      expect(await remaining(store, tag)).toBe(100_000 - 3);
    }
  });

  it('a failed call rejects every settlement in it; retried by the settlement queue, each lands exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-settle-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    // Persistent (AOF, fsync always), so that the reservations outlive the outage.
    const persistent = ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always'];
    let server = await launch(port, persistent);
    const redis = new Redis({ host: '127.0.0.1', port, commandTimeout: 2_000, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 20 });
    redis.on('error', () => undefined);
    cleanups.push(async () => redis.disconnect());
    await until(async () => redis.status === 'ready', 'the client', { intervalMs: 10 });
    const prefix = newPrefix();
    const store = new RedisCounterStore(redis, { prefix });
    const calls = settleCalls(redis);
    const ids = Array.from({ length: 40 }, (_, i) => `f${i}`);
    for (const id of ids) await store.reserve(reserveReq(id, 'org_a'));
    const settleOf = (id: string, i: number) => ({ reservationId: id, tag: 'org_a', bucketCosts: [i], spendAmount: BigInt(i) * 1_000_000_000_001n });

    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    await until(async () => redis.status !== 'ready', 'the client to notice', { intervalMs: 10 });
    const outcomes = await Promise.allSettled(ids.map((id, i) => store.settle(settleOf(id, i))));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(calls).toEqual([['org_a', 40]]);

    const queue = new SettlementQueue({ clock: systemClock, log: { info: () => undefined, warn: () => undefined, error: () => undefined }, retryMs: 20, maxRetryMs: 100 });
    const landed = new Map<string, boolean[]>();
    ids.forEach((id, i) =>
      queue.submit({
        run: async () => {
          const r = await store.settle(settleOf(id, i));
          landed.set(id, [...(landed.get(id) ?? []), r]);
        },
        giveUpAt: Date.now() + 60_000,
      }),
    );
    await until(async () => queue.stats().retries >= ids.length, 'every settlement to fail once', { intervalMs: 10 });
    server = await launch(port, persistent);
    await queue.idle();
    expect(queue.stats()).toMatchObject({ settled: 40, abandoned: 0 });
    expect([...landed.entries()].sort()).toEqual(ids.map((id) => [id, [true]]).sort());
    // Settling again changes nothing: each landed exactly once.
    expect(await Promise.all(ids.map((id, i) => store.settle(settleOf(id, i))))).toEqual(ids.map(() => false));
    const spent = ids.reduce((a, _, i) => a + BigInt(i) * 1_000_000_000_001n, 0n);
    expect(await store.spendOf('org_a', 'm')).toEqual({ spent, reserved: 0n });
    expect(await remaining(store, 'org_a')).toBe(100_000 - ids.reduce((a, _, i) => a + i, 0));
    expect(await leasesLeft(redis, prefix, 'org_a')).toBe(0);
    await store.close();
    server.kill('SIGKILL');
  });

  it('compensations of timed-out reserves are batched with another settlement and still land after their reserves', async () => {
    const { prefix, redis } = setup();
    await redis.script('LOAD', RESERVE_LUA);
    await redis.script('LOAD', SETTLE_LUA);
    const direct = new RedisCounterStore(redis, { prefix });
    await direct.reserve(reserveReq('early', 'org_a'));
    const proxy = await delayingProxy(150);
    cleanups.push(() => proxy.close());
    const slow = new Redis({ host: '127.0.0.1', port: proxy.port, lazyConnect: true });
    cleanups.push(async () => slow.disconnect());
    await slow.connect();
    const calls = settleCalls(slow);
    const store = new RedisCounterStore(slow, { prefix, timeoutMs: 40 });
    // Five reserves that time out at the client (40 ms) while the proxy holds them (150 ms); their
    // compensations are queued when the timeouts fire, together with a settlement of 'early'
    // requested by a timer of the same turn.
    const late = Array.from({ length: 5 }, (_, i) => store.reserve(reserveReq(`late${i}`, 'org_a', 300, 7_000_000n)).catch((e: unknown) => e));
    const early = new Promise((resolve) => setTimeout(() => resolve(store.settle({ reservationId: 'early', tag: 'org_a', bucketCosts: [11], spendAmount: 13n }).catch((e: unknown) => e)), 40));
    for (const r of await Promise.all(late)) expect(String(r)).toMatch(/did not answer/);
    expect(String(await early)).toMatch(/did not answer/);
    await store.close();
    // One call when the six timers fire in one turn (as on an idle machine); a loaded machine may
    // fire them over two or more turns. Either way the six entries went out as settle calls.
    expect(calls.every(([tag]) => tag === 'org_a')).toBe(true);
    expect(calls.reduce((n, [, entries]) => n + entries, 0)).toBe(6);
    // The server ran the reserves and then the settle calls: every late reservation cancelled, the
    // early one settled with its actual cost, no lease left.
    await until(async () => (await redis.hlen(`${prefix}{org_a}:res`)) === 0, 'the settle call', { intervalMs: 20 });
    expect(await redis.zcard(`${prefix}{org_a}:leases`)).toBe(0);
    expect(await direct.spendOf('org_a', 'm')).toEqual({ spent: 13n, reserved: 0n });
    expect(await direct.spendOf('org_a', 'proj:m')).toEqual({ spent: 13n, reserved: 0n });
    expect(await remaining(direct, 'org_a')).toBe(100_000 - 11);
    await direct.close();
  });
});

import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ACQUIRE_LUA, Admission, REFRESH_LUA, RedisLeaseSemaphore, leaseKey, type Lease } from '../../src/admission/index.js';
import { systemClock } from 'tollgate';
import { track } from '../support/children.js';
import { TEST_REDIS_URL } from '../support/services.js';

const REDIS_URL = TEST_REDIS_URL;
const WORKER = fileURLToPath(new URL('./fixtures/lease-worker.mjs', import.meta.url));
const prefix = `test:admission:${randomUUID()}:`;
const clients: Redis[] = [];

function client(): Redis {
  const r = new Redis(REDIS_URL);
  clients.push(r);
  return r;
}

afterAll(async () => {
  const r = client();
  const keys = await r.keys(`${prefix}*`);
  if (keys.length > 0) await r.del(...keys);
  await Promise.all(clients.map((c) => c.quit()));
});

interface WorkerMessage {
  type: 'done' | 'holding' | 'error';
  maxSeen?: number;
  done?: number;
  ids?: string[];
  message?: string;
}

/** Forks a worker (killed, if still running, when the test ends: support/children.ts), sends it its job, resolves with its first message. */
function startWorker(job: Record<string, unknown>): { child: ChildProcess; first: Promise<WorkerMessage> } {
  const child = track(fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const first = new Promise<WorkerMessage>((resolve, reject) => {
    child.once('message', (m) => resolve(m as WorkerMessage));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)));
  });
  child.send({ redisUrl: REDIS_URL, acquireLua: ACQUIRE_LUA, refreshLua: REFRESH_LUA, ...job });
  return { child, first };
}

/** Polls until `f` returns a value (inherently real time: leases expire on Redis's clock). */
async function eventually<T>(f: () => Promise<T | null>, timeoutMs: number): Promise<T | null> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await f();
    if (v !== null) return v;
    await sleep(20);
  }
  return null;
}

describe('RedisLeaseSemaphore', () => {
  it('three processes × 50 concurrent acquire-hold-release cycles never exceed limit 5', async () => {
    const name = 'fleet';
    const counterKey = `${prefix}{admission:${name}}:inside`;
    const job = { mode: 'cycles', key: leaseKey(prefix, name), limit: 5, leaseMs: 30_000, cycles: 50, counterKey };
    const workers = [startWorker(job), startWorker(job), startWorker(job)];
    const reports = await Promise.all(workers.map((w) => w.first));
    for (const r of reports) expect(r.type, r.message).toBe('done');
    expect(reports.reduce((s, r) => s + r.done!, 0)).toBe(150);
    const maxSeen = Math.max(...reports.map((r) => r.maxSeen!));
    expect(maxSeen).toBeLessThanOrEqual(5);
    // 150 contenders for 5 slots: the cap was actually reached, so the bound above was tested.
    expect(maxSeen).toBe(5);
    const r = client();
    expect(await r.zcard(leaseKey(prefix, name))).toBe(0);
    expect(await r.get(counterKey)).toBe('0');
  });

  it("a killed process's leases survive while it refreshes them, then expire after leaseMs", async () => {
    const name = 'killed';
    const leaseMs = 1000;
    const { child, first } = startWorker({ mode: 'hold', key: leaseKey(prefix, name), limit: 3, leaseMs, count: 3 });
    const msg = await first;
    expect(msg.type, msg.message).toBe('holding');
    const sem = new RedisLeaseSemaphore(client(), prefix, name, { leaseMs });
    // Past the original expiry: the child's refreshes kept all three.
    await sleep(leaseMs * 1.2);
    expect(await sem.tryAcquire(3)).toBeNull();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const lease = await eventually(() => sem.tryAcquire(3), leaseMs * 5);
    expect(lease).not.toBeNull();
    const members = await client().zrange(leaseKey(prefix, name), 0, -1);
    expect(members.some((m) => msg.ids!.includes(m))).toBe(false);
    await lease!.release();
    await sem.close();
  });

  it("a late release of an expired lease does not free another holder's slot", async () => {
    const name = 'late';
    const stalled = new RedisLeaseSemaphore(client(), prefix, name, { leaseMs: 150, refreshEveryMs: 0 });
    const other = new RedisLeaseSemaphore(client(), prefix, name, { leaseMs: 30_000 });
    const l1 = await stalled.tryAcquire(1);
    expect(l1).not.toBeNull();
    expect(await other.tryAcquire(1)).toBeNull();
    const l2 = await eventually(() => other.tryAcquire(1), 3_000);
    expect(l2).not.toBeNull();
    await l1!.release();
    expect(await other.tryAcquire(1)).toBeNull();
    expect(await client().zrange(leaseKey(prefix, name), 0, -1)).toEqual([l2!.id]);
    await l2!.release();
    await l2!.release();
    expect(await client().zcard(leaseKey(prefix, name))).toBe(0);
    await Promise.all([stalled.close(), other.close()]);
  });

  it('a refreshed lease outlives its original expiry; a lost lease is reported', async () => {
    const name = 'refresh';
    const lost: string[] = [];
    const sem = new RedisLeaseSemaphore(client(), prefix, name, { leaseMs: 300, onLeaseLost: (id) => lost.push(id) });
    const lease = await sem.tryAcquire(1);
    await sleep(700);
    expect(await sem.tryAcquire(1)).toBeNull();
    expect(lost).toEqual([]);
    // Someone deletes the lease behind our back: the next refresh notices and reports it.
    await client().zrem(leaseKey(prefix, name), lease!.id);
    await sleep(300);
    expect(lost).toEqual([lease!.id]);
    expect(sem.heldIds).toEqual([]);
    await lease!.release();
    await sem.close();
  });

  it('a limit change takes effect on the next acquire', async () => {
    const sem = new RedisLeaseSemaphore(client(), prefix, 'resize', { leaseMs: 30_000 });
    const held: Lease[] = [];
    for (let i = 0; i < 2; i++) held.push((await sem.tryAcquire(2))!);
    expect(await sem.tryAcquire(2)).toBeNull();
    held.push((await sem.tryAcquire(3))!);
    expect(held.every(Boolean)).toBe(true);
    expect(await sem.tryAcquire(1)).toBeNull();
    await Promise.all(held.map((l) => l.release()));
    await sem.close();
  });

  it('three Admission instances on one Redis semaphore: at most 5 hold at once, all 180 served', async () => {
    const name = 'admitted';
    const instances = [0, 1, 2].map(
      () =>
        new Admission(name, { max_concurrency: 5, max_queue: 100, max_wait_ms: 30_000 }, {
          clock: systemClock,
          semaphore: new RedisLeaseSemaphore(client(), prefix, name, { leaseMs: 30_000 }),
        }),
    );
    let holding = 0;
    let maxHolding = 0;
    let served = 0;
    await Promise.all(
      Array.from({ length: 180 }, async (_, i) => {
        const slot = await instances[i % 3]!.acquire({ orgId: `org-${i % 7}`, cost: 10 });
        maxHolding = Math.max(maxHolding, ++holding);
        await sleep(Math.random() * 3);
        holding--;
        served++;
        slot.release('success');
      }),
    );
    expect(served).toBe(180);
    expect(maxHolding).toBeLessThanOrEqual(5);
    expect(maxHolding).toBe(5);
    await Promise.all(instances.map((a) => a.close()));
    expect(await client().zcard(leaseKey(prefix, name))).toBe(0);
  });

  it('an unresponsive Redis fails within commandTimeoutMs instead of hanging', async () => {
    const hung = { evalsha: () => new Promise(() => {}), eval: () => new Promise(() => {}), zrem: () => new Promise(() => {}) } as unknown as Redis;
    const sem = new RedisLeaseSemaphore(hung, prefix, 'hung', { commandTimeoutMs: 50 });
    await expect(sem.tryAcquire(1)).rejects.toThrow(/timed out/);
    await sem.close();
  });
});

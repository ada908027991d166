/**
 * A slot source shared by every gateway instance: leases in a Redis sorted set (see
 * lease-scripts.ts). Held leases are refreshed every lease/3 in one batched script call, so a
 * long stream keeps its slot while a crashed process's slots free up after `leaseMs`.
 *
 * Waking waiters: short polling with capped exponential backoff and jitter, not pub/sub. Only the
 * Admission's single pump polls (one script call per poll per instance, however many requests
 * wait), a release in this instance wakes the poller at once, and polling also notices leases that
 * expired (a dead process never publishes). Pub/sub would add a subscriber connection per
 * instance and wake every instance on every release to race for one slot, and would still need the
 * poll for expiries.
 *
 * Failure: every command is bounded by `commandTimeoutMs`; a failed acquire throws (the Admission
 * applies its failure policy) and best-effort removes the id it may have added; a failed release
 * or refresh is swallowed and the lease simply expires.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis-client.js';
import { luaScript, runScript, withinMs, type LuaScript } from '../redis-lua.js';
import { ACQUIRE_LUA, REFRESH_LUA, leaseKey } from './lease-scripts.js';
import type { Lease, SlotSemaphore } from './types.js';

export interface RedisLeaseOptions {
  /** How long a lease lives without a refresh; default 30 s. */
  leaseMs?: number;
  /** Refresh period for held leases; default leaseMs / 3. 0 disables refresh (tests: a stalled holder). */
  refreshEveryMs?: number;
  /** First poll delay after a failed acquire; doubles per consecutive miss up to pollMaxMs. Default 5. */
  pollMinMs?: number;
  /** Default 200. */
  pollMaxMs?: number;
  /** Upper bound on any one Redis command; default 1000. */
  commandTimeoutMs?: number;
  /** Called when a refresh finds a held lease already expired (the holder stalled past leaseMs). */
  onLeaseLost?: (leaseId: string) => void;
}

const ACQUIRE = luaScript(ACQUIRE_LUA);
const REFRESH = luaScript(REFRESH_LUA);

export class RedisLeaseSemaphore implements SlotSemaphore {
  readonly key: string;
  readonly leaseMs: number;
  private readonly refreshEveryMs: number;
  private readonly pollMinMs: number;
  private readonly pollMaxMs: number;
  private readonly commandTimeoutMs: number;
  private readonly onLeaseLost: ((id: string) => void) | undefined;
  private readonly instance = randomUUID().slice(0, 8);
  /** Leases this process holds and refreshes. */
  private readonly held = new Set<string>();
  private readonly wakers = new Set<() => void>();
  private refresher: ReturnType<typeof setInterval> | undefined;
  private refreshing = false;
  private misses = 0;
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    name: string,
    opts: RedisLeaseOptions = {},
  ) {
    this.key = leaseKey(prefix, name);
    this.leaseMs = opts.leaseMs ?? 30_000;
    if (!(this.leaseMs > 0)) throw new Error(`leaseMs must be > 0, got ${this.leaseMs}`);
    this.refreshEveryMs = opts.refreshEveryMs ?? Math.max(1, Math.floor(this.leaseMs / 3));
    this.pollMinMs = opts.pollMinMs ?? 5;
    this.pollMaxMs = opts.pollMaxMs ?? 200;
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 1_000;
    this.onLeaseLost = opts.onLeaseLost;
  }

  /** Lease ids this process holds (for tests and metrics). */
  get heldIds(): string[] {
    return [...this.held];
  }

  async tryAcquire(limit: number): Promise<Lease | null> {
    if (this.closed) throw new Error('RedisLeaseSemaphore is closed');
    const id = `${this.instance}:${randomUUID()}`;
    let res: unknown;
    try {
      res = await this.run(ACQUIRE, [limit, this.leaseMs, id]);
    } catch (err) {
      // The script may have run after the timeout fired; the id is ours, so removing it is safe.
      void this.bounded(this.redis.zrem(this.key, id)).catch(() => {});
      throw err;
    }
    if (!Array.isArray(res) || Number(res[0]) !== 1) {
      this.misses++;
      return null;
    }
    this.misses = 0;
    this.held.add(id);
    this.startRefresher();
    let released = false;
    return {
      id,
      release: async () => {
        if (released) return;
        released = true;
        this.held.delete(id);
        if (this.held.size === 0) this.stopRefresher();
        try {
          // ZREM of our own id only: a lease that already expired (its slot reused) frees nothing.
          await this.bounded(this.redis.zrem(this.key, id));
        } catch {
          // Unreachable Redis: the lease expires on its own after leaseMs.
        }
        this.wake();
      },
    };
  }

  waitForChange(signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.closed) return Promise.resolve();
    const base = Math.min(this.pollMaxMs, this.pollMinMs * 2 ** Math.min(this.misses, 20));
    const delay = base * (0.5 + Math.random() * 0.5);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, delay);
      this.wakers.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Stops refreshing and gives back every lease this process still holds. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopRefresher();
    const ids = [...this.held];
    this.held.clear();
    if (ids.length > 0) await this.bounded(this.redis.zrem(this.key, ...ids)).catch(() => {});
    this.wake();
  }

  private startRefresher(): void {
    if (this.refresher || this.refreshEveryMs <= 0) return;
    this.refresher = setInterval(() => void this.refresh(), this.refreshEveryMs);
    this.refresher.unref();
  }

  private stopRefresher(): void {
    if (this.refresher) clearInterval(this.refresher);
    this.refresher = undefined;
  }

  private async refresh(): Promise<void> {
    if (this.refreshing || this.held.size === 0) return;
    this.refreshing = true;
    const ids = [...this.held];
    try {
      const res = await this.run(REFRESH, [this.leaseMs, ...ids]);
      if (!Array.isArray(res)) return;
      ids.forEach((id, i) => {
        if (Number(res[i]) === 1 || !this.held.has(id)) return;
        this.held.delete(id);
        this.onLeaseLost?.(id);
      });
      if (this.held.size === 0) this.stopRefresher();
    } catch {
      // Try again next period; a lease outlives two missed refreshes by design (period = lease/3).
    } finally {
      this.refreshing = false;
    }
  }

  private run(s: LuaScript, args: (string | number)[]): Promise<unknown> {
    return runScript(this.redis, s, [this.key], args, (p) => this.bounded(p));
  }

  private bounded<T>(p: Promise<T>): Promise<T> {
    return withinMs(p, this.commandTimeoutMs, () => new Error(`redis lease command timed out after ${this.commandTimeoutMs} ms`));
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }
}

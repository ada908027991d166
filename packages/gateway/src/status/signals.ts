/**
 * Live signals per component over a sliding window: requests the platform answered, those it
 * failed, successes whose first byte came slowly, and active probes. Counted in time buckets;
 * a window is the sum of its buckets. Each instance adds to a local buffer (the request path only
 * increments numbers) and flushes it to a shared backend — Redis when configured, so every
 * instance reads the same sums — before the page is evaluated.
 * @module
 */
import type { RedisClient } from '../redis-client.js';

export interface SignalCounts {
  /** Requests that reached a verdict the platform is answerable for (caller errors excluded). */
  total: number;
  /** Of those, failed by the platform: 5xx, upstream failures, timeouts, engine overloaded. */
  failed: number;
  /** Successes whose first byte took longer than first_byte.slow_ms. */
  slow: number;
  probes: number;
  probe_failed: number;
}

export const EMPTY: Readonly<SignalCounts> = { total: 0, failed: 0, slow: 0, probes: 0, probe_failed: 0 };
const FIELDS = ['total', 'failed', 'slow', 'probes', 'probe_failed'] as const;

export interface SignalBackend {
  add(entries: ReadonlyArray<[key: string, bucket: number, counts: SignalCounts]>, ttlMs: number): Promise<void>;
  /** Sums per key over the buckets in [from, to]. */
  sum(keys: readonly string[], buckets: readonly number[]): Promise<Map<string, SignalCounts>>;
}

export class MemorySignalBackend implements SignalBackend {
  private readonly data = new Map<string, { counts: SignalCounts; expires: number }>();
  constructor(private readonly now: () => number) {}
  async add(entries: ReadonlyArray<[string, number, SignalCounts]>, ttlMs: number): Promise<void> {
    const now = this.now();
    for (const [k, v] of this.data) if (v.expires < now) this.data.delete(k);
    for (const [key, bucket, c] of entries) {
      const id = `${key}\u0000${bucket}`;
      const cur = this.data.get(id) ?? { counts: { ...EMPTY }, expires: 0 };
      for (const f of FIELDS) cur.counts[f] += c[f];
      cur.expires = bucket + ttlMs;
      this.data.set(id, cur);
    }
  }
  async sum(keys: readonly string[], buckets: readonly number[]): Promise<Map<string, SignalCounts>> {
    const out = new Map<string, SignalCounts>();
    for (const key of keys) {
      const s = { ...EMPTY };
      for (const b of buckets) {
        const c = this.data.get(`${key}\u0000${b}`)?.counts;
        if (c) for (const f of FIELDS) s[f] += c[f];
      }
      out.set(key, s);
    }
    return out;
  }
}

/**
 * One hash per (component, bucket); HINCRBY is atomic, so instances add without coordinating.
 * Every signal key carries the hash tag `{status}`: each call pipelines several keys, which a
 * Redis Cluster client sends only when they share a slot.
 */
export class RedisSignalBackend implements SignalBackend {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}
  private k(key: string, bucket: number): string {
    return `${this.prefix}{status}:sig:${key}:${bucket}`;
  }
  async add(entries: ReadonlyArray<[string, number, SignalCounts]>, ttlMs: number): Promise<void> {
    if (entries.length === 0) return;
    const p = this.redis.pipeline();
    for (const [key, bucket, c] of entries) {
      const k = this.k(key, bucket);
      for (const f of FIELDS) if (c[f]) p.hincrby(k, f, c[f]);
      p.pexpire(k, ttlMs);
    }
    const res = await p.exec();
    const err = res?.find(([e]) => e)?.[0];
    if (err) throw err;
  }
  async sum(keys: readonly string[], buckets: readonly number[]): Promise<Map<string, SignalCounts>> {
    const p = this.redis.pipeline();
    for (const key of keys) for (const b of buckets) p.hgetall(this.k(key, b));
    const res = (await p.exec()) ?? [];
    const out = new Map<string, SignalCounts>();
    let i = 0;
    for (const key of keys) {
      const s = { ...EMPTY };
      for (let j = 0; j < buckets.length; j++, i++) {
        const [err, h] = res[i] ?? [null, null];
        if (err) throw err;
        const rec = (h ?? {}) as Record<string, string>;
        for (const f of FIELDS) s[f] += Number(rec[f] ?? 0);
      }
      out.set(key, s);
    }
    return out;
  }
}

/** The local buffer in front of a backend, and the window arithmetic. */
export class SignalWindow {
  private buffer = new Map<string, [string, number, SignalCounts]>();
  readonly bucketMs: number;

  constructor(
    private readonly backend: SignalBackend,
    private readonly now: () => number,
    readonly windowMs: number,
  ) {
    // Twelve buckets per window: the window slides in steps of a twelfth of its length.
    this.bucketMs = Math.max(1, Math.floor(windowMs / 12));
  }

  add(key: string, counts: Partial<SignalCounts>): void {
    const bucket = Math.floor(this.now() / this.bucketMs) * this.bucketMs;
    const id = `${key}\u0000${bucket}`;
    let e = this.buffer.get(id);
    if (!e) this.buffer.set(id, (e = [key, bucket, { ...EMPTY }]));
    for (const f of FIELDS) e[2][f] += counts[f] ?? 0;
  }

  /** Sends the buffer to the backend; on failure the counts are kept for the next flush. */
  async flush(): Promise<void> {
    if (this.buffer.size === 0) return;
    const entries = [...this.buffer.values()];
    this.buffer = new Map();
    try {
      await this.backend.add(entries, this.windowMs * 4 + this.bucketMs);
    } catch (e) {
      for (const [key, , c] of entries) this.add(key, c);
      throw e;
    }
  }

  /** Sums over the last `spanMs` (the window by default), the current bucket included. */
  read(keys: readonly string[], spanMs = this.windowMs): Promise<Map<string, SignalCounts>> {
    const last = Math.floor(this.now() / this.bucketMs) * this.bucketMs;
    const n = Math.max(1, Math.ceil(spanMs / this.bucketMs));
    const buckets: number[] = [];
    for (let i = 0; i < n; i++) buckets.push(last - i * this.bucketMs);
    return this.backend.sum(keys, buckets);
  }
}

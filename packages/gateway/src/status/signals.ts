/**
 * Live signals per component over a sliding window: requests the platform answered, those it
 * failed, successes whose first byte came slowly, and active probes. Counted in time buckets;
 * a window is the sum of its buckets. Each instance adds to a local buffer (the request path only
 * increments numbers) and flushes it to a shared backend — Redis when configured, so every
 * instance reads the same sums — before the page is evaluated.
 *
 * A flush is sent as a batch with an id of its own and applied at most once: a batch whose
 * outcome is unknown (Redis refused it, or timed out and may apply it later) is resent as it is,
 * under the same id, until Redis confirms it, and Redis skips an id it has already applied. So an
 * outage neither loses counts nor counts them twice. While Redis cannot be reached, the counts
 * not yet flushed are what `readLocal` sums: the instance's own view of the window.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis-client.js';
import { luaScript, runScript } from '../redis-lua.js';

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

type Entry = [key: string, bucket: number, counts: SignalCounts];

export interface SignalBackend {
  /** Adds a batch of counts, each kept `ttlMs`; a batch id applied in the last `ttlMs` (at least) is skipped. */
  add(entries: readonly Entry[], ttlMs: number, batchId: string): Promise<void>;
  /** Sums per key over the buckets in [from, to]. */
  sum(keys: readonly string[], buckets: readonly number[]): Promise<Map<string, SignalCounts>>;
}

export class MemorySignalBackend implements SignalBackend {
  private readonly data = new Map<string, { counts: SignalCounts; expires: number }>();
  constructor(private readonly now: () => number) {}
  async add(entries: readonly Entry[], ttlMs: number): Promise<void> {
    // In memory a batch is applied whole or not at all: there is no retry to recognise.
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
 * Adds a batch: KEYS[1] marks the batch as applied (kept ARGV[2] ms), KEYS[2..] are the signal
 * hashes; ARGV[1] is their TTL, then five counts per hash in FIELDS order. A batch already marked
 * is skipped, so a resent batch is counted once.
 */
const ADD_BATCH = luaScript(`
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) == false then return 0 end
local fields = {'total', 'failed', 'slow', 'probes', 'probe_failed'}
local n = 3
for i = 2, #KEYS do
  for j = 1, 5 do
    local v = tonumber(ARGV[n])
    n = n + 1
    if v ~= 0 then redis.call('HINCRBY', KEYS[i], fields[j], v) end
  end
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
end
return 1`);

/**
 * One hash per (component, bucket); HINCRBY is atomic, so instances add without coordinating.
 * Every signal key carries the hash tag `{status}`: a batch and each read touch several keys,
 * which Redis Cluster runs in one call only when they share a slot.
 */
export class RedisSignalBackend implements SignalBackend {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}
  private k(key: string, bucket: number): string {
    return `${this.prefix}{status}:sig:${key}:${bucket}`;
  }
  async add(entries: readonly Entry[], ttlMs: number, batchId: string): Promise<void> {
    if (entries.length === 0) return;
    const keys = [`${this.prefix}{status}:batch:${batchId}`, ...entries.map(([key, bucket]) => this.k(key, bucket))];
    // The mark outlives the counts' own TTL with room for clock skew (see SignalWindow.prune).
    const args: number[] = [ttlMs, ttlMs * 2];
    for (const [, , c] of entries) for (const f of FIELDS) args.push(c[f]);
    // The client bounds every command (commandTimeout); a timed-out batch is resent under its id.
    await runScript(this.redis, ADD_BATCH, keys, args, (p) => p);
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
  /** Counts not yet handed to the backend, by key and bucket. */
  private buffer = new Map<string, Entry>();
  /** Each key's latest entry in `buffer` (`count` adds to it while its bucket is current); emptied whenever `buffer` loses entries. */
  private readonly current = new Map<string, Entry>();
  /** The batch handed to the backend without a confirmation: resent as it is until confirmed. */
  private unconfirmed: { id: string; entries: Entry[] } | undefined;
  private flushing: Promise<void> = Promise.resolve();
  readonly bucketMs: number;
  /** How long the backend keeps a bucket: four windows and a bucket. */
  readonly ttlMs: number;

  constructor(
    private readonly backend: SignalBackend,
    private readonly now: () => number,
    readonly windowMs: number,
  ) {
    // Twelve buckets per window: the window slides in steps of a twelfth of its length.
    this.bucketMs = Math.max(1, Math.floor(windowMs / 12));
    this.ttlMs = windowMs * 4 + this.bucketMs;
  }

  add(key: string, counts: Partial<SignalCounts>): void {
    addTo(this.buffer, key, Math.floor(this.now() / this.bucketMs) * this.bucketMs, counts);
  }

  /**
   * `add` of a request's counts, for the request path: the key's entry in the current bucket is
   * kept at hand, so that most calls only add three numbers (no id string, no lookup).
   */
  count(key: string, total: number, failed: number, slow: number): void {
    const bucket = Math.floor(this.now() / this.bucketMs) * this.bucketMs;
    let e = this.current.get(key);
    if (e === undefined || e[1] !== bucket) {
      e = entryOf(this.buffer, key, bucket);
      this.current.set(key, e);
    }
    const c = e[2];
    c.total += total;
    c.failed += failed;
    c.slow += slow;
  }

  /**
   * Sends what is not confirmed yet: first a batch whose outcome is unknown (under its own id,
   * so the backend counts it once however often it is sent), then the buffer as a new batch. On
   * failure the counts stay for the next flush, in their own buckets. Flushes run one at a time.
   */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.flushOnce());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushOnce(): Promise<void> {
    this.prune();
    if (this.unconfirmed) {
      await this.backend.add(this.unconfirmed.entries, this.ttlMs, this.unconfirmed.id);
      this.unconfirmed = undefined;
    }
    if (this.buffer.size === 0) return;
    this.unconfirmed = { id: randomUUID(), entries: [...this.buffer.values()] };
    this.buffer = new Map();
    this.current.clear();
    await this.backend.add(this.unconfirmed.entries, this.ttlMs, this.unconfirmed.id);
    this.unconfirmed = undefined;
  }

  /**
   * Drops counts older than the backend keeps them (a long outage would otherwise grow the
   * buffer without bound; nothing reads buckets that old). It also keeps a resent batch from
   * outliving the backend's mark of it: a batch is marked for twice `ttlMs`, and nothing older than
   * `ttlMs` is resent.
   */
  private prune(): void {
    const oldest = this.now() - this.ttlMs;
    for (const [id, e] of this.buffer) if (e[1] <= oldest) this.buffer.delete(id);
    this.current.clear();
    if (this.unconfirmed) {
      this.unconfirmed.entries = this.unconfirmed.entries.filter((e) => e[1] > oldest);
      if (this.unconfirmed.entries.length === 0) this.unconfirmed = undefined;
    }
  }

  /** Sums over the last `spanMs` (the window by default), the current bucket included, from the backend. */
  read(keys: readonly string[], spanMs = this.windowMs): Promise<Map<string, SignalCounts>> {
    return this.backend.sum(keys, this.buckets(spanMs));
  }

  /**
   * The same sums over this instance's counts that the backend has not confirmed: its own view of
   * the window while the backend cannot be reached.
   */
  readLocal(keys: readonly string[], spanMs = this.windowMs): Map<string, SignalCounts> {
    const local = new Map<string, Entry>();
    for (const [key, bucket, c] of [...(this.unconfirmed?.entries ?? []), ...this.buffer.values()]) addTo(local, key, bucket, c);
    const buckets = this.buckets(spanMs);
    const out = new Map<string, SignalCounts>();
    for (const key of keys) {
      const s = { ...EMPTY };
      for (const b of buckets) {
        const c = local.get(`${key}\u0000${b}`)?.[2];
        if (c) for (const f of FIELDS) s[f] += c[f];
      }
      out.set(key, s);
    }
    return out;
  }

  private buckets(spanMs: number): number[] {
    const last = Math.floor(this.now() / this.bucketMs) * this.bucketMs;
    const n = Math.max(1, Math.ceil(spanMs / this.bucketMs));
    const buckets: number[] = [];
    for (let i = 0; i < n; i++) buckets.push(last - i * this.bucketMs);
    return buckets;
  }
}

/** The entry of `key` in `bucket`, made (at zero) if `m` has none. */
function entryOf(m: Map<string, Entry>, key: string, bucket: number): Entry {
  const id = `${key}\u0000${bucket}`;
  let e = m.get(id);
  if (!e) m.set(id, (e = [key, bucket, { ...EMPTY }]));
  return e;
}

function addTo(m: Map<string, Entry>, key: string, bucket: number, counts: Partial<SignalCounts>): void {
  const e = entryOf(m, key, bucket);
  for (const f of FIELDS) e[2][f] += counts[f] ?? 0;
}

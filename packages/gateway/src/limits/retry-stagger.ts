/**
 * Staggered retry hints for callers refused by the same rate limit at about the same time.
 *
 * The counter store tells each refused request the exact wait until its cost fits — the same
 * wait for everyone refused together. If all of them retry after it, one gets the capacity that
 * refilled and the others are refused again (and an SDK that follows the hint runs out of
 * retries). So the hints queue up: per bucket, the latest moment already promised to a refused
 * caller is kept, and the next caller is sent after it by the time the bucket needs to refill its
 * own cost (cost × window / limit). A little upward jitter keeps callers refused by different
 * gateway instances (each instance keeps its own promises) from landing on the same millisecond;
 * it is never negative, so no one is sent back before the capacity is there.
 * @module
 */

/** Jitter added to a hint: up to this fraction of the bucket's refill interval for the cost… */
const JITTER_FRACTION = 0.1;
/** …and never more than this. */
const MAX_JITTER_MS = 1000;
/** Promises are swept when this many are kept (only those already in the past are dropped). */
const SWEEP_AT = 10_000;

export interface StaggerBucket {
  key: string;
  limit: number;
  windowMs: number;
  cost: number;
  /** The store's exact wait until this bucket fits the cost. */
  waitMs: number;
}

export class RetryStagger {
  /** Bucket key → the epoch ms of the latest retry promised to a caller it refused. */
  private readonly promised = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  /**
   * The wait to tell a caller refused by `buckets` (each failing bucket with a finite wait), and
   * records it as promised on each of them.
   */
  hintMs(now: number, buckets: readonly StaggerBucket[]): number {
    let at = now;
    let jitterCap = MAX_JITTER_MS;
    for (const b of buckets) {
      const interval = (b.cost * b.windowMs) / b.limit;
      const last = this.promised.get(b.key);
      at = Math.max(at, now + b.waitMs, last !== undefined && last > now ? last + interval : now);
      jitterCap = Math.min(jitterCap, interval * JITTER_FRACTION);
    }
    at += this.random() * jitterCap;
    if (this.promised.size >= SWEEP_AT) this.sweep(now);
    for (const b of buckets) this.promised.set(b.key, at);
    return at - now;
  }

  private sweep(now: number): void {
    for (const [k, t] of this.promised) if (t <= now) this.promised.delete(k);
  }
}

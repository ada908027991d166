import { formatDuration, retryHeaders } from '@tollgate/protocol';
import type { Clock } from '../clock.js';
import { ApiError } from '../http/api-error.js';
import { LruMap } from './lru.js';

const MINUTE = 60_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Slows down guessing: each client address has a bucket of `perMinute` failed authentications,
 * refilled continuously (perMinute per minute). A failure takes one; when none is left, the
 * address gets 429 too_many_failed_authentications with the exact wait until the next one.
 *
 * Successes take nothing, so well-behaved clients are never slowed. While an address is blocked
 * its requests are refused before the key is looked at (otherwise a guesser could still tell a
 * right guess from a wrong one) — except credentials that already succeeded from that address
 * before the block ("known good"), so one misbehaving process behind a shared address does not
 * lock out the others.
 *
 * State is per gateway instance and bounded (least recently seen addresses are forgotten first).
 */
export class FailedAuthLimiter {
  private readonly buckets: LruMap<string, Bucket>;
  private readonly knownGood: LruMap<string, number>;
  private readonly ratePerMs: number;
  private readonly knownGoodTtlMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
    opts: { maxAddresses?: number; maxKnownGood?: number; knownGoodTtlMs?: number } = {},
  ) {
    this.ratePerMs = perMinute / MINUTE;
    this.buckets = new LruMap(opts.maxAddresses ?? 100_000);
    this.knownGood = new LruMap(opts.maxKnownGood ?? 50_000);
    this.knownGoodTtlMs = opts.knownGoodTtlMs ?? 60 * MINUTE;
  }

  /** Milliseconds until `ip` may fail again; 0 when it is not blocked. */
  blockedFor(ip: string): number {
    const b = this.buckets.peek(ip);
    if (!b) return 0;
    const tokens = this.refill(b);
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.ratePerMs);
  }

  /**
   * Throws 429 when `ip` is blocked and `credential` (a key hash, or another fingerprint of what
   * was presented) has not succeeded from it before. `credential` undefined = nothing usable.
   */
  check(ip: string, credential?: string): void {
    const wait = this.blockedFor(ip);
    if (wait === 0) return;
    if (credential !== undefined) {
      const until = this.knownGood.peek(`${ip}\n${credential}`);
      if (until !== undefined && until > this.clock.now()) return;
    }
    throw new ApiError('too_many_failed_authentications', { wait: formatDuration(wait) }, { headers: retryHeaders(wait) });
  }

  /** Counts one failed authentication from `ip`. */
  fail(ip: string): void {
    const b = this.buckets.get(ip);
    const now = this.clock.now();
    if (!b) {
      this.buckets.set(ip, { tokens: this.perMinute - 1, at: now });
      return;
    }
    b.tokens = Math.max(0, this.refill(b) - 1);
    b.at = now;
  }

  /** Remembers that `credential` succeeded from `ip` (called on successful authentication). */
  succeed(ip: string, credential: string): void {
    const id = `${ip}\n${credential}`;
    const now = this.clock.now();
    // Refreshed at most every half TTL: most successful requests cost one Map lookup here.
    const until = this.knownGood.peek(id);
    if (until !== undefined && until - now > this.knownGoodTtlMs / 2) return;
    this.knownGood.set(id, now + this.knownGoodTtlMs);
  }

  private refill(b: Bucket): number {
    const now = this.clock.now();
    return Math.min(this.perMinute, b.tokens + Math.max(0, now - b.at) * this.ratePerMs);
  }
}

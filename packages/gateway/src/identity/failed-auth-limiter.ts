import { formatDuration, retryHeaders } from '@tollgate/protocol';
import type { RedisClient } from '../redis-client.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors/api-error.js';
import { errorText } from '../logger.js';
import { LRUCache } from 'lru-cache';
import { entryBound } from '../ttl-cache.js';

const MINUTE = 60_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Slows down guessing without ever refusing a right key. Each client address has a bucket of
 * `perMinute` failed authentications, refilled continuously (perMinute per minute). Only failures
 * reach it: the credential is always checked first, and a request whose credential is right is
 * served whatever its address did before (offices and NATs share addresses; a revoked key retried
 * in a loop must not lock out a colleague's new key, nor wrong admin keys the right one). A failure
 * takes one failure from the bucket and is answered as itself (401); when none is left it is
 * answered 429 too_many_failed_authentications with the exact wait.
 *
 * With Redis the buckets are shared by every instance (one atomic script per failure), so N
 * instances allow perMinute failures per address in all, not N times as many. If Redis fails,
 * the instance falls back to its own buckets until it answers again.
 *
 * In-memory state is bounded (least recently seen addresses are forgotten first).
 */
export class FailedAuthLimiter {
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly ratePerMs: number;
  private readonly redis: RedisClient | undefined;
  private readonly keyPrefix: string;
  private readonly log: Logger | undefined;
  private redisDown = false;

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
    opts: { maxAddresses?: number; redis?: RedisClient; keyPrefix?: string; log?: Logger } = {},
  ) {
    this.ratePerMs = perMinute / MINUTE;
    this.buckets = new LRUCache(entryBound(opts.maxAddresses ?? 100_000));
    this.redis = opts.redis;
    this.keyPrefix = `${opts.keyPrefix ?? 'tollgate:'}authfail:`;
    this.log = opts.log;
  }

  /**
   * Counts one failed authentication from `ip` and returns what to answer: `err` itself while
   * the address has failures left, else 429 with the wait until its next one.
   */
  async failure(ip: string, err: ApiError): Promise<ApiError> {
    const wait = await this.take(ip);
    if (wait === 0) return err;
    return new ApiError('too_many_failed_authentications', { wait: formatDuration(wait) }, { headers: retryHeaders(wait) });
  }

  /** Milliseconds until `ip` may fail again without a 429 (this instance's buckets); 0 when it may. */
  blockedFor(ip: string): number {
    const b = this.buckets.peek(ip);
    if (!b) return 0;
    const tokens = this.refill(b, this.clock.now());
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.ratePerMs);
  }

  /** Takes one failure from the address's bucket: 0 when there was one, else the wait in ms. */
  private async take(ip: string): Promise<number> {
    if (!this.redis) return this.takeLocal(ip);
    try {
      const wait = Number(await this.redis.eval(TAKE_LUA, 1, this.keyPrefix + ip, this.perMinute, MINUTE, this.clock.now()));
      if (this.redisDown) {
        this.redisDown = false;
        this.log?.info('failed-authentication limiting is shared through redis again');
      }
      return wait;
    } catch (e) {
      if (!this.redisDown) {
        this.redisDown = true;
        this.log?.warn({ err: errorText(e) }, 'redis unavailable: failed authentications are limited per instance until it is back');
      }
      return this.takeLocal(ip);
    }
  }

  private takeLocal(ip: string): number {
    const now = this.clock.now();
    const b = this.buckets.get(ip);
    const tokens = b ? this.refill(b, now) : this.perMinute;
    if (tokens < 1) return Math.ceil((1 - tokens) / this.ratePerMs);
    this.buckets.set(ip, { tokens: tokens - 1, at: now });
    return 0;
  }

  private refill(b: Bucket, now: number): number {
    return Math.min(this.perMinute, b.tokens + Math.max(0, now - b.at) * this.ratePerMs);
  }
}

/**
 * KEYS[1] = the address's bucket; ARGV = perMinute, window ms, now (the gateway's clock: instances
 * agree to well under the refill interval, and tests can inject one). The level is kept in thousandths of a failure, as an integer, so the
 * refill is exact. Returns 0 (a failure was taken) or the wait in ms until the next one; a refusal
 * writes nothing. The key expires when the bucket would be full again.
 */
const TAKE_LUA = `
local cap = tonumber(ARGV[1]) * 1000
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'l', 't')
local level = cap
if b[1] then
  local elapsed = math.max(0, now - tonumber(b[2]))
  level = math.min(cap, tonumber(b[1]) + math.floor(elapsed * cap / window))
end
if level < 1000 then
  return math.ceil((1000 - level) * window / cap)
end
level = level - 1000
redis.call('HSET', KEYS[1], 'l', string.format('%d', level), 't', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - level) * window / cap) + 1000)
return 0
`;

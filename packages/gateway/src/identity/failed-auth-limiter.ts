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
 * served whatever its address did before (offices and NATs share addresses). A failure takes one
 * failure from the bucket and is answered as itself (401); when none is left it is answered 429
 * too_many_failed_authentications with the exact wait.
 *
 * What counts is a guess, and nothing else: a well-formed credential that matches no credential
 * there is — an API key or an organization admin key whose hash is not stored, or a wrong
 * operator admin key. Those are the only requests whose answer depends on a secret the caller did
 * not show it knows, so they are all a guesser can learn from; the key's 256 random bits are what
 * protects it, and this limiter what slows a guesser that respects 429. The callers answer
 * everything else as itself, always, and do not count it, because it cannot be a guess and the
 * 429 would only hide from a real user what to fix (and make the official SDKs, which retry every
 * 429 twice, send it three times):
 * - no credential at all (no Authorization header, another scheme, an empty token): 401
 *   `missing_api_key` / `missing_admin_key`. A browser with a console session and no key, a
 *   health check, a client whose key variable is unset; there is nothing to guess with.
 * - a malformed key, a key of the operator key's shape on /v1, an `sk-` key on the admin API:
 *   refused by its shape alone, nothing is looked up, so the answer says nothing about any key.
 * - a key this gateway issued that no longer works (revoked, expired, its project archived, its
 *   owner or organization gone): guessing one is as hard as guessing a live key, and the user of
 *   a rotated-out key retried in a loop needs `invalid_api_key`, not a rate limit their SDK
 *   retries and their error handling files under "slow down". (A deleted organization admin key
 *   still counts: its lookup does not tell it from one never issued.)
 * - a right key refused for something else (an IP allowlist, an OpenAI-Organization or
 *   OpenAI-Project header naming another organization or project): the caller knows the key.
 * The console's own sign-in (passwords, e-mail addresses) has its own limiter (console/login-limiter.ts).
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
   * Counts one failed authentication — a guess, see above — from `ip` and returns what to answer:
   * `err` itself while the address has failures left, else 429 with the wait until its next one.
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

/**
 * Limits console sign-in attempts per email and per client address: at most `max` attempts that
 * did not succeed in a fixed window each. Unlike API keys (which cannot be guessed), a password
 * can be: so a blocked email or address is refused before its password is checked, and a right
 * password is refused too until the window ends. With Redis the counts are shared by every
 * instance; if Redis fails the instance counts alone until it answers again.
 *
 * An attempt is counted *before* the password is verified (`attempt`), in one atomic increment,
 * and given back when it succeeds (`succeeded`) or was not a guess (`release`). Counting after the
 * verification instead would be a check-then-act across the slow memory-hard hash: guesses sent
 * at once would all pass the check before the first of them was counted.
 * @module
 */
import { createHash } from 'node:crypto';
import { formatDuration, retryHeaders } from '@tollgate/protocol';
import { LRUCache } from 'lru-cache';
import { entryBound } from '../ttl-cache.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors/api-error.js';
import type { RedisClient } from '../redis-client.js';
import { luaScript, runScript } from '../redis-lua.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';

interface Window {
  count: number;
  resetAt: number;
}

export interface LoginLimits {
  perEmail: number;
  perIp: number;
  windowMs: number;
}

/** KEYS[1] = the counter. ARGV = window ms. Returns [count, ms until reset]. */
const INCR = luaScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`);

/** KEYS[1] = the counter. Gives one attempt back (the key goes at zero). */
const DECR = luaScript(`
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n
`);

const unbounded = <T>(p: Promise<T>): Promise<T> => p;

export class LoginLimiter {
  private readonly local = new LRUCache<string, Window>(entryBound(100_000));
  /** Redis failing the counts: logged by state changes, not once per sign-in attempt. */
  private readonly redisFailures: RepeatingFailureLog;

  constructor(
    private readonly limits: LoginLimits,
    private readonly clock: Clock,
    private readonly opts: { redis?: RedisClient; prefix?: string; log?: Logger } = {},
  ) {
    this.redisFailures = new RepeatingFailureLog(opts.log, clock, {
      job: 'sign-in attempt counting',
      message: 'redis unavailable: sign-in attempts are counted per instance',
      recovered: 'sign-in attempts are counted through redis again',
    });
  }

  /**
   * Takes one attempt for the email and one for the address; throws `too_many_login_attempts`
   * (429, retry-after) when either is past its limit.
   */
  async attempt(email: string, ip: string): Promise<void> {
    const [byEmail, byIp] = await Promise.all([this.incr(this.emailKey(email)), this.incr(this.ipKey(ip))]);
    const wait = Math.max(byEmail.count > this.limits.perEmail ? byEmail.resetInMs : 0, byIp.count > this.limits.perIp ? byIp.resetInMs : 0);
    if (wait > 0) throw new ApiError('too_many_login_attempts', { wait: formatDuration(wait) }, { headers: retryHeaders(wait) });
  }

  /**
   * One counted attempt around `verify` (a password check): true when it passed (the attempt is
   * given back), false when it failed (it stays counted); throws 429 when blocked.
   */
  async guarded(email: string, ip: string, verify: () => Promise<boolean>): Promise<boolean> {
    await this.attempt(email, ip);
    if (!(await verify())) return false;
    await this.succeeded(email, ip);
    return true;
  }

  /** The attempt succeeded: its email's count starts again; the address gets its attempt back. */
  async succeeded(email: string, ip: string): Promise<void> {
    const key = this.emailKey(email);
    this.local.delete(key);
    if (this.opts.redis) await this.opts.redis.del(key).catch(() => undefined);
    await this.decr(this.ipKey(ip));
  }

  /** The attempt was not a guess (the right password, waiting for its second factor): both get it back. */
  async release(email: string, ip: string): Promise<void> {
    await Promise.all([this.decr(this.emailKey(email)), this.decr(this.ipKey(ip))]);
  }

  // Emails are hashed in keys: Redis keys are not a place for personal data.
  private emailKey(email: string): string {
    return `${this.opts.prefix ?? 'tollgate:'}login:email:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
  }

  private ipKey(ip: string): string {
    return `${this.opts.prefix ?? 'tollgate:'}login:ip:${ip}`;
  }

  private async incr(key: string): Promise<{ count: number; resetInMs: number }> {
    if (this.opts.redis) {
      try {
        const [n, ttl] = (await runScript(this.opts.redis, INCR, [key], [this.limits.windowMs], unbounded)) as [number, number];
        this.redisFailures.ok();
        return { count: Number(n), resetInMs: Math.max(1, Number(ttl)) };
      } catch (e) {
        this.redisFailed(e);
      }
    }
    const now = this.clock.now();
    let w = this.local.get(key);
    if (!w || now >= w.resetAt) {
      w = { count: 0, resetAt: now + this.limits.windowMs };
      this.local.set(key, w);
    }
    w.count++;
    return { count: w.count, resetInMs: w.resetAt - now };
  }

  private async decr(key: string): Promise<void> {
    if (this.opts.redis) {
      try {
        await runScript(this.opts.redis, DECR, [key], [], unbounded);
        this.redisFailures.ok();
        return;
      } catch (e) {
        this.redisFailed(e);
      }
    }
    const w = this.local.get(key);
    if (w && w.count > 0) w.count--;
  }

  private redisFailed(e: unknown): void {
    this.redisFailures.failed(e);
  }
}

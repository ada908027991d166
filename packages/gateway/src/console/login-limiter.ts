/**
 * Limits failed console sign-ins per email and per client address: at most `max` failures in a
 * fixed window each. Unlike API keys (which cannot be guessed), a password can be: so a blocked
 * email or address is refused before its password is checked, and a right password is refused
 * too until the window ends. With Redis the counts are shared by every instance; if Redis fails
 * the instance counts alone until it answers again.
 * @module
 */
import { createHash } from 'node:crypto';
import { formatDuration, retryHeaders } from '@tollgate/protocol';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors/api-error.js';
import type { RedisClient } from '../redis-client.js';

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
const INCR_LUA = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`;

export class LoginLimiter {
  private readonly local = new LRUCache<string, Window>({ max: 100_000 });

  constructor(
    private readonly limits: LoginLimits,
    private readonly clock: Clock,
    private readonly opts: { redis?: RedisClient; prefix?: string; log?: Logger } = {},
  ) {}

  /** Throws `too_many_login_attempts` (429, retry-after) when the email or the address is blocked. */
  async check(email: string, ip: string): Promise<void> {
    const waits = await Promise.all([this.blockedFor(this.emailKey(email), this.limits.perEmail), this.blockedFor(this.ipKey(ip), this.limits.perIp)]);
    const wait = Math.max(...waits);
    if (wait > 0) throw new ApiError('too_many_login_attempts', { wait: formatDuration(wait) }, { headers: retryHeaders(wait) });
  }

  /** Counts one failed sign-in against the email and the address. */
  async failed(email: string, ip: string): Promise<void> {
    await Promise.all([this.incr(this.emailKey(email)), this.incr(this.ipKey(ip))]);
  }

  /** A successful sign-in clears its email's count (not the address's: others may share it). */
  async succeeded(email: string): Promise<void> {
    const key = this.emailKey(email);
    this.local.delete(key);
    if (this.opts.redis) await this.opts.redis.del(key).catch(() => undefined);
  }

  // Emails are hashed in keys: Redis keys are not a place for personal data.
  private emailKey(email: string): string {
    return `${this.opts.prefix ?? 'tollgate:'}login:email:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
  }

  private ipKey(ip: string): string {
    return `${this.opts.prefix ?? 'tollgate:'}login:ip:${ip}`;
  }

  private async blockedFor(key: string, max: number): Promise<number> {
    const now = this.clock.now();
    if (this.opts.redis) {
      try {
        const [n, ttl] = await Promise.all([this.opts.redis.get(key), this.opts.redis.pttl(key)]);
        return Number(n ?? 0) >= max ? Math.max(1, Number(ttl)) : 0;
      } catch (e) {
        this.opts.log?.warn({ err: (e as Error).message }, 'redis unavailable: sign-in attempts are counted per instance');
      }
    }
    const w = this.local.get(key);
    if (!w || now >= w.resetAt) return 0;
    return w.count >= max ? w.resetAt - now : 0;
  }

  private async incr(key: string): Promise<void> {
    const now = this.clock.now();
    if (this.opts.redis) {
      try {
        await this.opts.redis.eval(INCR_LUA, 1, key, this.limits.windowMs);
        return;
      } catch (e) {
        this.opts.log?.warn({ err: (e as Error).message }, 'redis unavailable: sign-in attempts are counted per instance');
      }
    }
    const w = this.local.get(key);
    if (!w || now >= w.resetAt) this.local.set(key, { count: 1, resetAt: now + this.limits.windowMs });
    else w.count++;
  }
}

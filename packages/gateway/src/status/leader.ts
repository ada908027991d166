/**
 * Which instance evaluates the page: one at a time, so the fleet evaluates once an interval from
 * the shared signals and probes once. With Redis, a lease renewed by its holder (SET NX PX,
 * extended only with the holder's token); alone, the instance always leads. When the lease cannot
 * be checked (Redis unreachable) every instance evaluates from its own signals; that automatic
 * incidents still open once rests on the store's conditional updates (monitor.ts), not on the lease.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis-client.js';

export interface Leadership {
  acquire(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

export const soleLeader: Leadership = { acquire: async () => true, release: async () => {} };

const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class RedisLeadership implements Leadership {
  private readonly token = randomUUID();
  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
  ) {}
  async acquire(ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE, 1, this.key, this.token, String(Math.max(1, Math.round(ttlMs))))) === 1;
  }
  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.token);
  }
}

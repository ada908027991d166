/**
 * Lua for the distributed lease semaphore: a sorted set per
 * deployment, member = lease id, score = expiry in Redis-server milliseconds. Time is read with
 * TIME inside the script, so instance clocks never matter. Plain strings, so that a test can hand
 * them to a child process that is not transformed by vitest.
 */

/** The one key a deployment's semaphore uses, hash-tagged so the scripts run on Redis Cluster. */
export function leaseKey(prefix: string, name: string): string {
  return `${prefix}{admission:${name}}:leases`;
}

/**
 * KEYS[1] = lease set; ARGV = limit, leaseMs, leaseId. Drops expired leases, then adds this one if
 * fewer than `limit` remain. Returns {1, held} when acquired, {0, held} when full. The key's own
 * expiry follows the latest lease so a dead fleet leaves nothing behind.
 */
export const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
if held >= limit then
  return {0, held}
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(top[2])) + 1)
return {1, held + 1}
`;

/**
 * KEYS[1] = lease set; ARGV = leaseMs, id1, id2, … Extends each lease that is still live to
 * now + leaseMs; an expired lease is never revived (its slot may already be someone else's).
 * Returns one 1 (refreshed) or 0 (lost) per id.
 */
export const REFRESH_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV do
  local s = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if s and tonumber(s) > now then
    redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] then
  redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(top[2])) + 1)
end
return out
`;

/**
 * The Lua scripts of the Redis counter store and the encoding of their arguments and replies.
 * Exported on their own so that tests can drive the very same scripts from other processes.
 *
 * Key layout, all under one hash tag per organization so a call touches one Redis Cluster slot:
 *   `${prefix}{${tag}}:b:${bucketKey}`  hash {l: level in units, t: last write ms, and the scale it was
 *                                       written in: q units per token, r rate, c capacity}
 *   `${prefix}{${tag}}:p:${spendKey}`   hash {s: spent, r: reserved}  (pico-dollars, decimal strings);
 *                                       the organization's month, and each of its projects' months
 *   `${prefix}{${tag}}:res`             hash reservationId → JSON record (numbers as strings)
 *   `${prefix}{${tag}}:leases`          zset reservationId scored by lease expiry (ms)
 *   `${prefix}{${tag}}:swept`           hash reservationId → {sk, a, at}: leases charged in full by
 *                                       the sweep, until the reconciliation checks them against the ledger
 *
 * The spend hash also holds `g`, the time its state was restored from the ledger. Redis that lost
 * its data (restart without persistence, flush) has no `g`: a guarded reserve then refuses with
 * the reply {-1} and writes nothing, until the gateway rebuilt the state (RESTORE_LUA).
 *
 * Rules the scripts keep (the same as MemoryCounterStore):
 * - Time is Redis `TIME`, never the caller's clock, so all instances share one clock.
 * - Every token number is an integer below 2^53 (see bucket-math.ts); numbers are written to Redis
 *   as `%d` strings because Lua's tostring prints large integers in exponent form.
 * - Money (pico-dollars, up to 2^63) exceeds what a Lua double holds exactly, so the scripts keep
 *   it in two limbs {whole dollars, pico-dollars below 10^12} and add, subtract and compare limb
 *   by limb (m_* below); it crosses the script boundary as decimal strings.
 * - Spend keys are `p:` (pico-dollars); the `s:` keys of versions that counted micro-dollars are
 *   left alone and expire, and the start-up rebuild fills the new key from the ledger.
 * - A missing bucket is a full bucket: each bucket key expires exactly when it would be full again,
 *   so idle keys vanish; spend keys expire SPEND_GRACE_MS after their period.
 * - reserve checks everything first and writes only when admitted; a rejection writes nothing.
 *   (Before deciding it sweeps expired leases of the tag: housekeeping that does not change
 *   spent + reserved, so it cannot change the decision.)
 * - The sweep and settle touch keys named inside a stored record (buckets, an earlier period's
 *   spend key). They carry the same `{tag}`, so they live in the script's slot on Cluster.
 * @module
 */
import { MAX_UNITS, RECORD_GRACE_MS, SPEND_GRACE_MS, SWEEP_BATCH, bucketScale, type BucketScale } from './bucket-math.js';
import { CounterStateLost, type BucketRestore, type BucketStatus, type PeekBucket, type ReserveFailure, type ReserveOutcome, type ReserveRequest, type RestoreRequest, type SettleRequest, type SpendState } from './counter-store.js';

/** The shortest a spend hash lives after a write, in Redis's time (see `expire_spend`). */
const SPEND_MIN_TTL_MS = 24 * 60 * 60 * 1000;

const COMMON_LUA = `
local MAX_UNITS = ${MAX_UNITS}
local function floordiv(a, b)
  local d = math.floor(a / b)
  if d * b > a then d = d - 1 elseif (d + 1) * b <= a then d = d + 1 end
  return d
end
local function ceildiv(a, b) return -floordiv(-a, b) end
local function int(n) return string.format('%d', n) end

-- Money: {hi, lo} = hi * 10^12 + lo, 0 <= lo < 10^12; both limbs are exact in a double.
local M_BASE = 1000000000000
local function m_parse(s)
  if not s or s == '' then return { 0, 0 } end
  local n = #s
  if n <= 12 then return { 0, tonumber(s) } end
  return { tonumber(string.sub(s, 1, n - 12)), tonumber(string.sub(s, n - 11)) }
end
local function m_str(a)
  if a[1] == 0 then return string.format('%d', a[2]) end
  return string.format('%d%012d', a[1], a[2])
end
local function m_add(a, b)
  local hi, lo = a[1] + b[1], a[2] + b[2]
  if lo >= M_BASE then hi, lo = hi + 1, lo - M_BASE end
  return { hi, lo }
end
local function m_cmp(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] and -1 or 1 end
  if a[2] ~= b[2] then return a[2] < b[2] and -1 or 1 end
  return 0
end
-- a - b for a >= b
local function m_sub(a, b)
  local hi, lo = a[1] - b[1], a[2] - b[2]
  if lo < 0 then hi, lo = hi - 1, lo + M_BASE end
  return { hi, lo }
end
-- max(a - b, 0)
local function m_sub0(a, b)
  if m_cmp(a, b) <= 0 then return { 0, 0 } end
  return m_sub(a, b)
end
-- a - b as a signed decimal string
local function m_diff(a, b)
  if m_cmp(a, b) >= 0 then return m_str(m_sub(a, b)) end
  return '-' .. m_str(m_sub(b, a))
end
-- Settles a held amount in a spend hash: actual is added to spent, held leaves reserved.
-- Returns whether the hash existed (every writer of a spend hash sets s or r).
local function charge_spend(key, actual, held)
  local h = redis.call('HMGET', key, 's', 'r')
  redis.call('HSET', key, 's', m_str(m_add(m_parse(h[1]), actual)), 'r', m_str(m_sub0(m_parse(h[2]), held)))
  return h[1] ~= false or h[2] ~= false
end
-- Redis time in ms, read with TIME on first use: a settlement that refunds no bucket and creates
-- no spend hash never needs it. Scripts that always do call clock() first and then read now.
local now
local function clock()
  if not now then
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return now
end

-- A spend hash expires after its period (the caller's clock) but never within SPEND_MIN_TTL_MS
-- of Redis's own time: an instance whose clock is behind Redis's across a month boundary (or a
-- test on a fake clock) must not see the hash, and its restore mark, vanish as it is written.
local function expire_spend(key, at)
  local floor = clock() + ${SPEND_MIN_TTL_MS}
  local e = tonumber(at)
  if e < floor then e = floor end
  redis.call('PEXPIREAT', key, int(e))
end

local function gcd(a, b)
  while b ~= 0 do a, b = b, a % b end
  return a
end

-- A level written at ts refilled to now in its own scale (bucket-math.ts refilled).
local function refilled(level, rate, cap, ts)
  if level >= cap then return cap end
  local e = clock() - ts
  if e <= 0 then return level end
  -- compare before multiplying, so a long idle time cannot overflow the product
  if e >= ceildiv(cap - level, rate) then return cap end
  return level + e * rate
end

-- A level of scale (sq, sc) read under (q, cap): the used tokens are kept, rounded up to a unit
-- (bucket-math.ts rescaledLevel, rule for rule).
local function rescale(level, sq, sc, q, cap)
  if level >= sc then return cap end
  local used = sc - level
  local whole = floordiv(used, sq)
  if whole >= ceildiv(cap + MAX_UNITS, q) then return -MAX_UNITS end
  local rem = used - whole * sq
  local part = 0
  if rem > 0 then
    local g = gcd(q, sq)
    local num = rem * (q / g)
    if num < 9007199254740992 then part = ceildiv(num, sq / g) else part = q end
  end
  local out = cap - whole * q - part
  if out < -MAX_UNITS then out = -MAX_UNITS end
  return out
end

-- The level refilled to now, in units of q. A level written under another limit is refilled in
-- its own scale (as its expiry says) and read with the used tokens kept. The second result is
-- true when the bucket is kept in (q, rate, cap) already: write_bucket then leaves q, r and c as
-- they are.
local function level_in(h, q, rate, cap)
  if not h[1] then return cap, false end
  local level, ts, sq = tonumber(h[1]), tonumber(h[2]), tonumber(h[3])
  if not h[5] then
    -- Written before the scale was kept with the level (gone within a window of the upgrade):
    -- only q is known, so it is read as before.
    if sq ~= q then level = floordiv(level, sq) * q end
    return refilled(level, rate, cap, ts)
  end
  local sr, sc = tonumber(h[4]), tonumber(h[5])
  if sq == q and sr == rate and sc == cap then return refilled(level, rate, cap, ts), true end
  return rescale(refilled(level, sr, sc, ts), sq, sc, q, cap), false
end
-- A bucket's fields, as level_in reads them.
local function bucket_fields(key) return redis.call('HMGET', key, 'l', 't', 'q', 'r', 'c') end
local function level_of(key, q, rate, cap) return level_in(bucket_fields(key), q, rate, cap) end

-- The ms until a level of scale (sq, sr, sc) refilled to now, read under (q, cap), holds need
-- units of q: it refills at its own rate until written (bucket-math.ts rescaledWait, rule for rule).
local function rescaled_wait(level, sq, sr, sc, q, cap, need)
  local free = cap - need
  local whole = floordiv(free, q)
  local rem = free - whole * q
  local g = gcd(q, sq)
  local num = rem * (sq / g)
  local max_used = whole * sq
  if num < 9007199254740992 then max_used = max_used + floordiv(num, q / g) end
  local target = sc - max_used
  if level >= target then return 0 end
  return ceildiv(target - level, sr)
end

-- The ms until a bucket at level (now, in units of q) holds need units: at rate, or for a level
-- written under another limit, at its own (the memory store's waitFor).
local function wait_for(key, q, rate, cap, level, need)
  if level >= need then return 0 end
  local h = redis.call('HMGET', key, 'l', 't', 'q', 'r', 'c')
  if h[1] and h[5] then
    local sq, sr, sc = tonumber(h[3]), tonumber(h[4]), tonumber(h[5])
    if not (sq == q and sr == rate and sc == cap) then
      return rescaled_wait(refilled(tonumber(h[1]), sr, sc, tonumber(h[2])), sq, sr, sc, q, cap, need)
    end
  end
  return ceildiv(need - level, rate)
end

-- Expired leases: their reserved spend is charged in full (remembered in the swept hash, for the
-- reconciliation with the ledger); bucket tokens stay consumed.
local function sweep(leases, records, swept, batch)
  clock()
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', int(now), 'LIMIT', 0, batch)
  for _, old in ipairs(expired) do
    local raw = redis.call('HGET', records, old)
    if raw then
      local rec = cjson.decode(raw)
      if rec.sk and redis.call('EXISTS', rec.sk) == 1 then
        local amount = m_parse(rec.sa)
        charge_spend(rec.sk, amount, amount)
        -- The project's spend was held with the same amount: charged the same.
        if rec.pk and redis.call('EXISTS', rec.pk) == 1 then charge_spend(rec.pk, amount, amount) end
        redis.call('HSET', swept, old, cjson.encode({ sk = rec.sk, pk = rec.pk, a = rec.sa, at = int(now) }))
        local ttl = redis.call('PTTL', swept)
        local exp = tonumber(rec.se)
        if ttl < 0 or now + ttl < exp then redis.call('PEXPIREAT', swept, int(exp)) end
      end
      redis.call('HDEL', records, old)
    end
    redis.call('ZREM', leases, old)
  end
  return #expired
end

-- Redis time in ms as the decimal string a bucket's t holds, made once per call.
local now_text
-- Writes a bucket's level at now. \`kept\`: level_of found it in this scale, so its q, r and c hold
-- these numbers already (no other write can come between: the script runs alone).
local function write_bucket(key, level, q, rate, cap, kept)
  if level >= cap then
    redis.call('DEL', key)
    return
  end
  now_text = now_text or int(clock())
  if kept then
    redis.call('HSET', key, 'l', int(level), 't', now_text)
  else
    redis.call('HSET', key, 'l', int(level), 't', now_text, 'q', int(q), 'r', int(rate), 'c', int(cap))
  end
  redis.call('PEXPIRE', key, int(ceildiv(cap - level, rate)))
end
`;

/**
 * KEYS: 1 leases, 2 records, 3 spend (the records key again when there is no spend), 4 swept,
 *       5 project spend (the records key again when there is none), 5+i bucket i (n = #KEYS - 5).
 * ARGV: 1 id, 2 leaseMs, 3 hasSpend, 4 hardLimit (-1 = none), 5 amount, 6 spendExpireAt,
 *       7 guarded, 8 hasProjectSpend, 9 project hardLimit (-1 = none), then per bucket: limit,
 *       windowMs, cost. A bucket's scale (q, rate, capacity: bucketScale) is computed here, so the
 *       call carries three numbers per bucket, not five; the record grace and the sweep batch
 *       are constants of the script.
 * Reply: {-1} when guarded and the organization's spend state was lost, {-2} when only the
 *        project's was (nothing written); else
 *        admitted, (remaining, resetMs)×n, hasSpend, spent, reserved,
 *        hasProjectSpend, project spent, project reserved,
 *        nFailures, (target (-1 = spend, -2 = project spend), available, retryAfterMs (-1 = never))×nFailures.
 *        The caller knows each bucket's limit and n: the reply does not repeat them.
 */
export const RESERVE_LUA = `${COMMON_LUA}
clock()
local id = ARGV[1]
if redis.call('HEXISTS', KEYS[2], id) == 1 then
  return redis.error_reply('ERR duplicate reservation id ' .. id)
end
local has_spend = ARGV[3] == '1'
local has_project = has_spend and ARGV[8] == '1'
local guarded = ARGV[7] == '1'
-- Each spend hash is read once: spent, reserved and the restore mark g.
local sh, ph
if has_spend then
  sh = redis.call('HMGET', KEYS[3], 's', 'r', 'g')
  if guarded and not sh[3] then return { -1 } end
end
if has_project then
  ph = redis.call('HMGET', KEYS[5], 's', 'r', 'g')
  if guarded and not ph[3] then return { -2 } end
end

-- The sweep moves expired leases' spend from reserved to spent: read again only if it did.
if sweep(KEYS[1], KEYS[2], KEYS[4], ${SWEEP_BATCH}) > 0 then
  if has_spend then sh = redis.call('HMGET', KEYS[3], 's', 'r', 'g') end
  if has_project then ph = redis.call('HMGET', KEYS[5], 's', 'r', 'g') end
end

-- Check every limit against the state refilled to now; write nothing yet.
local n = #KEYS - 5
local b, levels, failures = {}, {}, {}
for i = 1, n do
  local base = 9 + (i - 1) * 3
  local limit, window = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  -- bucketScale (bucket-math.ts): exact, as limit × q is at most MAX_UNITS (validated by the caller).
  local g = gcd(limit, window)
  local q = window / g
  local x = { limit = limit, q = q, rate = limit / g, cap = limit * q, cost = tonumber(ARGV[base + 3]), cost_text = ARGV[base + 3], key = KEYS[5 + i] }
  b[i] = x
  local level
  level, x.kept = level_of(x.key, x.q, x.rate, x.cap)
  levels[i] = level
  local need = x.cost * x.q
  if x.cost > x.limit then
    failures[#failures + 1] = { i - 1, floordiv(level, x.q), -1 }
  elseif level < need then
    failures[#failures + 1] = { i - 1, floordiv(level, x.q), wait_for(x.key, x.q, x.rate, x.cap, level, need) }
  end
end
local amount = m_parse(ARGV[5])
-- A spend hash's spent and reserved (h, as read above); a failure (target) when amount more
-- would pass hard ('-1' = no limit).
local function check_spend(h, hard, target)
  local s, r = m_parse(h[1]), m_parse(h[2])
  if hard ~= '-1' then
    local limit, held = m_parse(hard), m_add(s, r)
    if m_cmp(m_add(held, amount), limit) > 0 then
      failures[#failures + 1] = { target, m_diff(limit, held), -1 }
    end
  end
  return s, r
end
local spent, reserved = { 0, 0 }, { 0, 0 }
if has_spend then spent, reserved = check_spend(sh, ARGV[4], -1) end
local pspent, preserved = { 0, 0 }, { 0, 0 }
if has_project then pspent, preserved = check_spend(ph, ARGV[9], -2) end

local admitted = #failures == 0
if admitted then
  local lease_exp = now + tonumber(ARGV[2])
  local rec_exp = lease_exp + ${RECORD_GRACE_MS}
  local rec = { b = {} }
  for i = 1, n do
    local x = b[i]
    if x.cost > 0 then
      levels[i] = levels[i] - x.cost * x.q
      write_bucket(x.key, levels[i], x.q, x.rate, x.cap, x.kept)
    end
    rec.b[i] = { x.key, x.cost_text, int(x.q), int(x.rate), int(x.cap) }
  end
  if has_spend then
    -- Only a new hash, or one whose period ended long ago by Redis's clock (the floor of
    -- expire_spend applies), needs its expiry set: every writer of a spend hash sets it, to the
    -- same period end, so an existing hash already has it.
    local floored = tonumber(ARGV[6]) < now + ${SPEND_MIN_TTL_MS}
    -- Holds amount more in a spend hash (h as read); returns its new reserved.
    local function hold(key, h, r)
      r = m_add(r, amount)
      redis.call('HSET', key, 'r', m_str(r))
      if floored or not (h[1] or h[2] or h[3]) then expire_spend(key, ARGV[6]) end
      return r
    end
    reserved = hold(KEYS[3], sh, reserved)
    rec.sk = KEYS[3]
    rec.sa = m_str(amount)
    rec.se = ARGV[6]
    if tonumber(ARGV[6]) > rec_exp then rec_exp = tonumber(ARGV[6]) end
    if has_project then
      preserved = hold(KEYS[5], ph, preserved)
      rec.pk = KEYS[5]
    end
  end
  redis.call('HSET', KEYS[2], id, cjson.encode(rec))
  redis.call('ZADD', KEYS[1], int(lease_exp), id)
  -- The index and the records live as long as their longest-lived record. They hold the same
  -- ids (added here, removed together by settle and sweep) and always get the same expiry, so
  -- the records' tells both.
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl < 0 or now + ttl < rec_exp then
    redis.call('PEXPIREAT', KEYS[1], int(rec_exp))
    redis.call('PEXPIREAT', KEYS[2], int(rec_exp))
  end
end

local reply = { admitted and 1 or 0 }
for i = 1, n do
  local x, level = b[i], levels[i]
  local remaining = floordiv(level, x.q)
  if remaining < 0 then remaining = 0 end
  local reset = 0
  if level < x.cap then
    -- Admitted, the level is written in this scale; refused, it may still be in another.
    if admitted then reset = ceildiv(x.cap - level, x.rate) else reset = wait_for(x.key, x.q, x.rate, x.cap, level, x.cap) end
  end
  reply[#reply + 1] = remaining
  reply[#reply + 1] = reset
end
reply[#reply + 1] = has_spend and 1 or 0
reply[#reply + 1] = m_str(spent)
reply[#reply + 1] = m_str(reserved)
reply[#reply + 1] = has_project and 1 or 0
reply[#reply + 1] = m_str(pspent)
reply[#reply + 1] = m_str(preserved)
reply[#reply + 1] = #failures
for _, f in ipairs(failures) do
  reply[#reply + 1] = f[1]
  reply[#reply + 1] = f[2]
  reply[#reply + 1] = f[3]
end
return reply
`;

/**
 * Settles n reservations of one tag (organization) in one call: the settlements one gateway
 * process requests in one event-loop turn (see RedisCounterStore.settle).
 * KEYS: 1 leases, 2 records. ARGV: 1 n, then per settlement: id, hasSpendAmount, spendAmount,
 * nCosts, costs (nCosts of them).
 * Reply: per settlement, in order, 1 if this call settled the reservation, 0 if it was unknown,
 * already settled (also earlier in the same call) or swept; or an error reply when that settlement
 * failed (each runs under pcall, so one failing record cannot fail the others).
 */
export const SETTLE_LUA = `${COMMON_LUA}
-- One settlement whose arguments start after ARGV[a].
local function settle(a)
  local id = ARGV[a + 1]
  local raw = redis.call('HGET', KEYS[2], id)
  if not raw then return 0 end
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[1], id)
  local rec = cjson.decode(raw)
  local nc = tonumber(ARGV[a + 4])
  for i, x in ipairs(rec.b) do
    local cost = tonumber(x[2])
    local actual = cost
    if i <= nc then actual = tonumber(ARGV[a + 4 + i]) end
    if actual ~= cost then
      -- Refund (or debit) whole tokens against the level refilled to now, in the scale the bucket
      -- is in now (a limit changed since the reserve: the current one; a full bucket: the
      -- reservation's); never above capacity, debt floored.
      local h = bucket_fields(x[1])
      local q, rate, cap
      -- The scale it was written in, else (full, or written before the scale was kept) the reservation's.
      if h[5] then q, rate, cap = tonumber(h[3]), tonumber(h[4]), tonumber(h[5]) else q, rate, cap = tonumber(x[3]), tonumber(x[4]), tonumber(x[5]) end
      local level, kept = level_in(h, q, rate, cap)
      level = level + (cost - actual) * q
      if level > cap then level = cap end
      if level < -MAX_UNITS then level = -MAX_UNITS end
      write_bucket(x[1], level, q, rate, cap, kept)
    end
  end
  if rec.sk then
    local amount = m_parse(rec.sa)
    local actual = amount
    if ARGV[a + 2] == '1' then actual = m_parse(ARGV[a + 3]) end
    -- The organization's counter, and the project's that held the same amount.
    for _, key in ipairs({ rec.sk, rec.pk }) do
      if not charge_spend(key, actual, amount) then expire_spend(key, rec.se) end
    end
  end
  return 1
end

local out, a = {}, 1
for k = 1, tonumber(ARGV[1]) do
  local ok, res = pcall(settle, a)
  if ok then
    out[k] = res
  else
    -- redis.call raises {err = message}; a Lua runtime error is a string
    if type(res) == 'table' then res = res.err end
    out[k] = redis.error_reply(tostring(res))
  end
  a = a + 4 + tonumber(ARGV[a + 4])
end
return out
`;

/**
 * `lower(k, a, n)`: n buckets, KEYS[k + i] with ARGV[a + 4(i−1) + 1..4] = q, rate, capacity,
 * deficit, each lowered to capacity − deficit in its scale unless it is already that low (the
 * memory store's `lower`). The caller has called clock().
 */
const LOWER_LUA = `${COMMON_LUA}
local function lower(k, a, n)
  for i = 1, n do
    local base = a + (i - 1) * 4
    local q, rate, cap, deficit = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
    local level = cap - deficit
    if level < -MAX_UNITS then level = -MAX_UNITS end
    local now_level, kept = level_of(KEYS[k + i], q, rate, cap)
    if level < now_level then write_bucket(KEYS[k + i], level, q, rate, cap, kept) end
  end
end
`;

/**
 * State rebuilt from the ledger. KEYS: 1 spend, 1+i bucket i. ARGV: 1 spent, 2 expireAt, 3 n,
 * then per bucket: q, rate, capacity, deficit (units). Reply 1, or 0 when already restored.
 */
export const RESTORE_LUA = `${LOWER_LUA}
clock()
if redis.call('HEXISTS', KEYS[1], 'g') == 1 then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'g', int(now))
if redis.call('HEXISTS', KEYS[1], 'r') == 0 then redis.call('HSET', KEYS[1], 'r', '0') end
expire_spend(KEYS[1], ARGV[2])
lower(1, 3, tonumber(ARGV[3]))
return 1
`;

/**
 * Buckets started under a new or changed limit (CounterStore.seed): each becomes the lower of
 * capacity − deficit and its level now, never below empty, written in the new scale. KEYS: the
 * buckets. ARGV: per bucket q, rate, capacity, deficit (units). Reply 1.
 */
export const SEED_LUA = `${COMMON_LUA}
clock()
for i = 1, #KEYS do
  local base = (i - 1) * 4
  local q, rate, cap, deficit = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
  local now_level, kept = level_of(KEYS[i], q, rate, cap)
  local level = math.min(cap - deficit, now_level)
  if level < 0 then level = 0 end
  write_bucket(KEYS[i], level, q, rate, cap, kept)
end
return 1
`;

/** KEYS: 1 leases, 2 records, 3 swept. ARGV: 1 batch. Reply: leases swept. */
export const SWEEP_LUA = `${COMMON_LUA}
return sweep(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]))
`;

/**
 * The reconciliation's repair, in one step. KEYS: 1 swept, 2 spend (this period).
 * ARGV: 1 graceMs, 2 ledger spent this period, 3 n, then per swept lease: id, kind, delta
 * (money as decimal strings, the delta signed).
 * kind `p`: the request is in the ledger, `delta` (its cost − the amount charged) applies now;
 * kind `a`: it is not, `delta` (− the amount charged) applies once it was swept graceMs ago.
 * Then a spend counter below the ledger (spent + reserved < ledger) is raised to it.
 * Reply: spent, reserved, leases corrected, pico-dollars the floor added (money as strings).
 */
export const RECONCILE_LUA = `${COMMON_LUA}
clock()
local grace = tonumber(ARGV[1])
local fixed = 0
for i = 1, tonumber(ARGV[3]) do
  local base = 3 + (i - 1) * 3
  local id, kind, delta = ARGV[base + 1], ARGV[base + 2], ARGV[base + 3]
  local raw = redis.call('HGET', KEYS[1], id)
  if raw then
    local rec = cjson.decode(raw)
    if kind == 'p' or now - tonumber(rec.at) >= grace then
      redis.call('HDEL', KEYS[1], id)
      fixed = fixed + 1
      -- The organization's counter, and the project's that was charged the same.
      for _, key in ipairs({ rec.sk, rec.pk }) do
        if key and redis.call('EXISTS', key) == 1 then
          local s = m_parse(redis.call('HGET', key, 's'))
          if string.sub(delta, 1, 1) == '-' then s = m_sub0(s, m_parse(string.sub(delta, 2))) else s = m_add(s, m_parse(delta)) end
          redis.call('HSET', key, 's', m_str(s))
        end
      end
    end
  end
end
local h = redis.call('HMGET', KEYS[2], 's', 'r', 'g')
local s, r, floor = m_parse(h[1]), m_parse(h[2]), { 0, 0 }
local ledger = m_parse(ARGV[2])
if h[3] and m_cmp(m_add(s, r), ledger) < 0 then
  floor = m_sub(ledger, m_add(s, r))
  s = m_sub(ledger, r)
  redis.call('HSET', KEYS[2], 's', m_str(s))
end
return { m_str(s), m_str(r), fixed, m_str(floor) }
`;

/** KEYS: 1 spend. ARGV: 1 spent, 2 expireAt. Keeps `reserved`. */
export const SET_SPENT_LUA = `${COMMON_LUA}
redis.call('HSET', KEYS[1], 's', ARGV[1])
expire_spend(KEYS[1], ARGV[2])
return 1
`;

/**
 * Reads buckets without writing: KEYS are the bucket keys; ARGV per bucket: limit, q, rate,
 * capacity. Reply: (limit, remaining, resetMs) per bucket. Only HMGET and TIME are called, so a
 * peek never changes a level, a timestamp or an expiry (the console's "left right now").
 */
export const PEEK_LUA = `${COMMON_LUA}
local out = {}
for i = 1, #KEYS do
  local a = (i - 1) * 4
  local limit, q, rate, cap = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local level = level_of(KEYS[i], q, rate, cap)
  local remaining = floordiv(level, q)
  if remaining < 0 then remaining = 0 end
  local reset = wait_for(KEYS[i], q, rate, cap, level, cap)
  out[#out + 1] = int(limit)
  out[#out + 1] = int(remaining)
  out[#out + 1] = int(reset)
end
return out
`;

export interface ScriptCall {
  keys: string[];
  args: string[];
}

export const keyBase = (prefix: string, tag: string): string => `${prefix}{${tag}}:`;
export const leasesKey = (prefix: string, tag: string): string => `${keyBase(prefix, tag)}leases`;
export const recordsKey = (prefix: string, tag: string): string => `${keyBase(prefix, tag)}res`;
export const spendKey = (prefix: string, tag: string, key: string): string => `${keyBase(prefix, tag)}p:${key}`;
export const bucketKey = (prefix: string, tag: string, key: string): string => `${keyBase(prefix, tag)}b:${key}`;
export const sweptKey = (prefix: string, tag: string): string => `${keyBase(prefix, tag)}swept`;

const str = (n: number): string => String(n);

/** KEYS and ARGV of one reserve call (the request must already be validated). */
export function encodeReserve(prefix: string, r: ReserveRequest): ScriptCall {
  const project = r.spend ? r.projectSpend : undefined;
  const keys = [
    leasesKey(prefix, r.tag),
    recordsKey(prefix, r.tag),
    r.spend ? spendKey(prefix, r.tag, r.spend.key) : recordsKey(prefix, r.tag),
    sweptKey(prefix, r.tag),
    project ? spendKey(prefix, r.tag, project.key) : recordsKey(prefix, r.tag),
  ];
  const args = [
    r.reservationId,
    str(r.leaseMs),
    r.spend ? '1' : '0',
    r.spend?.hardLimit == null ? '-1' : r.spend.hardLimit.toString(),
    (r.spend?.amount ?? 0n).toString(),
    str(r.spend ? r.spend.periodEndMs + SPEND_GRACE_MS : 0),
    r.spend?.guarded ? '1' : '0',
    project ? '1' : '0',
    project?.hardLimit == null ? '-1' : project.hardLimit.toString(),
  ];
  for (const b of r.buckets) {
    keys.push(bucketKey(prefix, r.tag, b.key));
    args.push(str(b.limit), str(b.windowMs), str(b.cost));
  }
  return { keys, args };
}

/** The ARGV of one settlement within a settle call (the request must already be validated). */
export function settleArgs(s: SettleRequest): string[] {
  const costs = s.bucketCosts ?? [];
  const args = [s.reservationId, s.spendAmount === undefined ? '0' : '1', (s.spendAmount ?? 0n).toString(), str(costs.length)];
  for (const c of costs) args.push(str(c));
  return args;
}

/** KEYS and ARGV of one settle call of the tag's settlements, each given by its `settleArgs`. */
export function encodeSettles(prefix: string, tag: string, entries: readonly (readonly string[])[]): ScriptCall {
  const args = [str(entries.length)];
  for (const e of entries) for (const x of e) args.push(x);
  return { keys: [leasesKey(prefix, tag), recordsKey(prefix, tag)], args };
}

/** KEYS and ARGV of a settle call of one settlement (the request must already be validated). */
export const encodeSettle = (prefix: string, s: SettleRequest): ScriptCall => encodeSettles(prefix, s.tag, [settleArgs(s)]);

function int(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`counter store: unexpected script reply value ${String(v)}`);
  return n;
}

/** KEYS and ARGV of one restore call (the request must already be validated). */
export function encodeRestore(prefix: string, r: RestoreRequest): ScriptCall {
  const keys = [spendKey(prefix, r.tag, r.spend.key)];
  const args = [r.spend.spent.toString(), str(r.spend.periodEndMs + SPEND_GRACE_MS), str(r.buckets.length)];
  for (const b of r.buckets) {
    const s = bucketScale(b.limit, b.windowMs);
    keys.push(bucketKey(prefix, r.tag, b.key));
    args.push(str(s.q), str(s.rate), str(s.capacity), str(b.deficitUnits));
  }
  return { keys, args };
}

/**
 * KEYS and ARGV of a call over buckets of one tag (validated, all under the tag's hash slot): each
 * bucket's key, and its ARGV from `argsOf` given its scale.
 */
function bucketCall<B extends PeekBucket>(prefix: string, tag: string, buckets: readonly B[], argsOf: (b: B, s: BucketScale) => string[]): ScriptCall {
  const keys: string[] = [];
  const args: string[] = [];
  for (const b of buckets) {
    keys.push(bucketKey(prefix, tag, b.key));
    args.push(...argsOf(b, bucketScale(b.limit, b.windowMs)));
  }
  return { keys, args };
}

/** KEYS and ARGV of one seed call (SEED_LUA). */
export const encodeSeed = (prefix: string, tag: string, buckets: readonly BucketRestore[]): ScriptCall => bucketCall(prefix, tag, buckets, (b, s) => [str(s.q), str(s.rate), str(s.capacity), str(b.deficitUnits)]);

/** KEYS and ARGV of one peek call (PEEK_LUA). */
export const encodePeek = (prefix: string, tag: string, buckets: readonly PeekBucket[]): ScriptCall => bucketCall(prefix, tag, buckets, (b, s) => [str(b.limit), str(s.q), str(s.rate), str(s.capacity)]);

export function decodePeek(reply: unknown): BucketStatus[] {
  if (!Array.isArray(reply) || reply.length % 3 !== 0) throw new Error('counter store: unexpected peek reply');
  const out: BucketStatus[] = [];
  for (let i = 0; i < reply.length; i += 3) out.push({ limit: int(reply[i]), remaining: int(reply[i + 1]), resetMs: int(reply[i + 2]) });
  return out;
}

/** A money value of a script reply (a decimal string) as pico-dollars. */
export function money(v: unknown): bigint {
  const t = typeof v === 'number' ? String(v) : v;
  if (typeof t !== 'string' || !/^-?\d+$/.test(t)) throw new Error(`counter store: unexpected script money value ${String(v)}`);
  return BigInt(t);
}

/**
 * Turns the reserve script's flat reply to `r` (its buckets' limits, in order) into a
 * ReserveOutcome; throws CounterStateLost for {-1} and {-2}.
 */
export function decodeReserve(reply: unknown, r: Pick<ReserveRequest, 'tag' | 'buckets'>): ReserveOutcome {
  if (!Array.isArray(reply)) throw new Error('counter store: unexpected reserve reply');
  if (reply.length === 1) throw new CounterStateLost(r.tag, int(reply[0]) === -2 ? 'project' : 'organization');
  let i = 0;
  const next = () => int(reply[i++]);
  const admitted = next() === 1;
  const buckets: BucketStatus[] = [];
  for (const b of r.buckets) buckets.push({ limit: b.limit, remaining: next(), resetMs: next() });
  const hasSpend = next() === 1;
  const spend: SpendState = { spent: money(reply[i++]), reserved: money(reply[i++]) };
  const hasProject = next() === 1;
  const projectSpend: SpendState = { spent: money(reply[i++]), reserved: money(reply[i++]) };
  const failures: ReserveFailure[] = [];
  for (let k = next(); k > 0; k--) {
    const target = next();
    if (target < 0) {
      failures.push({ target: target === -2 ? 'project_spend' : 'spend', available: money(reply[i++]), retryAfterMs: null });
      i++;
      continue;
    }
    const available = next();
    const retry = next();
    failures.push({ target, available, retryAfterMs: retry < 0 ? null : retry });
  }
  const base = { buckets, ...(hasSpend && { spend }), ...(hasProject && { projectSpend }) };
  return admitted ? { admitted: true, ...base } : { admitted: false, ...base, failures };
}

/**
 * Integer arithmetic and input rules shared by both counter stores, so that the memory store and
 * the Lua scripts make the same decisions to the unit.
 *
 * A bucket with `limit` L over `windowMs` W refills L/W tokens per ms, which is rarely an integer.
 * To keep every quantity an exact integer (Lua numbers are doubles, exact only below 2^53) the
 * level is stored in units of 1/q token with q = W / gcd(L, W); one millisecond then adds exactly
 * `rate` = L / gcd(L, W) units and a full bucket holds `capacity` = L·q units. Every magnitude is
 * kept below 2^50, so sums and the products in the division helpers stay exact.
 * @module
 */
import type { BucketRestore, PeekBucket, ReserveRequest, SettleRequest } from './counter-store.js';

/** Largest money amount (pico-dollars) a counter takes: a 64-bit signed integer, as the databases store it. */
export const MAX_MONEY = 2n ** 63n - 1n;

/** Upper bound of a bucket's capacity in units, and of its debt (the level's floor is −MAX_UNITS). */
export const MAX_UNITS = 2 ** 50;

/** How many expired reservations one reserve call sweeps at most (the rest go on later calls). */
export const SWEEP_BATCH = 64;

/** Spend counters live this long after their period ends (late settlements still land). */
export const SPEND_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

/** Reservation records outlive their lease by this much, so the sweep finds them before expiry. */
export const RECORD_GRACE_MS = 60 * 60 * 1000;

export interface BucketScale {
  /** Units per token. */
  q: number;
  /** Units added per millisecond. */
  rate: number;
  /** Units in a full bucket (limit · q). */
  capacity: number;
}

export function gcd(a: number, b: number): number {
  while (b !== 0) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}

/** ⌊a / b⌋ for integers, b > 0, exact even where the float quotient rounds across an integer. */
export function floorDiv(a: number, b: number): number {
  let d = Math.floor(a / b);
  if (d * b > a) d -= 1;
  else if ((d + 1) * b <= a) d += 1;
  return d;
}

/** ⌈a / b⌉ for integers, b > 0. */
export function ceilDiv(a: number, b: number): number {
  return -floorDiv(-a, b);
}

/** `bucketScale(limit, windowMs).capacity`, without the object. */
function capacityOf(limit: number, windowMs: number): number {
  return limit * (windowMs / gcd(limit, windowMs));
}

export function bucketScale(limit: number, windowMs: number): BucketScale {
  const g = gcd(limit, windowMs);
  const q = windowMs / g;
  return { q, rate: limit / g, capacity: limit * q };
}

/** The largest integer below which every integer is exact in a double (and in a Lua number). */
const EXACT = 2 ** 53;

/**
 * A level refilled over `elapsed` ms in its own scale: `capacity` once full (compared before
 * multiplying, so a long idle time cannot overflow the product).
 */
export function refilled(level: number, s: BucketScale, elapsed: number): number {
  if (level >= s.capacity) return s.capacity;
  if (elapsed <= 0) return level;
  return elapsed >= ceilDiv(s.capacity - level, s.rate) ? s.capacity : level + elapsed * s.rate;
}

export const sameScale = (a: BucketScale, b: BucketScale): boolean => a === b || (a.q === b.q && a.rate === b.rate && a.capacity === b.capacity);

/**
 * A level of scale `from` read under scale `to` (the limit was changed): what was used, `from`'s
 * capacity − level, stays used — the same tokens in `to`'s units, rounded up to a whole unit
 * (never in the caller's favour) — and the level is `to`'s capacity less that, floored at
 * −MAX_UNITS. So a raised limit leaves the new limit − used, a lowered one refuses until enough
 * of the used tokens drained — at the rate the level was written in, until a reserve writes it in
 * the new scale (`rescaledWait`); neither starts a fresh bucket nor forgets what was used.
 *
 * Integer-exact: used = a·from.q + rem (rem < from.q), and a·to.q + ⌈rem·to.q / from.q⌉ is
 * computed with the fraction reduced by gcd(to.q, from.q), whose product stays below
 * lcm(from.q, to.q) — a divisor of the window when both scales share it, so exact. Should it ever
 * not be (a key read with another window), the fraction counts as one whole token.
 * Mirrored by `rescale` in redis-scripts.ts.
 */
export function rescaledLevel(level: number, from: BucketScale, to: BucketScale): number {
  if (level >= from.capacity) return to.capacity;
  const used = from.capacity - level;
  const whole = floorDiv(used, from.q);
  // Compare before multiplying: a debt beyond the floor in the new units is the floor.
  if (whole >= ceilDiv(to.capacity + MAX_UNITS, to.q)) return -MAX_UNITS;
  const rem = used - whole * from.q;
  let part = 0;
  if (rem > 0) {
    const g = gcd(to.q, from.q);
    const num = rem * (to.q / g);
    part = num < EXACT ? ceilDiv(num, from.q / g) : to.q;
  }
  return Math.max(-MAX_UNITS, to.capacity - whole * to.q - part);
}

/**
 * The ms until a level kept in scale `from` (refilled to now: `level`), read under `to`, reaches
 * `need` units of `to`. Such a level keeps refilling at its own rate until a reserve writes it in
 * the new scale (a refusal writes nothing, and its key expires on that schedule), so this is the
 * time the rescaled level is admitted at — and, with `need` = `to.capacity`, the time it is full:
 * a lowered limit waits for what was used to drain at the old rate, never longer than the old
 * window. Integer-exact as `rescaledLevel`: the most `from` units that may still be used is
 * ⌊(to.capacity − need)·from.q / to.q⌋, split as there. Mirrored by `rescaled_wait` in redis-scripts.ts.
 */
export function rescaledWait(level: number, from: BucketScale, to: BucketScale, need: number): number {
  const free = to.capacity - need; // the most units of `to` that may stay used
  const whole = floorDiv(free, to.q);
  const rem = free - whole * to.q;
  const g = gcd(to.q, from.q);
  const num = rem * (from.q / g);
  const maxUsed = whole * from.q + (num < EXACT ? floorDiv(num, to.q / g) : 0);
  const target = from.capacity - maxUsed;
  return level >= target ? 0 : ceilDiv(target - level, from.rate);
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isMoney = (n: unknown): n is bigint => typeof n === 'bigint' && n >= 0n && n <= MAX_MONEY;

/** Throws when `ok` is false (a message without values: nothing is built when the check passes). */
function check(ok: boolean, what: string): void {
  if (!ok) fail(what);
}

/**
 * The error of a failed check. A message quoting values is built only here, under an `if`: these
 * checks run on every request, and a template literal passed as an argument would be built each
 * time, passing or not.
 */
function fail(what: string): never {
  throw new RangeError(`counter store: ${what}`);
}

/** A tag becomes a Redis Cluster hash tag `{tag}`, so it must not contain braces. */
export function validateTag(tag: string): void {
  if (!(typeof tag === 'string' && tag.length > 0 && !/[{}]/.test(tag))) fail(`tag must be a non-empty string without braces, got ${JSON.stringify(tag)}`);
}

export function validateReserve(r: ReserveRequest): void {
  validateTag(r.tag);
  check(typeof r.reservationId === 'string' && r.reservationId.length > 0, 'reservationId must be a non-empty string');
  if (!(isCount(r.leaseMs) && r.leaseMs > 0)) fail(`leaseMs must be a positive integer, got ${r.leaseMs}`);
  const buckets = r.buckets;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    check(typeof b.key === 'string' && b.key.length > 0, 'bucket key must be a non-empty string');
    // A call holds a dozen buckets at most: compared pairwise, not through a Set made per request.
    for (let j = 0; j < i; j++) if (buckets[j]!.key === b.key) fail(`bucket key ${b.key} appears twice in one call`);
    if (!(isCount(b.limit) && b.limit > 0)) fail(`bucket ${b.key}: limit must be a positive integer, got ${b.limit}`);
    if (!(isCount(b.windowMs) && b.windowMs > 0)) fail(`bucket ${b.key}: windowMs must be a positive integer, got ${b.windowMs}`);
    if (!isCount(b.cost)) fail(`bucket ${b.key}: cost must be a non-negative integer, got ${b.cost}`);
    if (!(capacityOf(b.limit, b.windowMs) <= MAX_UNITS)) fail(`bucket ${b.key}: limit ${b.limit} per ${b.windowMs} ms is too fine to count exactly (limit × windowMs / gcd must stay below 2^50)`);
  }
  if (r.spend) {
    const s = r.spend;
    check(typeof s.key === 'string' && s.key.length > 0, 'spend key must be a non-empty string');
    if (!(s.hardLimit === null || isMoney(s.hardLimit))) fail(`spend hardLimit must be null or a bigint in [0, 2^63), got ${String(s.hardLimit)}`);
    if (!isMoney(s.amount)) fail(`spend amount must be a bigint in [0, 2^63) (pico-dollars), got ${String(s.amount)}`);
    if (!isCount(s.periodEndMs)) fail(`spend periodEndMs must be an integer epoch ms, got ${s.periodEndMs}`);
  }
  if (r.projectSpend) {
    const p = r.projectSpend;
    check(r.spend !== undefined, 'projectSpend needs spend (it is charged the same amount for the same period)');
    check(typeof p.key === 'string' && p.key.length > 0 && p.key !== r.spend?.key, 'projectSpend key must be a non-empty string other than the spend key');
    if (!(p.hardLimit === null || isMoney(p.hardLimit))) fail(`projectSpend hardLimit must be null or a bigint in [0, 2^63), got ${String(p.hardLimit)}`);
  }
}

export function validatePeek(tag: string, buckets: readonly PeekBucket[]): void {
  validateTag(tag);
  for (const b of buckets) {
    check(typeof b.key === 'string' && b.key.length > 0, 'bucket key must be a non-empty string');
    if (!(isCount(b.limit) && b.limit > 0)) fail(`bucket ${b.key}: limit must be a positive integer, got ${b.limit}`);
    if (!(isCount(b.windowMs) && b.windowMs > 0)) fail(`bucket ${b.key}: windowMs must be a positive integer, got ${b.windowMs}`);
    if (!(bucketScale(b.limit, b.windowMs).capacity <= MAX_UNITS)) fail(`bucket ${b.key}: limit ${b.limit} per ${b.windowMs} ms is too fine to count exactly`);
  }
}

/** A seed's (or a restore's) buckets: the same keys, limits and windows a reserve takes, deficits whole units >= 0. */
export function validateBucketRestores(tag: string, buckets: readonly BucketRestore[]): void {
  validatePeek(tag, buckets);
  for (const b of buckets) if (!isCount(b.deficitUnits)) fail(`bucket ${b.key}: deficitUnits must be a non-negative integer, got ${b.deficitUnits}`);
}

export function validateSettle(s: SettleRequest): void {
  validateTag(s.tag);
  check(typeof s.reservationId === 'string' && s.reservationId.length > 0, 'reservationId must be a non-empty string');
  for (const c of s.bucketCosts ?? []) if (!isCount(c)) fail(`actual bucket cost must be a non-negative integer, got ${c}`);
  if (!(s.spendAmount === undefined || isMoney(s.spendAmount))) fail(`actual spend must be a bigint in [0, 2^63) (pico-dollars), got ${String(s.spendAmount)}`);
}

export function validateSpendArgs(tag: string, key: string, spent?: bigint, periodEndMs?: number): void {
  validateTag(tag);
  check(typeof key === 'string' && key.length > 0, 'spend key must be a non-empty string');
  if (spent !== undefined && !isMoney(spent)) fail(`spent must be a bigint in [0, 2^63), got ${String(spent)}`);
  if (periodEndMs !== undefined && !isCount(periodEndMs)) fail(`periodEndMs must be an integer epoch ms, got ${periodEndMs}`);
}

/**
 * Whether a limit over a window can be counted exactly (its capacity in units stays below
 * 2^50). Only very fine limits fail — e.g. 100,000,007 tokens per day — and round ones pass up to
 * about 10^10 per day; config and admin input are checked with it so a request never finds out.
 */
export function isCountableLimit(limit: number, windowMs: number): boolean {
  return bucketScale(limit, windowMs).capacity <= MAX_UNITS;
}

/** The window of each OpenAI limit field, in ms. */
export const LIMIT_WINDOWS_MS = {
  max_requests_per_1_minute: 60_000,
  max_tokens_per_1_minute: 60_000,
  max_requests_per_1_day: 86_400_000,
  max_tokens_per_1_day: 86_400_000,
} as const;

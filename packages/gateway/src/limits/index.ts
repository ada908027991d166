/**
 * Limits: exact, atomic counters for rate limits (token buckets with continuous refill) and
 * spend-quota reservations, behind one `CounterStore` interface with an in-process and a Redis
 * implementation, plus the `RateLimiter` that turns them into OpenAI's headers and 429s, and
 * which limits apply to a request (tier, organization and key layers: `LimitsResolver`).
 * @module
 */
export * from './counter-store.js';
export { MemoryCounterStore, type MemoryCounterSnapshot } from './memory-counter-store.js';
export { RedisCounterStore, type RedisCounterStoreOptions, type SweptLease, type SweptCorrection } from './redis-counter-store.js';
export { replayDeficit, type Admitted } from './bucket-replay.js';
export { RESERVE_LUA, SETTLE_LUA, SET_SPENT_LUA, encodeReserve, encodeSettle, decodeReserve, keyBase, type ScriptCall } from './redis-scripts.js';
export { bucketScale, isCountableLimit, LIMIT_WINDOWS_MS, MAX_UNITS, SPEND_GRACE_MS, type BucketScale } from './bucket-math.js';
export { DIMENSIONS, type Dimension } from './dimensions.js';
export { rateLimitHeaders } from './rate-limit-headers.js';
export { rejectionError, type RejectionContext } from './rate-limit-errors.js';
export { RateLimiter, DEFAULT_LEASE_MS, type LimitReservation, type LimitSet, type RateLimiterOptions, type ReserveInput } from './rate-limiter.js';
export { keyLimits, orgLimits, tierLimits, type ResolvedLimits } from './limit-layers.js';
export { LimitsResolver, type Limits } from './limits-resolver.js';
export { remainingField, remainingOf, type Remaining } from './remaining.js';

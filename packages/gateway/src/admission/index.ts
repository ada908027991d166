/**
 * Admission (request path stage 7): a concurrency slot on a deployment, handed out through a
 * bounded per-organization fair queue with deadlines, so an overloaded engine answers
 * `engine_overloaded` (or `server_is_overloaded`) quickly instead of piling up work, and one
 * organization's flood cannot starve the others.
 *
 * - `Admission`               the gate: limit, fair queue (Virtual Token Counter), deadlines, AIMD
 * - `MemorySemaphore`         slots in this process (the embedded default)
 * - `RedisLeaseSemaphore`     slots shared by all instances: Redis sorted-set leases, refreshed
 *
 * Never touches rate limits or quotas: overload is not the caller's fault and is not charged.
 * @module
 */
export type { AcquireRequest, AdaptiveLimitConfig, AdmissionConfig, Lease, Slot, SlotOutcome, SlotSemaphore } from './types.js';
export { Admission, type AdmissionDeps, type AdmissionStats } from './admission.js';
export { ModelAdmissions, type ModelAdmissionsDeps } from './model-admissions.js';
export { AimdLimit } from './aimd-limit.js';
export { VirtualTokenCounterQueue, type FairItem } from './fair-queue.js';
export { DrainRate, MAX_RETRY_MS, MIN_RETRY_MS } from './drain-rate.js';
export { MemorySemaphore } from './memory-semaphore.js';
export { RedisLeaseSemaphore, type RedisLeaseOptions } from './redis-lease-semaphore.js';
export { ACQUIRE_LUA, REFRESH_LUA, leaseKey } from './lease-scripts.js';

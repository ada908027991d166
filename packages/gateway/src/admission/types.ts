import type { AbortLike } from '../http/abort-latch.js';

/** The shapes of the admission stage: its configuration, a request for a slot, a slot, a slot source. */

export interface AdaptiveLimitConfig {
  /** The limit never drops below this (≥ 1). */
  min: number;
  /** The limit never grows above this. */
  max: number;
  /** Multiplier applied on every overload signal; default 0.9. */
  backoff_ratio?: number;
}

export interface AdmissionConfig {
  /** Slots in the engine; with `adaptive`, the starting limit (clamped to [min, max]). */
  max_concurrency: number;
  /** Waiting requests beyond the slots; more are answered "overloaded" at once. */
  max_queue: number;
  /** Longest wait for a slot. */
  max_wait_ms: number;
  /** AIMD limit driven by the outcomes callers report at release. */
  adaptive?: AdaptiveLimitConfig | null;
  /** 429 → catalog `engine_overloaded` (default); 503 → `server_is_overloaded`. */
  overload_status?: 429 | 503;
}

export interface AcquireRequest {
  orgId: string;
  /** Estimated tokens (prompt + expected output): what fairness charges the organization. */
  cost: number;
  /** Aborted when the client gives up: a queued request leaves the queue at once. */
  signal?: AbortLike;
  /** Absolute deadline (clock ms), e.g. from X-Stainless-Timeout; the wait is min(max_wait_ms, deadline). */
  deadlineMs?: number;
}

export type SlotOutcome = 'success' | 'overload' | 'error' | 'cancelled';

export interface Slot {
  /**
   * Gives the slot back. `overload` (upstream 429/503/timeout) shrinks an adaptive limit, `success`
   * may grow it; `actualCost` corrects the organization's fairness counter. Idempotent.
   */
  release(outcome: SlotOutcome, actualCost?: number): void;
}

/** One slot taken from a SlotSemaphore. */
export interface Lease {
  readonly id: string;
  /** Gives the slot back; idempotent; never throws for a lease that already expired. */
  release(): Promise<void>;
}

/**
 * The source of slots. The Admission decides *who* goes next (local fair queue); the semaphore
 * decides *whether* a slot exists (in-process, or shared by every gateway instance).
 */
export interface SlotSemaphore {
  /** Takes one slot if fewer than `limit` are held; never waits. */
  tryAcquire(limit: number): Promise<Lease | null>;
  /**
   * Resolves when another try may succeed after a failed one: a release was seen, or a poll
   * interval passed. Resolves (never rejects) when `signal` aborts.
   */
  waitForChange(signal: AbortSignal): Promise<void>;
}

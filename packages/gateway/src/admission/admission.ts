/**
 * One deployment's admission gate: a concurrency limit (fixed or AIMD), a bounded per-organization
 * fair queue with a deadline per waiter, and a SlotSemaphore that says whether a slot exists (in
 * process, or across instances on Redis). The fair queue decides who in this instance goes next;
 * the semaphore is asked only on behalf of the queue's head, by one "pump" at a time.
 *
 * Local accounting is synchronous (a slot is reserved before the semaphore is awaited), so a burst
 * of N simultaneous callers sees exactly `limit` admitted, `max_queue` queued and the rest refused.
 */
import type { Clock } from '../clock.js';
import { jitteredRetryHeaders } from '../http/retry-hint.js';
import { ApiError } from '../errors/api-error.js';
import type { AbortLike } from '../http/abort-latch.js';
import { AimdLimit } from './aimd-limit.js';
import { DrainRate } from './drain-rate.js';
import { VirtualTokenCounterQueue } from './fair-queue.js';
import { MemorySemaphore } from './memory-semaphore.js';
import type { AcquireRequest, AdmissionConfig, Lease, Slot, SlotOutcome, SlotSemaphore } from './types.js';

export interface AdmissionDeps {
  clock: Clock;
  /** Where slots come from; default a private MemorySemaphore. Owned by the caller (not closed by `close`). */
  semaphore?: SlotSemaphore;
  /**
   * What to do when the semaphore fails (Redis down or slow): 'local' (default) admits under this
   * instance's own limit, so each instance stays capped and the fleet degrades to N × limit;
   * 'overload' answers the waiter as overloaded.
   */
  semaphoreFailure?: 'local' | 'overload';
  /** The jitter of retry hints; Math.random by default. */
  random?: () => number;
}

export interface AdmissionStats {
  inFlight: number;
  queued: number;
  limit: number;
}

interface Waiter {
  readonly orgId: string;
  readonly cost: number;
  readonly resolve: (slot: Slot) => void;
  readonly reject: (err: unknown) => void;
  readonly signal: AbortLike | undefined;
  onAbort: (() => void) | undefined;
  /** Cancels the wait timer once the waiter is settled. */
  readonly timer: AbortController;
  settled: boolean;
}

/** Stands in for a semaphore lease when the semaphore failed and the policy is 'local'. */
const LOCAL_LEASE: Lease = { id: 'local', release: async () => {} };

export class Admission {
  readonly name: string;
  private readonly cfg: AdmissionConfig;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly semaphore: SlotSemaphore;
  private readonly failurePolicy: 'local' | 'overload';
  private readonly overloadId: 'engine_overloaded' | 'server_is_overloaded';
  private readonly aimd: AimdLimit | null;
  private readonly queue = new VirtualTokenCounterQueue<Waiter>();
  private readonly drain = new DrainRate();
  private readonly closing = new AbortController();
  /** Slots held plus slots reserved while the semaphore is being asked. */
  private inFlight = 0;
  private pumping = false;
  private pumpAgain = false;
  private waitingForChange = false;
  private closed = false;

  constructor(name: string, cfg: AdmissionConfig, deps: AdmissionDeps) {
    if (!(Number.isInteger(cfg.max_concurrency) && cfg.max_concurrency >= 1)) throw new Error(`admission ${name}: max_concurrency must be an integer >= 1`);
    if (!(Number.isInteger(cfg.max_queue) && cfg.max_queue >= 0)) throw new Error(`admission ${name}: max_queue must be an integer >= 0`);
    if (!(cfg.max_wait_ms >= 0)) throw new Error(`admission ${name}: max_wait_ms must be >= 0`);
    this.name = name;
    this.cfg = cfg;
    this.clock = deps.clock;
    this.random = deps.random ?? Math.random;
    this.semaphore = deps.semaphore ?? new MemorySemaphore();
    this.failurePolicy = deps.semaphoreFailure ?? 'local';
    this.overloadId = cfg.overload_status === 503 ? 'server_is_overloaded' : 'engine_overloaded';
    this.aimd = cfg.adaptive ? new AimdLimit(cfg.adaptive, cfg.max_concurrency) : null;
  }

  private get limit(): number {
    return this.aimd ? this.aimd.limit : this.cfg.max_concurrency;
  }

  stats(): AdmissionStats {
    return { inFlight: this.inFlight, queued: this.queue.size, limit: this.limit };
  }

  /**
   * Resolves with a slot, or rejects with an overload ApiError (queue full, wait exceeded) or with
   * the signal's reason if the caller aborts while waiting.
   */
  acquire(r: AcquireRequest): Promise<Slot> {
    if (r.signal?.aborted) return Promise.reject(r.signal.reason);
    if (this.closed) return Promise.reject(this.overload());
    if (this.queue.size === 0 && this.inFlight < this.limit) return this.acquireDirect(r);
    return this.enqueue(r);
  }

  /** Rejects every waiter as overloaded and stops polling. Held slots can still be released. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    for (const w of this.queue.drain()) this.settle(w).reject(this.overload());
  }

  /** No one is waiting and a local slot is free: reserve it now, then ask the semaphore. */
  private async acquireDirect(r: AcquireRequest): Promise<Slot> {
    this.inFlight++;
    let lease: Lease | null;
    try {
      lease = await this.tryLease();
    } catch (err) {
      this.unreserve();
      throw err;
    }
    if (!lease) {
      // Another instance holds the shared slots: wait our turn like everyone else.
      this.inFlight--;
      this.parkUntilChange();
      return this.enqueue(r);
    }
    if (r.signal?.aborted) {
      this.inFlight--;
      void lease.release().finally(() => this.pump());
      throw r.signal.reason;
    }
    this.queue.charge(r.orgId, r.cost);
    return this.slot(r.orgId, r.cost, lease);
  }

  private enqueue(r: AcquireRequest): Promise<Slot> {
    // Reached again after an await in acquireDirect: the signal may have fired in between.
    if (r.signal?.aborted) return Promise.reject(r.signal.reason);
    if (this.closed) return Promise.reject(this.overload());
    if (this.queue.size >= this.cfg.max_queue) return Promise.reject(this.overload());
    const now = this.clock.now();
    const waitMs = Math.min(this.cfg.max_wait_ms, r.deadlineMs === undefined ? Infinity : r.deadlineMs - now);
    // A caller whose deadline has passed would only occupy a place it can never use.
    if (!(waitMs > 0)) return Promise.reject(this.overload());

    return new Promise<Slot>((resolve, reject) => {
      const w: Waiter = { orgId: r.orgId, cost: r.cost, resolve, reject, signal: r.signal, onAbort: undefined, timer: new AbortController(), settled: false };
      if (r.signal) {
        w.onAbort = () => {
          if (w.settled) return;
          this.queue.remove(w);
          this.settle(w).reject(r.signal!.reason);
        };
        r.signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.clock.sleep(waitMs, w.timer.signal).then(
        () => {
          if (w.settled) return;
          this.queue.remove(w);
          this.settle(w).reject(this.overload());
        },
        () => {},
      );
      this.queue.push(w);
      // When parked, the semaphore just said "full": wait for the change rather than ask again.
      if (!this.waitingForChange) this.pump();
    });
  }

  /** Marks a waiter as answered: its timer and abort listener are dropped. */
  private settle(w: Waiter): Waiter {
    w.settled = true;
    w.timer.abort();
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
    return w;
  }

  /**
   * Hands free slots to waiters in fair order. One pump runs at a time; a trigger that arrives
   * while it runs makes it loop once more. When the semaphore says "full", the pump parks on
   * `waitForChange` (a release or a poll interval) and tries again.
   */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pumpLoop().finally(() => {
      this.pumping = false;
    });
  }

  private async pumpLoop(): Promise<void> {
    do {
      this.pumpAgain = false;
      while (this.queue.size > 0 && this.inFlight < this.limit && !this.closed) {
        this.inFlight++;
        let lease: Lease | null;
        try {
          lease = await this.tryLease();
        } catch (err) {
          this.inFlight--;
          const w = this.queue.pop();
          if (w) {
            this.queue.settle(w.orgId, w.cost, 0);
            this.settle(w).reject(err);
          }
          continue;
        }
        if (!lease) {
          this.inFlight--;
          this.parkUntilChange();
          break;
        }
        const w = this.queue.pop();
        if (!w) {
          // Everyone left (aborted or timed out) while the semaphore was asked.
          this.inFlight--;
          void lease.release();
          break;
        }
        this.settle(w).resolve(this.slot(w.orgId, w.cost, lease));
      }
    } while (this.pumpAgain && !this.closed);
  }

  private parkUntilChange(): void {
    if (this.waitingForChange || this.closed) return;
    this.waitingForChange = true;
    void this.semaphore.waitForChange(this.closing.signal).then(() => {
      this.waitingForChange = false;
      if (this.queue.size > 0) this.pump();
    });
  }

  private async tryLease(): Promise<Lease | null> {
    try {
      return await this.semaphore.tryAcquire(this.limit);
    } catch (err) {
      if (this.failurePolicy === 'local') return LOCAL_LEASE;
      throw this.overload(err);
    }
  }

  private unreserve(): void {
    this.inFlight--;
    if (this.queue.size > 0) this.pump();
  }

  private slot(orgId: string, cost: number, lease: Lease): Slot {
    let released = false;
    return {
      release: (outcome: SlotOutcome, actualCost?: number) => {
        if (released) return;
        released = true;
        this.onRelease(orgId, cost, lease, outcome, actualCost);
      },
    };
  }

  private onRelease(orgId: string, cost: number, lease: Lease, outcome: SlotOutcome, actualCost: number | undefined): void {
    const inFlightWhileRunning = this.inFlight;
    this.inFlight--;
    this.drain.record(this.clock.now());
    this.queue.settle(orgId, cost, actualCost);
    if (this.aimd) {
      if (outcome === 'overload') this.aimd.onOverload();
      else if (outcome === 'success') this.aimd.onSuccess(inFlightWhileRunning);
    }
    // Pump after the semaphore has the slot back, so the next try does not find it still taken.
    void lease
      .release()
      .catch(() => {})
      .finally(() => this.pump());
  }

  private overload(cause?: unknown): ApiError {
    const retryMs = this.drain.retryAfterMs(this.queue.size + 1, this.clock.now());
    return new ApiError(this.overloadId, {}, { headers: retryMs === undefined ? {} : jitteredRetryHeaders(retryMs, this.random), cause });
  }
}

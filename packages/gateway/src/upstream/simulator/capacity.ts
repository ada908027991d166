import type { AbortLike } from '../../http/abort-latch.js';
import { ApiError } from '../../errors/api-error.js';

/** What the simulator reports about its load, so tests can check what the gateway sent it. */
export interface SimulatorStats {
  /** Calls holding a generation slot now. */
  inFlight: number;
  /** Calls waiting for a slot now. */
  queued: number;
  /** The most calls that ever held a slot at once. */
  maxInFlightSeen: number;
  /** Calls that finished successfully (a JSON answer returned, or a stream read to its end). */
  served: number;
}

interface Waiter {
  grant: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal: AbortLike;
  onAbort: () => void;
}

/**
 * The finite capacity of a simulated engine: `maxInFlight` calls generate at once, `maxQueue`
 * more wait in FIFO order, and any beyond that are refused with `overloadId`: served alone,
 * `server_is_overloaded` (503), as vLLM and similar engines answer when full; inside a gateway, the
 * gateway's own overload answer (`server.overload_status`), as an HTTP upstream's overload is mapped. A slot is handed straight from a finishing call
 * to the next waiter, so the in-flight count never dips and a newcomer can never jump the queue.
 */
export class Capacity {
  private inFlight = 0;
  private maxSeen = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly maxInFlight: number,
    private readonly maxQueue: number,
    private readonly overloadId: 'engine_overloaded' | 'server_is_overloaded' = 'server_is_overloaded',
  ) {}

  /**
   * A slot, as a release function (safe to call more than once). Takes the slot synchronously
   * when one is free, so calls fired together are ordered as they were made. A call aborted while
   * queued leaves the queue and rejects with the signal's reason.
   */
  acquire(signal: AbortLike): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      this.maxSeen = Math.max(this.maxSeen, this.inFlight);
      return Promise.resolve(this.releaser());
    }
    if (this.waiters.length >= this.maxQueue) {
      // No retry hint, as engines such as vLLM send none: the client backs off exponentially.
      return Promise.reject(new ApiError(this.overloadId));
    }
    return new Promise<() => void>((grant, reject) => {
      const waiter: Waiter = {
        grant,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  stats(): Omit<SimulatorStats, 'served'> {
    return { inFlight: this.inFlight, queued: this.waiters.length, maxInFlightSeen: this.maxSeen };
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) {
        // The slot passes to the next waiter: inFlight stays the same.
        next.signal.removeEventListener('abort', next.onAbort);
        next.grant(this.releaser());
      } else {
        this.inFlight--;
      }
    };
  }
}

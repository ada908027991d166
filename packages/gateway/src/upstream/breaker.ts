/**
 * A circuit breaker for one upstream deployment.
 *
 *   closed ──(consecutive_failures in a row, or error_rate over the last `window` calls)──▶ open
 *   open ──(open_ms on the clock)──▶ half_open: one probe call goes through, the rest are refused
 *   half_open ──probe succeeds──▶ closed (counters reset) · ──probe fails──▶ open again
 *
 * Calls take a ticket before they start and report through it, so a result that arrives late
 * (a long stream begun before the breaker opened) cannot close a breaker it did not probe. Only
 * upstream and server failures are failures; the caller's own errors are healthy answers; a call
 * abandoned by its client, or answered "overloaded, retry later", is `ignored` and counts as
 * nothing (the error map decides which is which).
 * @module
 */
import type { Clock } from '../clock.js';
import type { BreakerSettings } from '../config/types.js';

export type BreakerState = 'closed' | 'open' | 'half_open';
export type BreakerOutcome = 'success' | 'failure' | 'ignored';

/** Permission for one call; report its outcome with `CircuitBreaker.record` exactly once. */
export interface BreakerTicket {
  readonly probe: boolean;
  readonly generation: number;
}

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** Calls and failures in the sliding window of the closed state. */
  windowCalls: number;
  windowFailures: number;
  /** Times the breaker has opened since it was made. */
  opens: number;
  /** Milliseconds until an open breaker lets a probe through (0 unless open). */
  retryInMs: number;
}

export class CircuitBreaker {
  private current: 'closed' | 'open' | 'half_open' = 'closed';
  private openedAt = 0;
  private consecutive = 0;
  /** Ring buffer of the last `window` outcomes in the closed state: true = failure. */
  private readonly ring: boolean[] = [];
  private ringNext = 0;
  private ringFailures = 0;
  private probing = false;
  /** Bumped when the breaker leaves the closed state; older tickets no longer count. */
  private generation = 0;
  private opened = 0;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly clock: Clock,
  ) {}

  get state(): BreakerState {
    if (this.current === 'open' && this.clock.now() >= this.openedAt + this.settings.open_ms) this.current = 'half_open';
    return this.current;
  }

  /** Whether a call would be let through now (takes nothing). */
  canPass(): boolean {
    const s = this.state;
    return s === 'closed' || (s === 'half_open' && !this.probing);
  }

  /** Takes permission for one call, or null when the breaker refuses it. */
  acquire(): BreakerTicket | null {
    const s = this.state;
    if (s === 'closed') return { probe: false, generation: this.generation };
    if (s === 'half_open' && !this.probing) {
      this.probing = true;
      return { probe: true, generation: this.generation };
    }
    return null;
  }

  record(ticket: BreakerTicket, outcome: BreakerOutcome): void {
    if (ticket.probe) {
      if (ticket.generation !== this.generation || !this.probing) return;
      this.probing = false;
      if (outcome === 'success') this.close();
      else if (outcome === 'failure') this.open();
      return;
    }
    if (outcome === 'ignored' || ticket.generation !== this.generation || this.current !== 'closed') return;
    const failed = outcome === 'failure';
    this.consecutive = failed ? this.consecutive + 1 : 0;
    this.remember(failed);
    const { consecutive_failures: maxInRow, error_rate: rate, window } = this.settings;
    const windowFull = this.ring.length >= window;
    if (this.consecutive >= maxInRow || (rate > 0 && windowFull && this.ringFailures > 0 && this.ringFailures / window >= rate)) this.open();
  }

  /** Milliseconds until a probe may go (0 when calls pass now, or a probe is already out). */
  retryInMs(): number {
    return this.state === 'open' ? Math.max(0, this.openedAt + this.settings.open_ms - this.clock.now()) : 0;
  }

  snapshot(): BreakerSnapshot {
    return {
      state: this.state,
      consecutiveFailures: this.consecutive,
      windowCalls: this.ring.length,
      windowFailures: this.ringFailures,
      opens: this.opened,
      retryInMs: this.retryInMs(),
    };
  }

  private remember(failed: boolean): void {
    const window = Math.max(1, this.settings.window);
    if (this.ring.length < window) {
      this.ring.push(failed);
    } else {
      if (this.ring[this.ringNext]) this.ringFailures--;
      this.ring[this.ringNext] = failed;
      this.ringNext = (this.ringNext + 1) % window;
    }
    if (failed) this.ringFailures++;
  }

  private open(): void {
    this.current = 'open';
    this.openedAt = this.clock.now();
    this.generation++;
    this.opened++;
    this.probing = false;
  }

  private close(): void {
    this.current = 'closed';
    this.generation++;
    this.consecutive = 0;
    this.ring.length = 0;
    this.ringNext = 0;
    this.ringFailures = 0;
  }
}

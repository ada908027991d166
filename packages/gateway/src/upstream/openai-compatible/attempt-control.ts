/**
 * The abort controller of one HTTP attempt and the deadlines that fire it. Every way an attempt
 * is cut short goes through this one controller, with a reason saying why: the client's own
 * abort reason, or the ApiError of the deadline that passed. undici destroys the socket on abort
 * and rejects the pending read with that reason, so the reason is what the reader sees.
 *
 *   total       from the start of the attempt to the end of the response or stream
 *   first byte  streams only: from the start to the first SSE event that carries output. A
 *               non-streamed answer's head comes only once the whole generation is done, so a
 *               first-byte deadline there would cut long answers that are on their way (and the
 *               SDK's retries would start the same generation again): it is bounded by total.
 *   idle        while waiting on the upstream for more body, once the first byte is in;
 *               time the consumer spends not reading (backpressure) does not count
 *
 * The connect timeout is undici's (the pool's `connect.timeout`). Real timers: undici's own
 * timeouts are real time too, and these bound real sockets.
 *
 * The idle deadline is armed around every read of the upstream body (a stream has dozens), so
 * the deadlines are kept lazily, all three on one timer: it fires at the earliest deadline that
 * could have passed, checks which did (the one due first, as timers of their own would have
 * fired), and sleeps until the next one otherwise. A wait on the upstream costs a clock read; an
 * attempt that ends within idle_ms (most do) sets one timer in all, where it set one per deadline
 * (three for a stream), and before that one per read.
 */
import { formatDuration, TIMER_MAX_MS, type ErrorId } from '@tollgate/protocol';
import type { Timeouts } from '../../config/types.js';
import { ApiError } from '../../errors/api-error.js';
import { AbortLatch, type AbortLike } from '../../http/abort-latch.js';

export class AttemptControl {
  /** Not an AbortController: one of those per attempt cost more than the rest of this class. */
  private readonly controller = new AbortLatch();
  /** The one timer of the deadlines (`check`), due at `due` (performance.now()); undefined after dispose. */
  private timer: NodeJS.Timeout | undefined;
  private due = Infinity;
  /** performance.now() at the start of the attempt. */
  private started = 0;
  /** A stream before its first output: the first-byte deadline runs, the idle one does not yet. */
  private firstBytePending: boolean;
  /** performance.now() when the wait on the upstream under way began; undefined while not waiting. */
  private waitingSince: number | undefined;
  private disposed = false;
  private readonly onClientAbort = () => this.controller.abort(this.client.reason);
  private readonly onTimer = () => this.check();

  constructor(
    private readonly timeouts: Timeouts,
    private readonly client: AbortLike,
    stream: boolean,
  ) {
    this.firstBytePending = stream;
    if (client.aborted) {
      this.controller.abort(client.reason);
      return;
    }
    client.addEventListener('abort', this.onClientAbort, { once: true });
    const now = performance.now();
    this.started = now;
    // The earliest any deadline can pass, a wait begun at once included: no wait needs a timer of its own then.
    this.arm(now, Math.min(timeouts.total_ms, stream ? timeouts.first_byte_ms : Infinity, timeouts.idle_ms));
  }

  get signal(): AbortLike {
    return this.controller;
  }

  /** Aborted because the client went away (not by a deadline of ours). */
  get clientAborted(): boolean {
    return this.controller.aborted && this.client.aborted && this.controller.reason === this.client.reason;
  }

  firstByteSeen(): void {
    this.firstBytePending = false;
  }

  /** Starts the idle deadline for one wait on the upstream. */
  armIdle(): void {
    if (this.firstBytePending || this.controller.aborted || this.disposed) return;
    const now = performance.now();
    this.waitingSince = now;
    if (this.due > now + this.timeouts.idle_ms) this.arm(now, this.timeouts.idle_ms);
  }

  /** The wait is over (data came, or it failed); the timer, if any, stays for the next wait. */
  disarmIdle(): void {
    this.waitingSince = undefined;
  }

  /** The attempt is over: no deadline may fire any more. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = this.waitingSince = undefined;
    this.due = Infinity;
    this.client.removeEventListener('abort', this.onClientAbort);
  }

  /** Fires the deadline that passed first, if one did; else waits for the next one that can. */
  private check(): void {
    this.timer = undefined;
    this.due = Infinity;
    if (this.controller.aborted || this.disposed) return;
    const { total_ms, first_byte_ms, idle_ms } = this.timeouts;
    const total = this.started + total_ms;
    const firstByte = this.firstBytePending ? this.started + first_byte_ms : Infinity;
    const idle = this.waitingSince === undefined ? Infinity : this.waitingSince + idle_ms;
    const next = Math.min(total, firstByte, idle);
    const now = performance.now();
    if (next > now) {
      this.arm(now, next - now);
      return;
    }
    const [id, ms]: [ErrorId, number] = next === total ? ['upstream_total_timeout', total_ms] : next === firstByte ? ['upstream_first_byte_timeout', first_byte_ms] : ['upstream_idle_timeout', idle_ms];
    this.controller.abort(new ApiError(id, { timeout: formatDuration(ms) }));
  }

  /** (Re)sets the timer to fire `ms` after `now`. */
  private arm(now: number, ms: number): void {
    clearTimeout(this.timer);
    // A timer longer than TIMER_MAX_MS would fire at once; onTimer re-arms until the deadline.
    const t = setTimeout(this.onTimer, Math.min(ms, TIMER_MAX_MS));
    t.unref();
    this.timer = t;
    this.due = now + ms;
  }
}

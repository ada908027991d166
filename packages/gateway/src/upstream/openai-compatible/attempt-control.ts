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
 * The idle deadline is armed around every read of the upstream body (a stream has dozens), so it
 * is kept lazily: one timer that, when it fires, checks how long the read under way has waited
 * and fires or sleeps for the rest. A wait costs a clock read, where a timer made and cleared per
 * read was a steady part of the streaming relay's CPU.
 */
import { formatDuration, type ErrorId } from '@tollgate/protocol';
import type { Timeouts } from '../../config/types.js';
import { ApiError } from '../../errors/api-error.js';
import { AbortLatch, type AbortLike } from '../../http/abort-latch.js';

export class AttemptControl {
  /** Not an AbortController: one of those per attempt cost more than the rest of this class. */
  private readonly controller = new AbortLatch();
  private total: NodeJS.Timeout | undefined;
  private firstByte: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  /** performance.now() when the wait on the upstream under way began; undefined while not waiting. */
  private waitingSince: number | undefined;
  private readonly onClientAbort = () => this.controller.abort(this.client.reason);

  constructor(
    private readonly timeouts: Timeouts,
    private readonly client: AbortLike,
    stream: boolean,
  ) {
    if (client.aborted) {
      this.controller.abort(client.reason);
      return;
    }
    client.addEventListener('abort', this.onClientAbort, { once: true });
    this.total = this.timer('upstream_total_timeout', timeouts.total_ms);
    if (stream) this.firstByte = this.timer('upstream_first_byte_timeout', timeouts.first_byte_ms);
  }

  get signal(): AbortLike {
    return this.controller;
  }

  /** Aborted because the client went away (not by a deadline of ours). */
  get clientAborted(): boolean {
    return this.controller.aborted && this.client.aborted && this.controller.reason === this.client.reason;
  }

  firstByteSeen(): void {
    clearTimeout(this.firstByte);
    this.firstByte = undefined;
  }

  /** Starts the idle deadline for one wait on the upstream. */
  armIdle(): void {
    if (this.firstByte !== undefined || this.controller.aborted) return;
    this.waitingSince = performance.now();
    this.idle ??= this.idleTimer(this.timeouts.idle_ms);
  }

  /** The wait is over (data came, or it failed); the timer, if any, stays for the next wait. */
  disarmIdle(): void {
    this.waitingSince = undefined;
  }

  /** The attempt is over: no deadline may fire any more. */
  dispose(): void {
    clearTimeout(this.total);
    clearTimeout(this.firstByte);
    clearTimeout(this.idle);
    this.total = this.firstByte = this.idle = this.waitingSince = undefined;
    this.client.removeEventListener('abort', this.onClientAbort);
  }

  /**
   * Fires `upstream_idle_timeout` once a wait has lasted idle_ms: when it runs, a wait that began
   * later gets a timer for the rest of its idle_ms, and no wait under way leaves no timer.
   */
  private idleTimer(ms: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.idle = undefined;
      const since = this.waitingSince;
      if (since === undefined || this.controller.aborted) return;
      const left = since + this.timeouts.idle_ms - performance.now();
      if (left <= 0) this.controller.abort(new ApiError('upstream_idle_timeout', { timeout: formatDuration(this.timeouts.idle_ms) }));
      else this.idle = this.idleTimer(left);
    }, ms);
    t.unref();
    return t;
  }

  private timer(id: ErrorId, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => this.controller.abort(new ApiError(id, { timeout: formatDuration(ms) })), ms);
    t.unref();
    return t;
  }
}

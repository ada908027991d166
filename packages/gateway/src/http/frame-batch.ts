/**
 * The SSE frames a relay produces in one event-loop turn, sent as one write.
 *
 * An engine's stream arrives in reads that each hold several events (dozens, from an engine
 * under load). The relay handles each event as it comes, and a `res.write` per frame made the
 * response one HTTP chunk per frame: four buffers and the chunked-encoding framing each, which
 * the client then parses one by one. That was the largest single cost of the streaming relay
 * over a bare proxy, which writes what it read in one piece. Here the frames of a turn are joined
 * and written once that turn's promise jobs have run: nothing is held past the turn, so a frame
 * never waits for a later event, and the order of frames is the order of `add` calls.
 *
 * The exception is a stream's last frames: once the relay has read the upstream's end it calls
 * `hold()`, and what is queued waits for `end()`, which comes after the usage record (that must
 * precede the last byte anyway). The last read's frames, the closing frame and the end of the
 * body then leave in one HTTP chunk and one write, instead of two of each.
 * @module
 */
import type { ServerResponse } from 'node:http';
import { drained } from './respond.js';

/** Past this many characters the batch is written at once instead of at the end of the turn. */
const MAX_PENDING_CHARS = 64 * 1024;

export class FrameBatch {
  private pending = '';
  private scheduled = false;
  private held = false;

  constructor(private readonly res: ServerResponse) {}

  /**
   * Queues `frame` (a whole SSE frame, its blank line included). Returns false when the
   * response's buffer is full: the caller then awaits `drained()` before the next frame.
   */
  add(frame: string): boolean {
    this.pending += frame;
    if (this.pending.length >= MAX_PENDING_CHARS) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(flushLater, this);
    }
    return !this.res.writableNeedDrain;
  }

  /**
   * Writes what is queued now; call it before anything else is written to the response (its
   * last frame, `end()`). Returns false when the response's buffer is full.
   */
  flush(): boolean {
    if (this.pending === '') return !this.res.writableNeedDrain;
    const text = this.pending;
    this.pending = '';
    if (this.res.writableEnded || this.res.destroyed) return false;
    return this.res.write(text);
  }

  /**
   * No more frames will come before the end: what is queued stays until `end()` or `flush()`
   * (which the caller must make), instead of leaving at the end of this turn.
   */
  hold(): void {
    this.held = true;
  }

  /** Ends the response with what is queued and `last` (a closing frame, or ''), in one write. */
  end(last: string): void {
    const text = this.pending + last;
    this.pending = '';
    if (this.res.writableEnded || this.res.destroyed) return;
    if (text === '') this.res.end();
    else this.res.end(text);
  }

  /** Writes what is queued and waits until the response's buffer has room (or the client left). */
  drained(): Promise<void> {
    this.flush();
    return drained(this.res);
  }

  /** @internal the end-of-turn write. */
  flushScheduled(): void {
    this.scheduled = false;
    if (!this.held) this.flush();
  }
}

function flushLater(batch: FrameBatch): void {
  batch.flushScheduled();
}

/**
 * Retry hints for overload answers, from how fast slots have been freeing recently: a request at
 * queue position p would wait about p / (releases per ms). Clamped to [100 ms, 30 s]; with too
 * little history there is no hint (undefined): the gateway knows no better than the client's
 * own exponential backoff.
 */

const KEEP = 64;
const WINDOW_MS = 60_000;
export const MIN_RETRY_MS = 100;
export const MAX_RETRY_MS = 30_000;

export class DrainRate {
  /** Release times, oldest first, at most KEEP of them. */
  private times: number[] = [];

  record(now: number): void {
    this.times.push(now);
    if (this.times.length > KEEP) this.times.shift();
  }

  /** Suggested wait before retrying for a request that would stand at `position` in the queue. */
  retryAfterMs(position: number, now: number): number | undefined {
    while (this.times.length > 0 && now - this.times[0]! > WINDOW_MS) this.times.shift();
    if (this.times.length < 2) return undefined;
    const span = Math.max(1, now - this.times[0]!);
    const perMs = this.times.length / span;
    return clamp(Math.max(1, position) / perMs, MIN_RETRY_MS, MAX_RETRY_MS);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

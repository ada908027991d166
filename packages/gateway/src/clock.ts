import type { AbortLike } from './http/abort-latch.js';

/** Injected time: tests pass a fake clock; nothing on the request path reads Date.now directly. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time (fake clocks resolve when advanced). */
  sleep(ms: number, signal?: AbortLike): Promise<void>;
}

/**
 * The longest delay a Node.js timer keeps (2^31-1 ms, about 24.8 days). A longer one is set to
 * 1 ms with a TimeoutOverflowWarning: it fires at once instead of late.
 */
export const TIMER_MAX_MS = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      // A wait longer than one timer keeps (a delay computed from a slow simulated engine, say)
      // is waited in parts, so that it ends late rather than at once.
      const until = performance.now() + ms;
      let t: NodeJS.Timeout;
      const wait = (left: number) => {
        t = setTimeout(() => {
          const rest = until - performance.now();
          if (rest >= 1) return wait(rest);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, Math.min(left, TIMER_MAX_MS));
      };
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      wait(ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A clock that moves only when told to; `sleep` resolves as `advance` passes its deadline. */
export class FakeClock implements Clock {
  private t: number;
  private timers: { at: number; resolve: () => void }[] = [];
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + ms, resolve });
    });
  }
  /** Moves time forward and wakes every sleeper whose deadline passed. */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const d of due) d.resolve();
    await Promise.resolve();
  }
  set(t: number): void {
    this.t = t;
  }
}

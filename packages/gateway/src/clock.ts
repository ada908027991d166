import { sleep } from '@tollgate/protocol';
import type { AbortLike } from './http/abort-latch.js';

/** Injected time: tests pass a fake clock; nothing on the request path reads Date.now directly. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time (fake clocks resolve when advanced). */
  sleep(ms: number, signal?: AbortLike): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // A wait longer than one timer keeps (a delay computed from a slow simulated engine, say) is
  // waited in parts, so that it ends on time rather than at once.
  sleep,
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

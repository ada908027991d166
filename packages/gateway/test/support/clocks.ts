/**
 * Real time that a test controls where a loaded machine would otherwise decide the outcome.
 *
 * `hold` stops the time the gateway reads (token buckets refill by it): what the test does in
 * between counts as one moment however long it takes; `release` lets it run on in real time from
 * where it stood. `pauseSleeps` makes every sleep begun from then on wait for `resumeSleeps`
 * before it starts (a simulated upstream paced by the clock sends nothing more until then), so a
 * test can do what must happen while work is in flight without racing that work.
 */
import { systemClock, type Clock } from 'tollgate';

type Signal = Parameters<Clock['sleep']>[1];

export class HoldableClock implements Clock {
  private offset = 0;
  private held: number | undefined;
  private paused: { resumed: Promise<void>; resume: () => void } | undefined;

  now(): number {
    return this.held ?? Date.now() - this.offset;
  }

  async sleep(ms: number, signal?: Signal): Promise<void> {
    const paused = this.paused;
    if (paused) await untilResumed(paused.resumed, signal);
    return systemClock.sleep(ms, signal);
  }

  hold(): void {
    this.held ??= this.now();
  }

  release(): void {
    if (this.held === undefined) return;
    this.offset = Date.now() - this.held;
    this.held = undefined;
  }

  pauseSleeps(): void {
    if (this.paused) return;
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    this.paused = { resumed, resume };
  }

  resumeSleeps(): void {
    this.paused?.resume();
    this.paused = undefined;
  }
}

/** Resolves when `resumed` does; rejects with the signal's reason if it aborts first. */
function untilResumed(resumed: Promise<void>, signal: Signal): Promise<void> {
  if (!signal) return resumed;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void resumed.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

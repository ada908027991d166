/**
 * Timers for any delay, for the gateway and the client alike. A Node.js or browser timer keeps at
 * most 2^31-1 ms (about 24.8 days); a longer delay is set to 1 ms (Node.js warns
 * TimeoutOverflowWarning), so a `timeout` of a month would fire at once.
 * @module
 */

/** The longest delay one timer keeps: 2^31-1 ms, about 24.8 days. */
export const TIMER_MAX_MS = 2_147_483_647;

/**
 * A timer's delay for `ms`, for a timer that cannot be re-armed (`AbortSignal.timeout`): a longer
 * one is held at TIMER_MAX_MS, which ends it after 24.8 days rather than at once; a negative one
 * is 0. Where the timer is ours, `longTimeout` waits the whole delay.
 */
export const timerDelay = (ms: number): number => Math.min(Math.max(0, ms), TIMER_MAX_MS);

/**
 * `setTimeout(fn, ms)` for any `ms`: a delay longer than one timer keeps is waited in parts (on the
 * monotonic clock), so `fn` runs when `ms` has passed, neither at once nor early. Returns the cancel.
 */
export function longTimeout(fn: () => void, ms: number): () => void {
  const until = performance.now() + Math.max(0, ms);
  let timer: ReturnType<typeof setTimeout>;
  const arm = (left: number): void => {
    timer = setTimeout(() => {
      const rest = until - performance.now();
      if (rest >= 1) arm(rest);
      else fn();
    }, timerDelay(left));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

/** What `sleep` needs of a signal: an AbortSignal, or the gateway's lighter latch. */
export interface SleepSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Resolves after `ms` (any length: longTimeout); rejects with the signal's reason if it aborts first. */
export function sleep(ms: number, signal?: SleepSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = longTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

import type { Clock } from '../../clock.js';
import type { AbortLike } from '../../http/abort-latch.js';

/**
 * Waits `ms` of the clock's time, rejecting with the signal's reason as soon as it aborts.
 * The race is done here rather than trusting `clock.sleep(ms, signal)`, because a fake clock may
 * ignore the signal; a cancelled call must never hold its capacity slot until time moves.
 */
export function waitFor(clock: Clock, ms: number, signal: AbortLike): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (!(ms > 0)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    clock.sleep(ms, signal).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Never resolves; rejects when the signal aborts. A stalled engine holds its slot until then. */
export function waitForAbort(signal: AbortLike): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

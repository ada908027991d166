/**
 * AbortSignal helpers that work on Node 20 and in browsers without `AbortSignal.any`.
 * @module
 */

/**
 * The longest delay a timer keeps (2^31-1 ms, about 24.8 days, in Node.js and browsers alike); a
 * longer one fires at once.
 */
export const TIMER_MAX_MS = 2_147_483_647;

/**
 * A timer's delay for `ms`, for a timer that cannot be re-armed (`AbortSignal.timeout`): a longer
 * one is held at TIMER_MAX_MS, which ends it after 24.8 days rather than at once; a negative one
 * is 0. Where the timer is ours, `longTimeout` waits the whole delay.
 */
export const timerDelay = (ms: number): number => Math.min(Math.max(0, ms), TIMER_MAX_MS);

/**
 * `setTimeout(fn, ms)` for any `ms`: a delay longer than a timer keeps (a `timeout` of a month) is
 * waited in parts, so `fn` runs when `ms` has passed, neither at once nor early. Returns the cancel.
 */
export function longTimeout(fn: () => void, ms: number): () => void {
  const until = Date.now() + Math.max(0, ms);
  let timer: ReturnType<typeof setTimeout>;
  const arm = (left: number): void => {
    timer = setTimeout(() => {
      const rest = until - Date.now();
      if (rest >= 1) arm(rest);
      else fn();
    }, timerDelay(left));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Resolves after `ms`; rejects with the signal's reason if it aborts first. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
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

/**
 * One real 'abort' listener per signal, fanned out to every subscriber: a signal shared by many
 * calls at once (a batch's, a user's "cancel all") holds one listener however many calls wait on
 * it, so Node never warns `MaxListenersExceededWarning` past 10. The subscriber set lives as long
 * as the signal (WeakMap). Returns the unsubscribe.
 */
const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let set = subscribers.get(signal);
  if (!set) {
    const fresh = new Set<() => void>();
    set = fresh;
    subscribers.set(signal, fresh);
    signal.addEventListener(
      'abort',
      () => {
        subscribers.delete(signal);
        for (const f of [...fresh]) f();
      },
      { once: true },
    );
  }
  const own = set;
  own.add(fn);
  return () => void own.delete(fn);
}

/**
 * A controller that aborts when any of `signals` does. `dispose()` detaches it so a long-lived
 * signal (a batch's, a user's) does not collect one subscriber per request.
 */
export function linkedController(...signals: (AbortSignal | undefined)[]): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  const cleanups: (() => void)[] = [];
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    cleanups.push(onAbort(s, () => controller.abort(s.reason)));
  }
  return { controller, dispose: () => cleanups.forEach((c) => c()) };
}

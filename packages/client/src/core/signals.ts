/**
 * AbortSignal helpers that work on Node 20 and in browsers without `AbortSignal.any`.
 * @module
 */
import { sleep } from '@tollgate/protocol';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Resolves after `ms` (however long); rejects with the signal's reason if it aborts first. */
export const realSleep: Sleep = sleep;

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

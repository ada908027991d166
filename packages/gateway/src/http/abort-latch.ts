/**
 * What the request path needs of an AbortSignal (`aborted`, `reason`, and an 'abort' listener),
 * without its price. Node's AbortSignal is an EventTarget: making one costs several microseconds
 * and each listener more, and the request path made two per request (the client's, and one per
 * upstream attempt), plus a listener linking them. An `AbortLatch` is a plain object with a
 * listener list; a real AbortSignal satisfies `AbortLike` too, so callers that have one (probes,
 * tests) pass it as it is.
 * @module
 */

export interface AbortLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * Aborts once. Listeners run once, in the order added, at the first `abort`; one added after that
 * never runs (check `aborted` first, as with an AbortSignal). undici accepts it as a request's
 * `signal`: it only needs `aborted`, `reason` and add/removeEventListener.
 */
export class AbortLatch implements AbortLike {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const ls = this.listeners;
    if (!ls) return;
    const i = ls.lastIndexOf(listener);
    if (i !== -1) ls.splice(i, 1);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const ls = this.listeners;
    this.listeners = undefined;
    if (ls) for (const l of ls) l();
  }
}

/**
 * The gateway's in-memory cache: lru-cache, bounded in entries, with a TTL measured on the
 * injected clock (each entry keeps the clock time it was set), so that tests move time with a
 * fake clock.
 * @module
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from './clock.js';

/**
 * Entries are fresh for `ttlMs` after they were set (fresh while younger than the TTL). An entry
 * past its TTL is not dropped: it stays until evicted (least recently used first), deleted or
 * replaced, so that a caller can still serve it while the store is down (`peek`). With a TTL of
 * 0 or less nothing is ever fresh, but entries are still kept for `peek`.
 */
// lru-cache refuses undefined and null as keys and values.

/**
 * lru-cache options that bound a cache to `maxEntries` entries without allocating for all of them
 * up front. With `max`, lru-cache fills arrays of `max` slots at construction (and two more with a
 * TTL): about 2.5 MB for each of the gateway's 50,000- and 100,000-entry caches, held by an idle
 * gateway that has seen no key and no failed login. Counted as a size of one per entry, the
 * same bound holds (the least recently used entry goes first) and the storage grows with use.
 */
export function entryBound(maxEntries: number): { maxSize: number; sizeCalculation: () => number } {
  return { maxSize: maxEntries, sizeCalculation: () => 1 };
}

export class TtlCache<K extends NonNullable<unknown>, V extends NonNullable<unknown>> {
  /**
   * Bounded in entries only; each entry carries the clock time it was set, and freshness is
   * decided here with one clock read. (lru-cache's own TTL read the clock twice per `get` and
   * looked the key up twice: a visible share of the request path, which asks several caches.)
   */
  private readonly lru: LRUCache<K, { value: V; at: number }>;
  /** Fresh while `now - at` is below this (lru-cache's rounding of the TTL: a positive whole number). */
  private readonly freshMs: number;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    readonly ttlMs: number,
    maxEntries: number,
  ) {
    this.lru = new LRUCache<K, { value: V; at: number }>(entryBound(maxEntries));
    this.freshMs = Math.max(1, Math.ceil(ttlMs));
  }

  get size(): number {
    return this.lru.size;
  }

  /** A fresh entry, which becomes the most recently used; undefined when absent or past its TTL. */
  get(key: K): V | undefined {
    if (this.ttlMs <= 0) return undefined;
    // Peeked first: an entry past its TTL is not a use, and keeps its place.
    const e = this.lru.peek(key);
    if (e === undefined || !(this.clock.now() - e.at < this.freshMs)) return undefined;
    this.lru.get(key);
    return e.value;
  }

  /** An entry of any age, without changing the order. */
  peek(key: K): V | undefined {
    return this.lru.peek(key)?.value;
  }

  /** `peek` with the clock time the entry was set. */
  peekEntry(key: K): { readonly value: V; readonly at: number } | undefined {
    return this.lru.peek(key);
  }

  /** Stores an entry, fresh from now; past `maxEntries` the least recently used one is dropped. */
  set(key: K, value: V): void {
    this.lru.set(key, { value, at: this.clock.now() });
  }

  delete(key: K): boolean {
    return this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }

  /** Deletes every entry (of any age) the predicate selects; returns how many. */
  deleteWhere(pred: (value: V, key: K) => boolean): number {
    const doomed: K[] = [];
    for (const [k, e] of this.lru.entries()) if (pred(e.value, k)) doomed.push(k);
    for (const k of doomed) this.lru.delete(k);
    return doomed.length;
  }
}

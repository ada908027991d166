/**
 * A Map with a size bound: reading an entry makes it the most recent, and inserting beyond the
 * bound drops the least recently used. Map keeps insertion order, so "most recent" is "last".
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly maxSize: number) {
    if (maxSize < 1) throw new Error('LruMap: maxSize must be at least 1');
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Reads without changing the order. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxSize) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** Deletes every entry the predicate selects; returns how many. */
  deleteWhere(pred: (value: V, key: K) => boolean): number {
    let n = 0;
    for (const [k, v] of this.map) {
      if (pred(v, k)) {
        this.map.delete(k);
        n++;
      }
    }
    return n;
  }
}

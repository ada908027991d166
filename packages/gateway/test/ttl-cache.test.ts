import { describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { TtlCache } from '../src/ttl-cache.js';

describe('TtlCache', () => {
  it('an entry is fresh while younger than the TTL on the injected clock, and kept for peek after', async () => {
    const clock = new FakeClock();
    const c = new TtlCache<string, string>(clock, 1000, 10);
    c.set('a', 'x');
    await clock.advance(999);
    expect(c.get('a')).toBe('x');
    await clock.advance(1);
    expect(c.get('a')).toBeUndefined();
    expect(c.peek('a')).toBe('x');
    c.set('a', 'y');
    expect(c.get('a')).toBe('y');
  });

  it('drops the least recently used entry past its size; get counts as a use, peek does not', () => {
    const c = new TtlCache<string, number>(new FakeClock(), 1000, 2);
    c.set('a', 1);
    c.set('b', 2);
    c.get('a');
    c.set('c', 3);
    expect([c.peek('a'), c.peek('b'), c.peek('c')]).toEqual([1, undefined, 3]);
    c.peek('a');
    c.set('d', 4);
    expect([c.peek('a'), c.peek('c'), c.peek('d')]).toEqual([undefined, 3, 4]);
  });

  it('with a TTL of 0 nothing is fresh, but entries stay for peek; deleteWhere reaches stale entries too', async () => {
    const clock = new FakeClock();
    const none = new TtlCache<string, number>(clock, 0, 10);
    none.set('a', 1);
    expect(none.get('a')).toBeUndefined();
    expect(none.peek('a')).toBe(1);
    const c = new TtlCache<string, number>(clock, 100, 10);
    c.set('old', 1);
    await clock.advance(500);
    c.set('new', 2);
    c.set('other', 3);
    expect(c.deleteWhere((v) => v < 3)).toBe(2);
    expect(c.size).toBe(1);
  });

  it('holds at most its bound of entries, the most recently used ones', () => {
    const c = new TtlCache<number, number>(new FakeClock(), 1000, 100);
    for (let i = 0; i < 1000; i++) {
      c.set(i, i);
      c.get(0); // kept in use throughout
    }
    expect(c.size).toBe(100);
    expect(c.peek(0)).toBe(0);
    expect(c.peek(998)).toBe(998);
    expect(c.peek(899)).toBeUndefined();
  });

  it('takes memory for the entries it holds, not for its bound', () => {
    // Before, lru-cache's `max` filled arrays for every slot at construction: about 3 MB of heap
    // for a 100,000-entry cache with a TTL, whether or not anything was ever stored.
    const before = process.memoryUsage().heapUsed;
    const caches = Array.from({ length: 40 }, () => new TtlCache<string, number>(new FakeClock(), 1000, 100_000));
    const grown = process.memoryUsage().heapUsed - before;
    expect(caches).toHaveLength(40);
    expect(grown).toBeLessThan(16 * 1024 * 1024);
  });
});

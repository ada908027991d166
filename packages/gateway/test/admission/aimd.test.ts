import { describe, expect, it } from 'vitest';
import { Admission, AimdLimit, type Slot } from '../../src/admission/index.js';
import { FakeClock } from 'tollgate';
import { settle } from './helpers.js';

describe('AIMD limit', () => {
  it('cuts multiplicatively on overload, never below min; grows additively on success, never above max', () => {
    const l = new AimdLimit({ min: 2, max: 20 }, 10);
    l.onOverload();
    expect(l.limit).toBe(9);
    let prev = l.window;
    for (let i = 0; i < 100; i++) {
      l.onOverload();
      expect(l.window).toBeLessThanOrEqual(prev);
      expect(l.limit).toBeGreaterThanOrEqual(2);
      prev = l.window;
    }
    expect(l.limit).toBe(2);
    let steps = 0;
    while (l.limit < 20 && steps < 10_000) {
      l.onSuccess(l.limit);
      expect(l.window).toBeLessThanOrEqual(20);
      steps++;
    }
    expect(l.limit).toBe(20);
    // Additive: about limit successes per +1, so 2 → 20 takes on the order of (20² − 2²) / 2.
    expect(steps).toBeGreaterThan(150);
    for (let i = 0; i < 1000; i++) l.onSuccess(20);
    expect(l.limit).toBe(20);
  });

  it('does not grow while app-limited (in-flight below half the limit)', () => {
    const l = new AimdLimit({ min: 1, max: 100, backoff_ratio: 0.5 }, 10);
    for (let i = 0; i < 1000; i++) l.onSuccess(4);
    expect(l.window).toBe(10);
    l.onOverload();
    expect(l.window).toBe(5);
  });

  it('rejects nonsense bounds', () => {
    expect(() => new AimdLimit({ min: 0, max: 5 }, 3)).toThrow();
    expect(() => new AimdLimit({ min: 5, max: 4 }, 3)).toThrow();
    expect(() => new AimdLimit({ min: 1, max: 4, backoff_ratio: 1 }, 3)).toThrow();
  });

  it('through Admission: a burst of overload releases shrinks the limit, successes bring it back, in-flight never exceeds it', async () => {
    const adm = new Admission('aimd', { max_concurrency: 8, max_queue: 100, max_wait_ms: 60_000, adaptive: { min: 2, max: 8 } }, { clock: new FakeClock() });
    const take = async (n: number) => Promise.all(Array.from({ length: n }, () => adm.acquire({ orgId: 'o', cost: 1 })));

    const eight = await take(8);
    for (const s of eight) s.release('overload');
    await settle();
    expect(adm.stats().limit).toBe(Math.max(2, Math.floor(8 * 0.9 ** 8)));

    for (let i = 0; i < 30; i++) (await adm.acquire({ orgId: 'o', cost: 1 })).release('overload');
    expect(adm.stats().limit).toBe(2);

    // 'error' and 'cancelled' are not congestion signals.
    for (const s of await take(2)) s.release('error');
    for (const s of await take(2)) s.release('cancelled');
    expect(adm.stats().limit).toBe(2);

    // Saturate with waiters and release with success until the limit is back at max.
    let holding = 0;
    let violations = 0;
    let rounds = 0;
    const seen = new Set<number>();
    while (adm.stats().limit < 8 && rounds < 500) {
      rounds++;
      const limit = adm.stats().limit;
      seen.add(limit);
      const slots: Slot[] = [];
      const waiters = Array.from({ length: limit + 2 }, () =>
        adm.acquire({ orgId: 'o', cost: 1 }).then((s) => {
          if (++holding > adm.stats().limit) violations++;
          slots.push(s);
          return s;
        }),
      );
      await settle();
      expect(slots.length).toBe(limit);
      while (slots.length > 0) {
        holding--;
        slots.shift()!.release('success');
        await settle(1);
      }
      await Promise.all(waiters);
      while (slots.length > 0) {
        holding--;
        slots.shift()!.release('success');
      }
      await settle(1);
    }
    expect(adm.stats().limit).toBe(8);
    expect(violations).toBe(0);
    expect([...seen].every((x) => x >= 2 && x <= 8)).toBe(true);
    for (let i = 0; i < 200; i++) (await adm.acquire({ orgId: 'o', cost: 1 })).release('success');
    expect(adm.stats().limit).toBe(8);
  });
});

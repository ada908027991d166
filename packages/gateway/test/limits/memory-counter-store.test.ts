import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryCounterStore } from 'tollgate';
import { bucketScale, MAX_UNITS } from '../../src/limits/index.js';
import { rescaledLevel } from '../../src/limits/bucket-math.js';
import { describeCounterStoreContract } from './counter-store-contract.js';

describeCounterStoreContract({
  name: 'memory',
  async setup() {
    const clock = new FakeClock();
    const store = new MemoryCounterStore(clock);
    return {
      store,
      peers: [],
      pass: (ms) => clock.advance(ms),
      now: () => clock.now(),
      slack: 0,
      snapshot: async () => store.snapshot(),
      teardown: () => store.close(),
    };
  },
});

/**
 * An independent model of one token bucket in exact rationals (BigInt numerator over the window
 * length): level in tokens = num / W, refill L tokens per W ms. No scaled units, no gcd.
 */
class ReferenceBucket {
  private num: bigint; // tokens × W
  private ts: bigint;
  constructor(
    private readonly L: bigint,
    private readonly W: bigint,
    now: bigint,
  ) {
    this.num = L * W;
    this.ts = now;
  }
  private refill(now: bigint): void {
    const cap = this.L * this.W;
    this.num += (now - this.ts) * this.L;
    if (this.num > cap) this.num = cap;
    this.ts = now;
  }
  reserve(cost: bigint, now: bigint): { admitted: boolean; remaining: bigint; retryAfterMs: bigint | null; resetMs: bigint } {
    this.refill(now);
    const need = cost * this.W;
    const ceil = (a: bigint, b: bigint) => (a <= 0n ? -(-a / b) : (a + b - 1n) / b);
    const floor = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
    let admitted = false;
    let retryAfterMs: bigint | null = null;
    if (cost > this.L) retryAfterMs = null;
    else if (this.num >= need) {
      this.num -= need;
      admitted = true;
    } else retryAfterMs = ceil(need - this.num, this.L);
    const remaining = floor(this.num, this.W);
    return { admitted, remaining: remaining < 0n ? 0n : remaining, retryAfterMs, resetMs: ceil(this.L * this.W - this.num, this.L) };
  }
  refund(delta: bigint, now: bigint): void {
    this.refill(now);
    this.num += delta * this.W;
    if (this.num > this.L * this.W) this.num = this.L * this.W;
  }
}

describe('MemoryCounterStore on a fake clock', () => {
  it('retryAfterMs is tight: 1 ms earlier fails, at the announced time it fits', async () => {
    for (const [limit, windowMs, cost] of [
      [3, 60_000, 1],
      [7, 60_000, 3],
      [1, 86_400_000, 1],
      [150_000, 60_000, 40_000],
      [9_999_991, 86_400_000, 123_457], // prime limit: q = windowMs, rate = limit
    ] as const) {
      const clock = new FakeClock();
      const store = new MemoryCounterStore(clock);
      const b = { key: 'b', limit, windowMs, cost };
      let n = 0;
      const go = () => store.reserve({ reservationId: `r${n++}`, tag: 't', leaseMs: 1e9, buckets: [b] });
      while ((await go()).admitted);
      const o = await go();
      if (o.admitted) throw new Error('expected a refusal');
      const wait = o.failures[0]!.retryAfterMs!;
      expect(wait).toBeGreaterThan(0);
      await clock.advance(wait - 1);
      expect((await go()).admitted).toBe(false);
      await clock.advance(1);
      expect((await go()).admitted).toBe(true);
    }
  });

  it('after waiting k token intervals exactly k more requests pass', async () => {
    const clock = new FakeClock();
    const store = new MemoryCounterStore(clock);
    let n = 0;
    const go = () => store.reserve({ reservationId: `r${n++}`, tag: 't', leaseMs: 1e9, buckets: [{ key: 'rpm', limit: 60, windowMs: 60_000, cost: 1 }] });
    let first = 0;
    while ((await go()).admitted) first++;
    expect(first).toBe(60);
    await clock.advance(5 * 1_000);
    let more = 0;
    while ((await go()).admitted) more++;
    expect(more).toBe(5);
  });

  it('matches an exact rational model of the bucket over random operation sequences', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), cost: fc.integer({ min: 0, max: 1_200 }) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
      fc.record({ kind: fc.constant('settle' as const), actual: fc.integer({ min: 0, max: 1_500 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000 }),
        fc.constantFrom(1_000, 60_000, 86_400_000, 7_919),
        fc.array(op, { maxLength: 60 }),
        async (limit, windowMs, ops) => {
          const clock = new FakeClock();
          const store = new MemoryCounterStore(clock);
          const ref = new ReferenceBucket(BigInt(limit), BigInt(windowMs), BigInt(clock.now()));
          const open: { id: string; cost: number }[] = [];
          let n = 0;
          for (const o of ops) {
            const now = BigInt(clock.now());
            if (o.kind === 'advance') await clock.advance(o.ms);
            else if (o.kind === 'reserve') {
              const id = `r${n++}`;
              const got = await store.reserve({ reservationId: id, tag: 't', leaseMs: 1e12, buckets: [{ key: 'b', limit, windowMs, cost: o.cost }] });
              const want = ref.reserve(BigInt(o.cost), now);
              expect(got.admitted).toBe(want.admitted);
              expect(BigInt(got.buckets[0]!.remaining)).toBe(want.remaining);
              expect(BigInt(got.buckets[0]!.resetMs)).toBe(want.resetMs);
              if (!got.admitted) {
                const r = got.failures[0]!.retryAfterMs;
                expect(r === null ? null : BigInt(r)).toBe(want.retryAfterMs);
              } else open.push({ id, cost: o.cost });
            } else if (open.length > 0) {
              const res = open.shift()!;
              expect(await store.settle({ reservationId: res.id, tag: 't', bucketCosts: [o.actual] })).toBe(true);
              ref.refund(BigInt(res.cost - o.actual), now);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a changed limit: the old level drains at its own rate until written, then the bucket is the new one', async () => {
    const clock = new FakeClock();
    const store = new MemoryCounterStore(clock);
    let n = 0;
    const go = (limit: number, cost = 1) => store.reserve({ reservationId: `r${n++}`, tag: 't', leaseMs: 1e9, buckets: [{ key: 'rpm', limit, windowMs: 60_000, cost }] });
    // Raised 2 → 60 with 2 used: 58 fit at once, then one a second (the new rate).
    expect((await go(2, 2)).admitted).toBe(true);
    expect((await go(60, 58)).buckets[0]).toEqual({ limit: 60, remaining: 0, resetMs: 60_000 });
    const refused = await go(60);
    expect(!refused.admitted && refused.failures[0]!.retryAfterMs).toBe(1_000);
    await clock.advance(5_000);
    let more = 0;
    while ((await go(60)).admitted) more++;
    expect(more).toBe(5);

    // Lowered 60 → 1 with 2 used (at 60 a minute, one a second): refused while the used drain at
    // the rate they were taken under (the key expires then too), never reset to a full bucket.
    const other = (limit: number, cost = 1) => store.reserve({ reservationId: `r${n++}`, tag: 't', leaseMs: 1e9, buckets: [{ key: 'rpm2', limit, windowMs: 60_000, cost }] });
    await other(60, 2);
    const a = await other(1);
    expect(!a.admitted && a.failures[0]!.available).toBe(-1); // Used 2
    await clock.advance(1_000);
    const b = await other(1);
    expect(!b.admitted && b.failures[0]!.available).toBe(0); // Used 1
    await clock.advance(1_000);
    expect((await other(1)).admitted).toBe(true);
    // From that write on it is a bucket of 1 a minute.
    await clock.advance(59_999);
    expect((await other(1)).admitted).toBe(false);
    await clock.advance(1);
    expect((await other(1)).admitted).toBe(true);
  });

  it('rescaledLevel keeps the used tokens exactly, rounded up to a unit of the new scale', () => {
    const ceil = (a: bigint, b: bigint) => (a + b - 1n) / b;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.constantFrom(1_000, 60_000, 86_400_000, 7_919),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (from, to, windowMs, at) => {
          const a = bucketScale(from, windowMs);
          const b = bucketScale(to, windowMs);
          if (a.capacity > MAX_UNITS || b.capacity > MAX_UNITS) return;
          // A level anywhere from the debt floor to just below full.
          const level = Math.floor(-MAX_UNITS + at * (a.capacity - 1 + MAX_UNITS));
          const used = BigInt(a.capacity - level);
          const want = BigInt(b.capacity) - ceil(used * BigInt(b.q), BigInt(a.q));
          const floor = BigInt(-MAX_UNITS);
          expect(BigInt(rescaledLevel(level, a, b))).toBe(want < floor ? floor : want);
          expect(rescaledLevel(a.capacity, a, b)).toBe(b.capacity);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('keeps no state for buckets that have refilled and reservations that were swept', async () => {
    const clock = new FakeClock();
    const store = new MemoryCounterStore(clock);
    for (let i = 0; i < 50; i++) {
      await store.reserve({ reservationId: `a${i}`, tag: `org_${i}`, leaseMs: 1_000, buckets: [{ key: 'rpm', limit: 10, windowMs: 60_000, cost: 1 }] });
    }
    expect(Object.keys(store.snapshot().buckets)).toHaveLength(50);
    await clock.advance(60_000);
    // Garbage collection is amortised over calls; drive enough of them on one other tag.
    for (let i = 0; i < 1_000; i++) await store.reserve({ reservationId: `b${i}`, tag: 'org_x', leaseMs: 1, buckets: [] });
    await clock.advance(10);
    await store.reserve({ reservationId: 'last', tag: 'org_x', leaseMs: 1, buckets: [] });
    const snap = store.snapshot();
    expect(snap.buckets).toEqual({});
    expect(Object.keys(snap.reservations)).toEqual(['org_x']);
    expect(Object.keys(snap.reservations.org_x!)).toEqual(['last']);
  });

  it('rejects calls after close', async () => {
    const store = new MemoryCounterStore(new FakeClock());
    await store.close();
    await expect(store.spendOf('t', 'p')).rejects.toThrow(/closed/);
  });
});

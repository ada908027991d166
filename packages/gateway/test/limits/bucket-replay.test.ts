/**
 * Replaying admissions rebuilds exactly the level the live bucket has: checked against the memory
 * counter store driven with the same admissions on a fake clock (bursts, idle gaps, a full refill).
 */
import { expect, it } from 'vitest';
import { FakeClock, MemoryCounterStore } from 'tollgate';
import { bucketScale, replayDeficit, type Admitted } from '../../src/limits/index.js';

const DAY = 86_400_000;

it('gives the live bucket level to the unit after any history', async () => {
  for (const [limit, windowMs] of [
    [1_000, DAY],
    [7, DAY],
    [100_000, 60_000],
  ] as const) {
    const clock = new FakeClock(Date.UTC(2026, 0, 10));
    const store = new MemoryCounterStore(clock);
    const history: Admitted[] = [];
    let seed = limit;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      await clock.advance(Math.floor(rnd() < 0.1 ? rnd() * windowMs : rnd() * (windowMs / 500)));
      const cost = Math.max(1, Math.floor(rnd() * (limit / 20)));
      const o = await store.reserve({ reservationId: `r${i}`, tag: 't', leaseMs: 2 * DAY, buckets: [{ key: 'b', limit, windowMs, cost }] });
      if (o.admitted) history.push({ at: clock.now(), cost });
    }
    await clock.advance(1234);
    const live = await store.reserve({ reservationId: 'probe', tag: 't', leaseMs: DAY, buckets: [{ key: 'b', limit, windowMs, cost: 0 }] });
    const { q, capacity } = bucketScale(limit, windowMs);
    const deficit = replayDeficit(history, limit, windowMs, clock.now());
    expect(Math.floor((capacity - deficit) / q)).toBe(live.buckets[0]!.remaining);
    expect(history.length).toBeGreaterThan(10);
  }
});

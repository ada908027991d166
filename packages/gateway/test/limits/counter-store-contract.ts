/**
 * The CounterStore contract, run against every implementation (memory-counter-store.test.ts,
 * redis-counter-store.test.ts). Time-dependent assertions are written so they hold exactly on a
 * fake clock and within the measured elapsed time on Redis, whose clock cannot be faked.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CounterStateLost, type CounterStore } from 'tollgate';
import { bucketScale, type BucketRequest, type ReserveOutcome, type ReserveRequest } from '../../src/limits/index.js';

export interface StoreFixture {
  store: CounterStore;
  /** More stores over the same state (other Redis connections); the memory store has none. */
  peers: CounterStore[];
  /** Lets `ms` of the store's time pass: a fake-clock advance, or a real sleep. */
  pass(ms: number): Promise<void>;
  /** The store's notion of now in ms (fake clock, or wall clock for Redis). */
  now(): number;
  /** Extra milliseconds of uncertainty between `now()` and the store's clock (0 on a fake clock). */
  slack: number;
  /** The complete state, comparable with toEqual. */
  snapshot(): Promise<unknown>;
  teardown(): Promise<void>;
}

export interface Harness {
  name: string;
  setup(): Promise<StoreFixture>;
}

const DAY = 86_400_000;
let seq = 0;
const rid = () => `req_${++seq}_${Math.random().toString(36).slice(2, 8)}`;

export function describeCounterStoreContract(h: Harness): void {
  describe(`CounterStore contract: ${h.name}`, () => {
    let f: StoreFixture;
    let s: CounterStore;
    beforeEach(async () => {
      f = await h.setup();
      s = f.store;
    });
    afterEach(async () => {
      await f.teardown();
    });

    /** The end of the current spend period: a month after the store's now (Redis: real time). */
    const periodEnd = () => f.now() + 30 * DAY;
    const bucket = (key: string, limit: number, cost: number, windowMs = DAY): BucketRequest => ({ key, limit, windowMs, cost });
    const reserve = (over: Partial<ReserveRequest> & Pick<ReserveRequest, 'buckets'>, store = s): Promise<ReserveOutcome> =>
      store.reserve({ reservationId: rid(), tag: 'org_a', leaseMs: 60_000, ...over });
    /** `got` equals `exact` minus the time that passed since t0 (exactly `exact` on a fake clock). */
    const expectWaitNear = (got: number | null, exact: number, t0: number) => {
      expect(got).not.toBeNull();
      expect(got!).toBeLessThanOrEqual(exact);
      expect(got!).toBeGreaterThanOrEqual(exact - (f.now() - t0) - f.slack);
    };

    it('admits a fresh bucket and reports remaining and the exact time to full', async () => {
      const o = await reserve({ buckets: [bucket('rpm', 60, 1, 60_000), bucket('tpm', 10_000, 2_500, 60_000)] });
      expect(o).toEqual({
        admitted: true,
        buckets: [
          { limit: 60, remaining: 59, resetMs: 1_000 },
          { limit: 10_000, remaining: 7_500, resetMs: 15_000 },
        ],
      });
    });

    it('peek reads the buckets as a reserve would find them and writes nothing', async () => {
      await reserve({ buckets: [bucket('rpd', 10, 3), bucket('tpd', 1_000, 250)] });
      const before = await f.snapshot();
      const peekAll = (store: CounterStore) =>
        store.peek('org_a', [
          { key: 'rpd', limit: 10, windowMs: DAY },
          { key: 'tpd', limit: 1_000, windowMs: DAY },
          { key: 'untouched', limit: 5, windowMs: DAY },
        ]);
      const seen = await peekAll(s);
      // One request a day refills every 2.4 h, one token every 86.4 s: exact while the test runs.
      expect(seen.map((b) => [b.limit, b.remaining])).toEqual([
        [10, 7],
        [1_000, 750],
        [5, 5],
      ]);
      expect(seen[2]!.resetMs).toBe(0);
      expect(seen[0]!.resetMs).toBeGreaterThan(0);
      for (const peer of f.peers) expect((await peekAll(peer)).map((b) => b.remaining)).toEqual([7, 750, 5]);
      expect(await s.peek('org_a', [])).toEqual([]);
      expect(await f.snapshot()).toEqual(before);
      // What was peeked is what a reserve gets: exactly 7 requests, not one more.
      expect((await reserve({ buckets: [bucket('rpd', 10, 7)] })).admitted).toBe(true);
      expect((await reserve({ buckets: [bucket('rpd', 10, 1)] })).admitted).toBe(false);
      await expect(s.peek('bad{tag}', [])).rejects.toThrow(RangeError);
    });

    it('admits a burst of exactly `limit` and then refuses with the wait for one token', async () => {
      const t0 = f.now();
      const results = [];
      for (let i = 0; i < 11; i++) results.push(await reserve({ buckets: [bucket('rpd', 10, 1)] }));
      expect(results.filter((r) => r.admitted)).toHaveLength(10);
      const last = results[10]!;
      expect(last.admitted).toBe(false);
      if (last.admitted) return;
      expect(last.failures).toHaveLength(1);
      expect(last.failures[0]!.target).toBe(0);
      expect(last.failures[0]!.available).toBe(0);
      expectWaitNear(last.failures[0]!.retryAfterMs, DAY / 10, t0);
      expect(last.buckets[0]!.remaining).toBe(0);
    });

    it('after waiting exactly retryAfterMs the same cost fits', async () => {
      // 4 tokens per 100 ms: one token every 25 ms. Drain, then wait the announced time.
      const b = bucket('fast', 4, 1, 100);
      let refused: ReserveOutcome | undefined;
      for (let i = 0; i < 20 && !refused; i++) {
        const o = await reserve({ buckets: [b] });
        if (!o.admitted) refused = o;
      }
      expect(refused?.admitted).toBe(false);
      if (!refused || refused.admitted) return;
      const wait = refused.failures[0]!.retryAfterMs!;
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(25);
      await f.pass(wait);
      expect((await reserve({ buckets: [b] })).admitted).toBe(true);
    });

    it('a cost above the limit never fits: retryAfterMs null, nothing written', async () => {
      await reserve({ buckets: [bucket('tpm', 1_000, 10)] });
      const before = await f.snapshot();
      const o = await reserve({ buckets: [bucket('tpm', 1_000, 1_001)] });
      expect(o.admitted).toBe(false);
      if (o.admitted) return;
      expect(o.failures).toEqual([{ target: 0, available: 990, retryAfterMs: null }]);
      expect(await f.snapshot()).toEqual(before);
    });

    it('a cost equal to the limit fits a full bucket', async () => {
      const o = await reserve({ buckets: [bucket('tpm', 1_000, 1_000)] });
      expect(o.admitted).toBe(true);
      expect(o.buckets[0]).toEqual({ limit: 1_000, remaining: 0, resetMs: DAY });
    });

    it('all or nothing: one short bucket refuses the call and no bucket, spend or record changes', async () => {
      const t0 = f.now();
      await reserve({ buckets: [bucket('rpm', 100, 1), bucket('tpm', 1_000, 990)], spend: { key: '2026-01', hardLimit: 10_000n, amount: 100n, periodEndMs: periodEnd() } });
      const before = await f.snapshot();
      const o = await reserve({ buckets: [bucket('rpm', 100, 1), bucket('tpm', 1_000, 20)], spend: { key: '2026-01', hardLimit: 10_000n, amount: 100n, periodEndMs: periodEnd() } });
      expect(o.admitted).toBe(false);
      if (o.admitted) return;
      expect(o.failures.map((x) => x.target)).toEqual([1]);
      expect(o.failures[0]!.available).toBe(10);
      expectWaitNear(o.failures[0]!.retryAfterMs, (10 * DAY) / 1_000, t0);
      expect(o.buckets.map((b) => b.remaining)).toEqual([99, 10]);
      expect(o.spend).toEqual({ spent: 0n, reserved: 100n });
      expect(await f.snapshot()).toEqual(before);
    });

    it('lists every failing bucket with its own wait', async () => {
      const t0 = f.now();
      await reserve({ buckets: [bucket('a', 10, 10), bucket('b', 5, 5)] });
      const o = await reserve({ buckets: [bucket('a', 10, 1), bucket('b', 5, 2), bucket('c', 5, 1)] });
      expect(o.admitted).toBe(false);
      if (o.admitted) return;
      expect(o.failures.map((x) => x.target)).toEqual([0, 1]);
      expectWaitNear(o.failures[0]!.retryAfterMs, DAY / 10, t0);
      expectWaitNear(o.failures[1]!.retryAfterMs, (2 * DAY) / 5, t0);
    });

    it('settle refunds reserved minus actual: 1000 reserved, 50 used, 950 back', async () => {
      const id = rid();
      await s.reserve({ reservationId: id, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('tpd', 10_000, 1_000)] });
      expect(await s.settle({ reservationId: id, tag: 'org_a', bucketCosts: [50] })).toBe(true);
      const o = await reserve({ buckets: [bucket('tpd', 10_000, 0)] });
      expect(o.buckets[0]!.remaining).toBe(9_950);
    });

    it('settle never refunds above capacity', async () => {
      const id = rid();
      const b = bucket('tpm', 1_000, 100, 100);
      await s.reserve({ reservationId: id, tag: 'org_a', leaseMs: 60_000, buckets: [b] });
      await f.pass(100); // the bucket refills completely
      expect(await s.settle({ reservationId: id, tag: 'org_a', bucketCosts: [0] })).toBe(true);
      const o = await reserve({ buckets: [{ ...b, cost: 0 }] });
      expect(o.buckets[0]).toEqual({ limit: 1_000, remaining: 1_000, resetMs: 0 });
    });

    it('an actual above the reservation is debited, and the bucket may go into debt', async () => {
      const t0 = f.now(); // the bucket was full then; waits count refill from here
      const id1 = rid();
      await s.reserve({ reservationId: id1, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('tpd', 1_000, 100)] });
      await s.settle({ reservationId: id1, tag: 'org_a', bucketCosts: [300] });
      expect((await reserve({ buckets: [bucket('tpd', 1_000, 0)] })).buckets[0]!.remaining).toBe(700);

      const id2 = rid();
      await s.reserve({ reservationId: id2, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('tpd', 1_000, 100)] });
      await s.settle({ reservationId: id2, tag: 'org_a', bucketCosts: [1_500] });
      const o = await reserve({ buckets: [bucket('tpd', 1_000, 1)] });
      expect(o.admitted).toBe(false);
      if (o.admitted) return;
      expect(o.buckets[0]!.remaining).toBe(0);
      expect(o.failures[0]!.available).toBe(-800);
      expectWaitNear(o.failures[0]!.retryAfterMs, (801 * DAY) / 1_000, t0);
    });

    it('settle is idempotent: the second settle returns false and changes nothing', async () => {
      const id = rid();
      const spend = { key: '2026-01', hardLimit: 1_000_000n, amount: 5_000n, periodEndMs: periodEnd() };
      await s.reserve({ reservationId: id, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('tpm', 1_000, 400)], spend });
      expect(await s.settle({ reservationId: id, tag: 'org_a', bucketCosts: [100], spendAmount: 1_200n })).toBe(true);
      const after = await f.snapshot();
      expect(await s.settle({ reservationId: id, tag: 'org_a', bucketCosts: [0], spendAmount: 0n })).toBe(false);
      expect(await f.snapshot()).toEqual(after);
      expect(await s.spendOf('org_a', '2026-01')).toEqual({ spent: 1_200n, reserved: 0n });
      expect(await s.settle({ reservationId: 'never-reserved', tag: 'org_a' })).toBe(false);
    });

    it('settle without actual values keeps the reserved costs and charges the reserved spend', async () => {
      const id = rid();
      await s.reserve({ reservationId: id, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('tpd', 1_000, 400)], spend: { key: 'p', hardLimit: null, amount: 70n, periodEndMs: periodEnd() } });
      expect(await s.settle({ reservationId: id, tag: 'org_a' })).toBe(true);
      expect((await reserve({ buckets: [bucket('tpd', 1_000, 0)] })).buckets[0]!.remaining).toBe(600);
      expect(await s.spendOf('org_a', 'p')).toEqual({ spent: 70n, reserved: 0n });
    });

    it('spend: admits up to the hard limit exactly, counting reserved and spent', async () => {
      const period = { key: '2026-01', hardLimit: 1_000n, periodEndMs: periodEnd() };
      const id = rid();
      const a = await s.reserve({ reservationId: id, tag: 'org_a', leaseMs: 60_000, buckets: [], spend: { ...period, amount: 600n } });
      expect(a).toEqual({ admitted: true, buckets: [], spend: { spent: 0n, reserved: 600n } });

      const before = await f.snapshot();
      const b = await reserve({ buckets: [], spend: { ...period, amount: 401n } });
      expect(b).toEqual({ admitted: false, buckets: [], spend: { spent: 0n, reserved: 600n }, failures: [{ target: 'spend', available: 400n, retryAfterMs: null }] });
      expect(await f.snapshot()).toEqual(before);

      await s.settle({ reservationId: id, tag: 'org_a', spendAmount: 200n });
      expect(await s.spendOf('org_a', '2026-01')).toEqual({ spent: 200n, reserved: 0n });
      expect((await reserve({ buckets: [], spend: { ...period, amount: 800n } })).admitted).toBe(true);
      expect((await reserve({ buckets: [], spend: { ...period, amount: 1n } })).admitted).toBe(false);
    });

    it('project spend: checked and held with the organization\'s in one step; settle and the lease sweep move both', async () => {
      const spend = (amount: bigint) => ({ key: 'o-2026-01', hardLimit: 10_000n, amount, periodEndMs: periodEnd() });
      const project = { key: 'p-2026-01', hardLimit: 1_000n };
      const id = rid();
      const a = await s.reserve({ reservationId: id, tag: 'org_a', leaseMs: 60_000, buckets: [], spend: spend(600n), projectSpend: project });
      expect(a).toEqual({ admitted: true, buckets: [], spend: { spent: 0n, reserved: 600n }, projectSpend: { spent: 0n, reserved: 600n } });

      // The project's limit binds first; a refusal writes nothing to either counter.
      const before = await f.snapshot();
      const b = await reserve({ buckets: [], spend: spend(401n), projectSpend: project });
      expect(b).toEqual({
        admitted: false,
        buckets: [],
        spend: { spent: 0n, reserved: 600n },
        projectSpend: { spent: 0n, reserved: 600n },
        failures: [{ target: 'project_spend', available: 400n, retryAfterMs: null }],
      });
      expect(await f.snapshot()).toEqual(before);
      // Another project of the organization is not held back by this one.
      expect((await reserve({ buckets: [], spend: spend(401n), projectSpend: { key: 'q-2026-01', hardLimit: 1_000n } })).admitted).toBe(true);

      await s.settle({ reservationId: id, tag: 'org_a', spendAmount: 200n });
      expect(await s.spendOf('org_a', 'o-2026-01')).toEqual({ spent: 200n, reserved: 401n });
      expect(await s.spendOf('org_a', 'p-2026-01')).toEqual({ spent: 200n, reserved: 0n });
      // Never settled: the sweep charges the full amount to both.
      await s.reserve({ reservationId: rid(), tag: 'org_a', leaseMs: 1, buckets: [], spend: spend(300n), projectSpend: project });
      await f.pass(5 + f.slack);
      await reserve({ buckets: [], spend: spend(0n), projectSpend: project });
      expect(await s.spendOf('org_a', 'p-2026-01')).toEqual({ spent: 500n, reserved: 0n });
      expect((await s.spendOf('org_a', 'o-2026-01')).spent).toBe(500n);
    });

    it('spend is exact beyond 2^53 pico-dollars: a $9,000,000 hard limit admits to the last pico-dollar', async () => {
      const hard = 9_000_000n * 10n ** 12n; // 9e18 p$, far beyond a double's exact integers
      const period = { key: 'big', hardLimit: hard, periodEndMs: periodEnd() };
      const first = rid();
      await s.reserve({ reservationId: first, tag: 'org_a', leaseMs: 60_000, buckets: [], spend: { ...period, amount: hard - 3n } });
      expect(await s.settle({ reservationId: first, tag: 'org_a', spendAmount: hard - 2n })).toBe(true);
      expect(await s.spendOf('org_a', 'big')).toEqual({ spent: hard - 2n, reserved: 0n });
      const before = await f.snapshot();
      const over = await reserve({ buckets: [], spend: { ...period, amount: 3n } });
      expect(over).toEqual({ admitted: false, buckets: [], spend: { spent: hard - 2n, reserved: 0n }, failures: [{ target: 'spend', available: 2n, retryAfterMs: null }] });
      expect(await f.snapshot()).toEqual(before);
      expect((await reserve({ buckets: [], spend: { ...period, amount: 1n } })).admitted).toBe(true);
      expect((await reserve({ buckets: [], spend: { ...period, amount: 1n } })).admitted).toBe(true);
      const full = await reserve({ buckets: [], spend: { ...period, amount: 1n } });
      expect(full.admitted).toBe(false);
      expect(full.spend).toEqual({ spent: hard - 2n, reserved: 2n });
      // Over the limit (a settlement above its reservation): the shortfall is reported negative.
      await s.setSpent('org_a', 'big', hard + 5n, periodEnd());
      const neg = await reserve({ buckets: [], spend: { ...period, amount: 0n } });
      expect(neg.admitted).toBe(false);
      if (!neg.admitted) expect(neg.failures).toEqual([{ target: 'spend', available: -7n, retryAfterMs: null }]);
    });

    it('spend with no hard limit is admitted and still tracked', async () => {
      for (let i = 0; i < 3; i++) await reserve({ buckets: [], spend: { key: 'p', hardLimit: null, amount: 1000000000000n, periodEndMs: periodEnd() } });
      expect(await s.spendOf('org_a', 'p')).toEqual({ spent: 0n, reserved: 3000000000000n });
    });

    it('setSpent rebuilds spent and keeps reservations in flight', async () => {
      await reserve({ buckets: [], spend: { key: 'p', hardLimit: 1_000n, amount: 300n, periodEndMs: periodEnd() } });
      await s.setSpent('org_a', 'p', 650n, periodEnd());
      expect(await s.spendOf('org_a', 'p')).toEqual({ spent: 650n, reserved: 300n });
      expect((await reserve({ buckets: [], spend: { key: 'p', hardLimit: 1_000n, amount: 51n, periodEndMs: periodEnd() } })).admitted).toBe(false);
      expect((await reserve({ buckets: [], spend: { key: 'p', hardLimit: 1_000n, amount: 50n, periodEndMs: periodEnd() } })).admitted).toBe(true);
      expect(await s.spendOf('org_a', 'other')).toEqual({ spent: 0n, reserved: 0n });
    });

    it('an unsettled reservation is swept after its lease: spend charged in full, tokens stay used', async () => {
      const id = rid();
      await s.reserve({ reservationId: id, tag: 'org_a', leaseMs: 30, buckets: [bucket('tpd', 1_000, 250)], spend: { key: 'p', hardLimit: 1_000n, amount: 300n, periodEndMs: periodEnd() } });
      await f.pass(40);
      // Another tag's reserve does not sweep this tag.
      await reserve({ tag: 'org_b', buckets: [bucket('x', 1, 1)] });
      expect(await s.spendOf('org_a', 'p')).toEqual({ spent: 0n, reserved: 300n });
      const sweeper = rid();
      const o = await s.reserve({ reservationId: sweeper, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('tpd', 1_000, 0)] });
      expect(o.buckets[0]!.remaining).toBe(750);
      expect(await s.spendOf('org_a', 'p')).toEqual({ spent: 300n, reserved: 0n });
      // The call that swept keeps its own reservation.
      expect(await s.settle({ reservationId: sweeper, tag: 'org_a' })).toBe(true);
      expect(await s.settle({ reservationId: id, tag: 'org_a', bucketCosts: [0], spendAmount: 0n })).toBe(false);
      expect(await s.spendOf('org_a', 'p')).toEqual({ spent: 300n, reserved: 0n });
    });

    it('a guarded reserve refuses, writing nothing, until the state is restored; then the restored state binds', async () => {
      const guarded = { key: 'p', hardLimit: 1_000n, amount: 100n, periodEndMs: periodEnd(), guarded: true };
      const before = await f.snapshot();
      await expect(reserve({ buckets: [bucket('rpd', 10, 1)], spend: guarded })).rejects.toBeInstanceOf(CounterStateLost);
      expect(await f.snapshot()).toEqual(before);
      // 950 spent, and 9 of 10 requests per day used (the ledger's history replayed).
      const { q } = bucketScale(10, DAY);
      expect(await s.restore({ tag: 'org_a', spend: { key: 'p', spent: 950n, periodEndMs: periodEnd() }, buckets: [{ key: 'rpd', limit: 10, windowMs: DAY, deficitUnits: 9 * q }] })).toBe(true);
      // A second restore (another instance) changes nothing.
      expect(await s.restore({ tag: 'org_a', spend: { key: 'p', spent: 0n, periodEndMs: periodEnd() }, buckets: [] })).toBe(false);
      expect(await s.spendOf('org_a', 'p')).toEqual({ spent: 950n, reserved: 0n });
      const refused = await reserve({ buckets: [bucket('rpd', 10, 1)], spend: guarded });
      expect(refused.admitted).toBe(false);
      const ok = await reserve({ buckets: [bucket('rpd', 10, 1)], spend: { ...guarded, amount: 50n } });
      expect(ok.admitted).toBe(true);
      expect(ok.buckets[0]!.remaining).toBe(0);
    });

    it('a guarded reserve whose organization is restored but whose project is not refuses for the project, writing nothing', async () => {
      const guarded = { key: 'p', hardLimit: 1_000n, amount: 100n, periodEndMs: periodEnd(), guarded: true };
      expect(await s.restore({ tag: 'org_a', spend: { key: 'p', spent: 0n, periodEndMs: periodEnd() }, buckets: [] })).toBe(true);
      const before = await f.snapshot();
      const refused = reserve({ buckets: [bucket('rpd', 10, 1)], spend: guarded, projectSpend: { key: 'q', hardLimit: null } });
      await expect(refused).rejects.toMatchObject({ name: 'CounterStateLost', scope: 'project' });
      expect(await f.snapshot()).toEqual(before);
      expect(await s.restore({ tag: 'org_a', spend: { key: 'q', spent: 50n, periodEndMs: periodEnd() }, buckets: [] })).toBe(true);
      const ok = await reserve({ buckets: [bucket('rpd', 10, 1)], spend: guarded, projectSpend: { key: 'q', hardLimit: null } });
      expect(ok.projectSpend).toEqual({ spent: 50n, reserved: 100n });
    });

    describe('seed: a bucket started from a known history', () => {
      const seeded = (key: string, limit: number, windowMs: number, usedTokens: number) => ({ key, limit, windowMs, deficitUnits: usedTokens * bucketScale(limit, windowMs).q });

      it('a missing bucket starts at capacity − deficit: 3 of 3 a day used refuses the next with the day wait', async () => {
        const t0 = f.now();
        await s.seed('org_a', [seeded('rpd', 3, DAY, 3), seeded('tpd', 1_000, DAY, 250)]);
        const o = await reserve({ buckets: [bucket('rpd', 3, 1), bucket('tpd', 1_000, 1)] });
        expect(o.admitted).toBe(false);
        if (o.admitted) return;
        expect(o.failures).toHaveLength(1);
        expect(o.failures[0]!).toMatchObject({ target: 0, available: 0 });
        // One request per 8 h; the tokens bucket is not the one short.
        expectWaitNear(o.failures[0]!.retryAfterMs, DAY / 3, t0);
        expect(o.buckets[1]!.remaining).toBe(750);
      });

      it('never raises a bucket: what reserves took meanwhile stays taken, and a second seed of the same history takes nothing more', async () => {
        for (let i = 0; i < 5; i++) await reserve({ buckets: [bucket('rpd', 10, 1)] });
        await s.seed('org_a', [seeded('rpd', 10, DAY, 2)]);
        expect((await s.peek('org_a', [{ key: 'rpd', limit: 10, windowMs: DAY }]))[0]!.remaining).toBe(5);
        await s.seed('org_a', [seeded('rpd', 10, DAY, 7)]);
        await s.seed('org_a', [seeded('rpd', 10, DAY, 7)]);
        expect((await s.peek('org_a', [{ key: 'rpd', limit: 10, windowMs: DAY }]))[0]!.remaining).toBe(3);
      });

      it('a bucket written under another limit is compared in the new scale and written in it', async () => {
        // 2 of 10 used under the old limit; the history says 4 under the new limit of 5.
        await reserve({ buckets: [bucket('rpd', 10, 2)] });
        await s.seed('org_a', [seeded('rpd', 5, DAY, 4)]);
        const o = await reserve({ buckets: [bucket('rpd', 5, 1)] });
        expect(o.admitted).toBe(true);
        expect(o.buckets[0]!.remaining).toBe(0);
        expect((await reserve({ buckets: [bucket('rpd', 5, 1)] })).admitted).toBe(false);
      });

      // A changed limit's bucket is rewritten in the new scale: from the seed on it refills at the
      // new rate, and a limit lowered under what was used counts as all used, no more.
      it.each([
        // what, used under (limit, window), used, new limit, seeded deficit, asked, wait
        ['a lowered limit refills at its own rate from the seed: 3 of 1,000 a day used, lowered to 3 a day, waits 8 h, not 86 s', 1_000, DAY, 3, 3, 3, 1, DAY / 3],
        ['a limit lowered under what was used counts as all used, no more: 6 of 6 a minute used, lowered to 2, one back after 30 s', 6, 60_000, 6, 2, 6, 1, 30_000],
        ['a raised limit refills at its own rate from the seed: 3 of 3 a day used, raised to 3,000, one back after 28.8 s', 3, DAY, 3, 3_000, 0, 2_998, DAY / 3_000],
      ] as const)('%s', async (_what, oldLimit, windowMs, used, newLimit, deficit, asked, wait) => {
        const t0 = f.now();
        for (let i = 0; i < used; i++) await reserve({ buckets: [bucket('b', oldLimit, 1, windowMs)] });
        await s.seed('org_a', [seeded('b', newLimit, windowMs, deficit)]);
        const o = await reserve({ buckets: [bucket('b', newLimit, asked, windowMs)] });
        expect(o.admitted).toBe(false);
        if (!o.admitted) expectWaitNear(o.failures[0]!.retryAfterMs, wait, t0);
      });

      it('a seeded bucket drains at its rate from the seed on: 10 of 10 a second used, 5 back after 500 ms', async () => {
        const t0 = f.now();
        await s.seed('org_a', [seeded('fast', 10, 1_000, 10)]);
        const refused = await reserve({ buckets: [bucket('fast', 10, 5, 1_000)] });
        expect(refused.admitted).toBe(false);
        if (!refused.admitted) expectWaitNear(refused.failures[0]!.retryAfterMs, 500, t0);
        await f.pass(500);
        expect((await reserve({ buckets: [bucket('fast', 10, 5, 1_000)] })).admitted).toBe(true);
      });

      it('touches only the buckets: no spend, no restore mark (a guarded reserve still refuses), nothing for an empty list', async () => {
        const before = await f.snapshot();
        await s.seed('org_a', []);
        await s.seed('org_a', [seeded('rpd', 10, DAY, 0)]);
        expect(await f.snapshot()).toEqual(before);
        await s.seed('org_a', [seeded('rpd', 10, DAY, 1)]);
        expect(await s.spendOf('org_a', 'p')).toEqual({ spent: 0n, reserved: 0n });
        await expect(reserve({ buckets: [bucket('rpd', 10, 1)], spend: { key: 'p', hardLimit: null, amount: 1n, periodEndMs: periodEnd(), guarded: true } })).rejects.toBeInstanceOf(CounterStateLost);
        // Another tag's bucket of the same name is not this one.
        expect((await s.peek('org_b', [{ key: 'rpd', limit: 10, windowMs: DAY }]))[0]!.remaining).toBe(10);
      });

      it('rejects invalid input, writing nothing', async () => {
        const before = await f.snapshot();
        await expect(s.seed('org_a', [{ key: 'rpd', limit: 10, windowMs: DAY, deficitUnits: -1 }])).rejects.toThrow(RangeError);
        await expect(s.seed('org_a', [{ key: 'rpd', limit: 0, windowMs: DAY, deficitUnits: 1 }])).rejects.toThrow(RangeError);
        await expect(s.seed('org{x}', [seeded('rpd', 10, DAY, 1)])).rejects.toThrow(/braces/);
        expect(await f.snapshot()).toEqual(before);
      });

      it('concurrent with reserves on every connection, a seed never lets more through than the history leaves', async () => {
        const all = [s, ...f.peers];
        const out = await Promise.all([
          s.seed('org_a', [seeded('rpd', 100, DAY, 60)]).then(() => undefined),
          ...Array.from({ length: 200 }, (_, i) => reserve({ buckets: [bucket('rpd', 100, 1)] }, all[i % all.length])),
        ]);
        const admitted = out.filter((o) => o?.admitted).length;
        // k reserves before the seed took from a full bucket, which the seed then lowered to
        // min(100 − k, 40): k + min(100 − k, 40) in all, never more than the limit, and the rest
        // of the 200 found it empty.
        expect(admitted).toBeGreaterThanOrEqual(40);
        expect(admitted).toBeLessThanOrEqual(100);
        expect((await s.peek('org_a', [{ key: 'rpd', limit: 100, windowMs: DAY }]))[0]!.remaining).toBe(0);
      });
    });

    it('a reservation inside its lease is not swept', async () => {
      const id = rid();
      await s.reserve({ reservationId: id, tag: 'org_a', leaseMs: 60_000, buckets: [], spend: { key: 'p', hardLimit: null, amount: 300n, periodEndMs: periodEnd() } });
      await reserve({ buckets: [bucket('x', 5, 1)] });
      expect(await s.spendOf('org_a', 'p')).toEqual({ spent: 0n, reserved: 300n });
      expect(await s.settle({ reservationId: id, tag: 'org_a', spendAmount: 10n })).toBe(true);
    });

    it('refuses a duplicate reservation id without changing anything', async () => {
      const id = rid();
      await s.reserve({ reservationId: id, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('rpm', 10, 1)] });
      const before = await f.snapshot();
      await expect(s.reserve({ reservationId: id, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('rpm', 10, 1)] })).rejects.toThrow(/duplicate reservation id/);
      expect(await f.snapshot()).toEqual(before);
    });

    it('tags and keys are independent', async () => {
      await reserve({ tag: 'org_a', buckets: [bucket('rpm', 2, 2)] });
      expect((await reserve({ tag: 'org_b', buckets: [bucket('rpm', 2, 2)] })).admitted).toBe(true);
      expect((await reserve({ tag: 'org_a', buckets: [bucket('rpm2', 2, 2)] })).admitted).toBe(true);
      expect((await reserve({ tag: 'org_a', buckets: [bucket('rpm', 2, 1)] })).admitted).toBe(false);
    });

    describe('a changed limit keeps what was used', () => {
      /** What is left of a bucket now, read without writing (a reserve of cost 0 writes nothing either). */
      const left = async (key: string, limit: number, windowMs = DAY) => (await s.peek('org_a', [{ key, limit, windowMs }]))[0]!;

      it('a raised limit leaves the new limit − used, and its refusal says the true used count', async () => {
        expect((await reserve({ buckets: [bucket('rpd', 3, 3)] })).admitted).toBe(true);
        expect((await reserve({ buckets: [bucket('rpd', 3, 1)] })).admitted).toBe(false);
        // Raised to 1000: 997 left, not a bucket "full of used" that refills at the new rate.
        expect((await left('rpd', 1_000)).remaining).toBe(997);
        const o = await reserve({ buckets: [bucket('rpd', 1_000, 1)] });
        expect(o).toMatchObject({ admitted: true, buckets: [{ limit: 1_000, remaining: 996 }] });
        // 4 used of 1000: a request of 997 is refused with 996 available (Used = 1000 − 996 = 4).
        const big = await reserve({ buckets: [bucket('rpd', 1_000, 997)] });
        expect(big.admitted).toBe(false);
        if (big.admitted) return;
        expect(big.failures[0]).toMatchObject({ target: 0, available: 996 });
        expect((await reserve({ buckets: [bucket('rpd', 1_000, 996)] })).admitted).toBe(true);
        expect((await reserve({ buckets: [bucket('rpd', 1_000, 1)] })).admitted).toBe(false);
      });

      it('a lowered limit waits for what was used to drain at the old rate: wait, reset and admission agree', async () => {
        const t0 = f.now();
        await reserve({ buckets: [bucket('rpm', 6, 6, 60_000)] });
        const o = await reserve({ buckets: [bucket('rpm', 2, 1, 60_000)] });
        expect(o.admitted).toBe(false);
        if (o.admitted) return;
        expect(o.failures[0]).toMatchObject({ target: 0, available: -4 });
        // The 6 used drain at 6 a minute until a write: 1 of the 2 fits once 1 is used (50 s), the
        // bucket is full at 60 s — not 2.5 min at the new rate, while the key expires after 1 min.
        expectWaitNear(o.failures[0]!.retryAfterMs, 50_000, t0);
        expectWaitNear(o.buckets[0]!.resetMs, 60_000, t0);
        expectWaitNear((await left('rpm', 2, 60_000)).resetMs, 60_000, t0);
        // Daily, 3 used, lowered to 1: a day (the old window), not 72 h.
        await reserve({ buckets: [bucket('rpd', 3, 3)] });
        const d = await reserve({ buckets: [bucket('rpd', 1, 1)] });
        expect(d.admitted).toBe(false);
        if (d.admitted) return;
        expectWaitNear(d.failures[0]!.retryAfterMs, DAY, t0);
        expectWaitNear(d.buckets[0]!.resetMs, DAY, t0);
        if (f.slack > 0) return; // admission to the millisecond: on the fake clock only
        await f.pass(49_999);
        const early = await reserve({ buckets: [bucket('rpm', 2, 1, 60_000)] });
        expect(early.admitted).toBe(false);
        if (early.admitted) return;
        expect(early.failures[0]!.retryAfterMs).toBe(1);
        await f.pass(1);
        // Admitted, written in the new scale: 0 left, full again in a minute at 2 a minute.
        expect(await reserve({ buckets: [bucket('rpm', 2, 1, 60_000)] })).toMatchObject({ admitted: true, buckets: [{ limit: 2, remaining: 0, resetMs: 60_000 }] });
        await f.pass(DAY - 50_001);
        expect((await reserve({ buckets: [bucket('rpd', 1, 1)] })).admitted).toBe(false);
        await f.pass(1);
        expect((await reserve({ buckets: [bucket('rpd', 1, 1)] })).admitted).toBe(true);
      });

      it('a lowered limit refuses with the true used count, and used survives a write in the new scale', async () => {
        await reserve({ buckets: [bucket('rpd', 60, 2)] });
        const o = await reserve({ buckets: [bucket('rpd', 1, 1)] });
        expect(o.admitted).toBe(false);
        if (o.admitted) return;
        // 2 used under a limit of 1: one in debt (Used = 1 − (−1) = 2), never a fresh full bucket.
        expect(o.failures[0]).toMatchObject({ target: 0, available: -1 });
        expect(o.buckets[0]).toMatchObject({ limit: 1, remaining: 0 });
        expect(await left('rpd', 1)).toMatchObject({ limit: 1, remaining: 0 });
        // Lowered to 5 (2 used): 3 fit, written in the new scale; raised back, 5 are used.
        expect((await reserve({ buckets: [bucket('rpd', 5, 3)] })).buckets[0]!.remaining).toBe(0);
        expect((await reserve({ buckets: [bucket('rpd', 5, 1)] })).admitted).toBe(false);
        expect((await left('rpd', 60)).remaining).toBe(55);
        // Tokens, with a limit whose units per token differ from the old one's (q 8.64M vs 86.4M):
        // 3 of 10 used, lowered to 7 leaves 4; raised to 20 leaves 17.
        await reserve({ buckets: [bucket('tpd', 10, 3)] });
        expect((await left('tpd', 7)).remaining).toBe(4);
        expect((await left('tpd', 20)).remaining).toBe(17);
        expect((await reserve({ buckets: [bucket('tpd', 7, 5)] })).admitted).toBe(false);
        expect((await reserve({ buckets: [bucket('tpd', 7, 4)] })).admitted).toBe(true);
        expect((await left('tpd', 10)).remaining).toBe(3);
      });

      it('a limit with the same units per token but another rate is a change too (7 → 11 a day)', async () => {
        // gcd(7, DAY) = gcd(11, DAY) = 1: both keep q = DAY, only rate and capacity differ.
        await reserve({ buckets: [bucket('rpd', 7, 7)] });
        expect((await left('rpd', 11)).remaining).toBe(4);
        expect((await reserve({ buckets: [bucket('rpd', 11, 4)] })).admitted).toBe(true);
        expect((await reserve({ buckets: [bucket('rpd', 11, 1)] })).admitted).toBe(false);
      });

      it('after a raise the bucket refills at the new rate, as a bucket of the new size', async () => {
        await reserve({ buckets: [bucket('rpm', 2, 2, 60_000)] });
        const t0 = f.now();
        // 60 a minute: 58 left at once (the old rate, one per 30 s, had no time to add one).
        expect((await reserve({ buckets: [bucket('rpm', 60, 58, 60_000)] })).admitted).toBe(true);
        const o = await reserve({ buckets: [bucket('rpm', 60, 1, 60_000)] });
        expect(o.admitted).toBe(false);
        if (o.admitted) return;
        // The wait is one token at the new rate (1 s), not the old rate's 30 s.
        expectWaitNear(o.failures[0]!.retryAfterMs, 1_000, t0);
        await f.pass(o.failures[0]!.retryAfterMs!);
        expect((await reserve({ buckets: [bucket('rpm', 60, 1, 60_000)] })).admitted).toBe(true);
      });

      it('a settlement of a reservation taken under the old limit applies to the bucket as it is now', async () => {
        // Raised: 600 reserved under 1000, then 100 under 5000; 550 of the 600 come back.
        const a = rid();
        await s.reserve({ reservationId: a, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('tpd', 1_000, 600)] });
        expect((await reserve({ buckets: [bucket('tpd', 5_000, 100)] })).buckets[0]!.remaining).toBe(4_300);
        expect(await s.settle({ reservationId: a, tag: 'org_a', bucketCosts: [50] })).toBe(true);
        expect((await left('tpd', 5_000)).remaining).toBe(4_850);

        // Lowered: 300 reserved under 1000, then 100 under 500; all 300 come back: 100 used.
        const b = rid();
        await s.reserve({ reservationId: b, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('tpd2', 1_000, 300)] });
        expect((await reserve({ buckets: [bucket('tpd2', 500, 100)] })).buckets[0]!.remaining).toBe(100);
        expect(await s.settle({ reservationId: b, tag: 'org_a', bucketCosts: [0] })).toBe(true);
        expect((await left('tpd2', 500)).remaining).toBe(400);
        // Never above the new capacity: 600 reserved under 1000, lowered to 500 (over it), all back.
        const c = rid();
        await s.reserve({ reservationId: c, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('tpd3', 1_000, 600)] });
        expect((await left('tpd3', 500)).remaining).toBe(0);
        expect(await s.settle({ reservationId: c, tag: 'org_a', bucketCosts: [0] })).toBe(true);
        expect(await left('tpd3', 500)).toEqual({ limit: 500, remaining: 500, resetMs: 0 });
        expect(await left('tpd3', 1_000)).toEqual({ limit: 1_000, remaining: 1_000, resetMs: 0 });

        // A debit beyond the reservation after a lower: 100 reserved under 1000, 50 more under
        // 200, 900 actually used: 950 used, in debt under 200; raised back to 1000, 50 left.
        const d = rid();
        await s.reserve({ reservationId: d, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('tpd4', 1_000, 100)] });
        await reserve({ buckets: [bucket('tpd4', 200, 50)] });
        expect(await s.settle({ reservationId: d, tag: 'org_a', bucketCosts: [900] })).toBe(true);
        const debt = await reserve({ buckets: [bucket('tpd4', 200, 1)] });
        expect(debt.admitted).toBe(false);
        if (debt.admitted) return;
        expect(debt.failures[0]!.available).toBe(-750);
        expect((await left('tpd4', 1_000)).remaining).toBe(50);
      });

      it('a refund after the bucket refilled under a raised limit stops at the new capacity', async () => {
        const a = rid();
        // 4 per 100 ms; 3 reserved, then the bucket refills, the limit is raised to 8 and 1 taken.
        await s.reserve({ reservationId: a, tag: 'org_a', leaseMs: 60_000, buckets: [bucket('fast', 4, 3, 100)] });
        await f.pass(100);
        expect((await reserve({ buckets: [bucket('fast', 8, 1, 100)] })).admitted).toBe(true);
        expect(await s.settle({ reservationId: a, tag: 'org_a', bucketCosts: [0] })).toBe(true);
        expect(await left('fast', 8, 100)).toEqual({ limit: 8, remaining: 8, resetMs: 0 });
      });
    });

    it('rejects invalid input', async () => {
      await expect(reserve({ buckets: [bucket('a', 0, 1)] })).rejects.toThrow(RangeError);
      await expect(reserve({ buckets: [bucket('a', 5, -1)] })).rejects.toThrow(RangeError);
      await expect(reserve({ buckets: [bucket('a', 5, 1.5)] })).rejects.toThrow(RangeError);
      await expect(reserve({ buckets: [bucket('a', 5, 1), bucket('a', 5, 1)] })).rejects.toThrow(/twice/);
      await expect(reserve({ tag: 'org{x}', buckets: [] })).rejects.toThrow(/braces/);
      await expect(reserve({ buckets: [bucket('a', 2 ** 40, 1)] })).rejects.toThrow(/too fine/);
      await expect(reserve({ buckets: [], spend: { key: 'p', hardLimit: null, amount: 0.5 as unknown as bigint, periodEndMs: 0 } })).rejects.toThrow(RangeError);
      await expect(s.settle({ reservationId: 'x', tag: 'org_a', bucketCosts: [-1] })).rejects.toThrow(RangeError);
    });

    describe('concurrency', () => {
      const all = () => [s, ...f.peers];
      const spread = <T>(n: number, fn: (store: CounterStore, i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => fn(all()[i % all().length]!, i)));

      it('500 concurrent reserves against a bucket of 100 admit exactly 100', async () => {
        const out = await spread(500, (store) => reserve({ buckets: [bucket('rpd', 100, 1)] }, store));
        expect(out.filter((o) => o.admitted)).toHaveLength(100);
        expect((await reserve({ buckets: [bucket('rpd', 100, 0)] })).buckets[0]!.remaining).toBe(0);
      });

      it('500 concurrent reserves right after a raise admit exactly the new limit − used', async () => {
        await reserve({ buckets: [bucket('rpd', 10, 4)] });
        const out = await spread(500, (store) => reserve({ buckets: [bucket('rpd', 300, 1)] }, store));
        expect(out.filter((o) => o.admitted)).toHaveLength(296);
        expect((await s.peek('org_a', [{ key: 'rpd', limit: 300, windowMs: DAY }]))[0]!.remaining).toBe(0);
        expect((await s.peek('org_a', [{ key: 'rpd', limit: 10, windowMs: DAY }]))[0]!.remaining).toBe(0);
      });

      it('mixed token sizes never exceed the bucket, and the bucket accounts for every admitted token', async () => {
        const costs = Array.from({ length: 400 }, (_, i) => 1 + ((i * 7919) % 97));
        const out = await spread(400, (store, i) => reserve({ buckets: [bucket('tpd', 5_000, costs[i]!), bucket('rpd', 1_000, 1)] }, store));
        const admittedTokens = out.reduce((sum, o, i) => sum + (o.admitted ? costs[i]! : 0), 0);
        const admittedCount = out.filter((o) => o.admitted).length;
        expect(admittedTokens).toBeLessThanOrEqual(5_000);
        expect(admittedTokens).toBeGreaterThan(5_000 - 97); // it filled up: only the last fits failed
        const peek = await reserve({ buckets: [bucket('tpd', 5_000, 0), bucket('rpd', 1_000, 0)] });
        expect(peek.buckets.map((b) => b.remaining)).toEqual([5_000 - admittedTokens, 1_000 - admittedCount]);
      });

      it('300 concurrent spend reservations never pass the hard limit, and settle exactly', async () => {
        const period = { key: '2026-01', hardLimit: 100_000n, periodEndMs: periodEnd() };
        const amounts = Array.from({ length: 300 }, (_, i) => BigInt(900 + ((i * 31) % 200)));
        const ids = amounts.map(() => rid());
        const out = await spread(300, (store, i) => store.reserve({ reservationId: ids[i]!, tag: 'org_a', leaseMs: 60_000, buckets: [], spend: { ...period, amount: amounts[i]! } }));
        const admitted = out.map((o, i) => (o.admitted ? i : -1)).filter((i) => i >= 0);
        const reservedTotal = admitted.reduce((sum, i) => sum + amounts[i]!, 0n);
        expect(reservedTotal <= 100_000n).toBe(true);
        expect(reservedTotal > 100_000n - 1_100n).toBe(true);
        for (const o of out) if (o.spend) expect(o.spend.spent + o.spend.reserved <= 100_000n).toBe(true);
        expect(await s.spendOf('org_a', '2026-01')).toEqual({ spent: 0n, reserved: reservedTotal });

        const actual = (i: number) => amounts[i]! / 3n;
        const settled = await spread(admitted.length * 2, (store, k) => {
          const i = admitted[k % admitted.length]!;
          return store.settle({ reservationId: ids[i]!, tag: 'org_a', spendAmount: actual(i) });
        });
        expect(settled.filter(Boolean)).toHaveLength(admitted.length);
        expect(await s.spendOf('org_a', '2026-01')).toEqual({ spent: admitted.reduce((sum, i) => sum + actual(i), 0n), reserved: 0n });
      });
    });
  });
}

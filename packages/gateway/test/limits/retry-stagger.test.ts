/**
 * Callers refused together by one rate limit get staggered hints, so that retrying as told
 * succeeds: 5 concurrent calls at 2 RPM, each client following the hint for at most 2 retries
 * (the official SDKs' default), all succeed — on a fake clock. A request sent again before its
 * time keeps its place instead of being queued after everyone again: its hints do not grow.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, ApiError, MemoryCounterStore, type LimitSet } from 'tollgate';
import { RateLimiter } from '../../src/limits/index.js';
import { RetryStagger } from '../../src/limits/retry-stagger.js';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Caller {
  id: number;
  at: number;
  retriesLeft: number;
  hints: number[];
}

/**
 * Clients that behave as the official SDK does on a 429: wait `retry-after-ms`, retry, at most
 * `maxRetries` times. Every attempt happens at its moment on the fake clock; attempts due at the
 * same moment run concurrently.
 */
async function runClients(n: number, limits: LimitSet, opts: { maxRetries?: number; random?: () => number; tokens?: number } = {}) {
  const clock = new FakeClock();
  const store = new MemoryCounterStore(clock);
  const limiter = new RateLimiter(store, { clock, random: opts.random ?? Math.random });
  let seq = 0;
  const callers: Caller[] = Array.from({ length: n }, (_, id) => ({ id, at: clock.now(), retriesLeft: opts.maxRetries ?? 2, hints: [] }));
  const succeeded: { id: number; at: number }[] = [];
  const failed: number[] = [];
  let pending = [...callers];
  while (pending.length > 0) {
    const at = Math.min(...pending.map((c) => c.at));
    await clock.advance(at - clock.now());
    const due = pending.filter((c) => c.at === at);
    pending = pending.filter((c) => c.at !== at);
    await Promise.all(
      due.map(async (c) => {
        try {
          await limiter.reserve({ requestId: `req_${++seq}`, orgId: 'org_1', keyId: 'key_1', model: 'm', tokens: opts.tokens ?? 10, orgLimits: limits });
          succeeded.push({ id: c.id, at: clock.now() });
        } catch (e) {
          if (!(e instanceof ApiError) || e.status !== 429) throw e;
          const hint = Number(e.headers['retry-after-ms']);
          expect(Number.isFinite(hint) && hint > 0).toBe(true);
          c.hints.push(hint);
          if (c.retriesLeft === 0) return failed.push(c.id);
          c.retriesLeft--;
          c.at = clock.now() + hint;
          pending.push(c);
        }
      }),
    );
  }
  return { callers, succeeded, failed, clock };
}

describe('staggered retry hints', () => {
  it('5 concurrent calls at 2 RPM: the 3 refused get hints one refill (30 s) apart, and all 5 succeed with 2 retries', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { callers, succeeded, failed } = await runClients(5, { max_requests_per_1_minute: 2 }, { random: seeded(seed) });
      expect(failed, `seed ${seed}`).toEqual([]);
      expect(succeeded).toHaveLength(5);
      const first = callers.filter((c) => c.hints.length > 0).map((c) => c.hints[0]!).sort((a, b) => a - b);
      expect(first).toHaveLength(3);
      // 30 s, 60 s, 90 s, each with at most 1 s of upward jitter (10 % of the 30 s refill, capped).
      first.forEach((h, i) => {
        expect(h).toBeGreaterThanOrEqual(30_000 * (i + 1));
        expect(h).toBeLessThan(30_000 * (i + 1) + 1_000 * (i + 1));
      });
      // Each refused caller got in on its first retry.
      expect(callers.every((c) => c.hints.length <= 1)).toBe(true);
    }
  });

  it('the same for a tokens-per-minute limit: hints follow the refill time of each caller’s own cost', async () => {
    const { succeeded, failed, callers } = await runClients(6, { max_tokens_per_1_minute: 100 }, { random: seeded(7), tokens: 40 });
    expect(failed).toEqual([]);
    expect(succeeded).toHaveLength(6);
    const first = callers.filter((c) => c.hints.length > 0).map((c) => c.hints[0]!).sort((a, b) => a - b);
    // 2 fit (80 of 100); the third needs 20 more tokens (12 s), then 24 s per 40 tokens.
    expect(first).toHaveLength(4);
    [12_000, 36_000, 60_000, 84_000].forEach((base, i) => {
      expect(first[i]).toBeGreaterThanOrEqual(base);
      expect(first[i]).toBeLessThan(base + 2_400 * (i + 1));
    });
  });

  it('one organization’s refused callers never push back another’s hints (bucket names repeat across organizations)', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(new MemoryCounterStore(clock), { clock, random: () => 0 });
    const limits = { max_requests_per_1_minute: 2 };
    const hint = async (orgId: string, n: number) => {
      try {
        await limiter.reserve({ requestId: `${orgId}_${n}`, orgId, keyId: `key_${orgId}`, model: 'm', tokens: 1, orgLimits: limits });
        return 0;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        return Number(e.headers['retry-after-ms']);
      }
    };
    // Org A: 2 admitted, then 3 refused (30, 60, 90 s). Org B, refused for the first time, waits
    // only its own bucket's 30 s.
    const a = [];
    for (let i = 0; i < 5; i++) a.push(await hint('org_a', i));
    expect(a).toEqual([0, 0, 30_000, 60_000, 90_000]);
    const b = [];
    for (let i = 0; i < 3; i++) b.push(await hint('org_b', i));
    expect(b).toEqual([0, 0, 30_000]);
  });

  it('promises in the past are forgotten: a caller refused later gets the store’s own wait', () => {
    const s = new RetryStagger(() => 0);
    const b = { key: 'k', limit: 2, windowMs: 60_000, cost: 1 };
    expect(s.hintMs(0, [{ ...b, waitMs: 30_000 }])).toBe(30_000);
    expect(s.hintMs(0, [{ ...b, waitMs: 30_000 }])).toBe(60_000);
    expect(s.hintMs(100_000, [{ ...b, waitMs: 5_000 }])).toBe(5_000);
  });

  it('a refusal by a day and a minute bucket together promises each bucket only its own time', () => {
    let turn = 0;
    const s = new RetryStagger(() => 0, () => turn);
    const day = { key: 'rpd', limit: 3, windowMs: 86_400_000, cost: 1 };
    const minute = { key: 'rpm', limit: 3, windowMs: 60_000, cost: 1 };
    // Told the day's 8 h: the later of the two.
    expect(s.hintMs(0, [{ ...day, waitMs: 28_800_000 }, { ...minute, waitMs: 20_000 }], { id: 'a', arrivedTurn: 0 })).toBe(28_800_000);
    turn = 1;
    // The day's limit lifted: the same caller back gets its place on the minute bucket (20 s),
    // another caller is queued one refill after it (40 s), neither after the day's 8 h.
    expect(s.hintMs(1_000, [{ ...minute, waitMs: 19_000 }], { id: 'a', arrivedTurn: 1 })).toBe(19_000);
    expect(s.hintMs(1_000, [{ ...minute, waitMs: 19_000 }], { id: 'b', arrivedTurn: 1 })).toBe(39_000);
  });

  it('jitter only ever adds to the exact wait', () => {
    const s = new RetryStagger(() => 0.999);
    const h = s.hintMs(0, [{ key: 'k', limit: 60, windowMs: 60_000, cost: 1, waitMs: 500 }]);
    expect(h).toBeGreaterThanOrEqual(500);
    expect(h).toBeLessThan(500 + 100); // 10 % of the 1 s refill
  });
});

/** The next turn of the event loop: where a real client's retry arrives, after it read the refusal. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A limiter on a fake clock whose org bucket (`rpm` requests per minute) is drained. */
async function drained(rpm: number, random: () => number = () => 0) {
  const clock = new FakeClock();
  const limiter = new RateLimiter(new MemoryCounterStore(clock), { clock, random });
  const limits = { max_requests_per_1_minute: rpm };
  let seq = 0;
  /** The retry-after-ms of a refused request of `keyId` (0 when admitted), with body fingerprint `print`. */
  const attempt = async (keyId: string, print?: string): Promise<number> => {
    try {
      await limiter.reserve({ requestId: `req_${++seq}`, orgId: 'org_1', keyId, model: 'm', tokens: 1, orgLimits: limits, ...(print !== undefined && { body: Buffer.from(print) }) });
      return 0;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 429) throw e;
      return Number(e.headers['retry-after-ms']);
    }
  };
  for (let i = 0; i < rpm; i++) expect(await attempt('key_drain')).toBe(0);
  await nextTurn();
  return { clock, attempt };
}

describe('a request coming back before its time keeps its place', () => {
  it('one key retrying at once, 100 times: every hint is the store’s wait plus jitter, none grows', async () => {
    const { clock, attempt } = await drained(2, seeded(3));
    const start = clock.now();
    const hints: number[] = [];
    for (let i = 0; i < 100; i++) {
      hints.push(await attempt('key_loop'));
      await nextTurn();
      await clock.advance(100);
    }
    // At 2 RPM the one request fits again 30 s after the drain; jitter is at most 1 s (10 % of 30 s).
    hints.forEach((h, i) => {
      const waitMs = 30_000 - i * 100;
      expect(h, `attempt ${i}`).toBeGreaterThanOrEqual(waitMs);
      expect(h, `attempt ${i}`).toBeLessThan(waitMs + 1_000);
    });
    // And it is the same place every time: the time it names does not move.
    expect(new Set(hints.map((h, i) => start + i * 100 + h)).size).toBe(1);
    // Once that time has come, the request fits.
    await clock.advance(start + hints[0]! - clock.now());
    expect(await attempt('key_loop')).toBe(0);
  });

  it('50 keys refused together are still staggered one refill apart', async () => {
    const { attempt } = await drained(60, seeded(5));
    const hints = (await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(`key_${i}`)))).sort((a, b) => a - b);
    // 60 RPM: one request refills every second; each hint adds up to 100 ms of jitter (10 %).
    hints.forEach((h, i) => {
      expect(h).toBeGreaterThanOrEqual(1_000 * (i + 1));
      expect(h).toBeLessThan(1_100 * (i + 1));
    });
  });

  it('one key with 50 requests in flight together is staggered the same, and keeps those 50 places when all retry at once', async () => {
    const { attempt } = await drained(60, seeded(6));
    const wave = () => Promise.all(Array.from({ length: 50 }, () => attempt('key_batch')));
    const first = (await wave()).sort((a, b) => a - b);
    first.forEach((h, i) => {
      expect(h).toBeGreaterThanOrEqual(1_000 * (i + 1));
      expect(h).toBeLessThan(1_100 * (i + 1));
    });
    // All 50 ignore their hints and retry at once, twice: the same 50 places, not 50 more each time.
    for (let round = 0; round < 2; round++) {
      await nextTurn();
      expect((await wave()).sort((a, b) => a - b)).toEqual(first);
    }
  });

  it('one key’s clients sending different requests, each after the one before was refused, are staggered as separate callers', async () => {
    const { attempt } = await drained(60, () => 0);
    const hints: number[] = [];
    for (let i = 1; i <= 5; i++) {
      hints.push(await attempt('key_batch', `body_${i}`));
      await nextTurn();
    }
    expect(hints).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    // The third request sent again unchanged, early: its own place.
    expect(await attempt('key_batch', 'body_3')).toBe(3_000);
    // A sixth one: after all of them.
    await nextTurn();
    expect(await attempt('key_batch', 'body_6')).toBe(6_000);
  });

  it('a mix: a key retrying in a loop among 20 keys refused with it keeps its place, and pushes no one back', async () => {
    const { attempt } = await drained(60, () => 0);
    // 20 other keys and the looping one, refused together: places 1 s … 21 s.
    const together = await Promise.all([...Array.from({ length: 20 }, (_, i) => attempt(`key_${i}`)), attempt('key_loop')]);
    expect([...together].sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => 1_000 * (i + 1)));
    const own = together[20]!;
    for (let i = 0; i < 30; i++) {
      await nextTurn();
      expect(await attempt('key_loop')).toBe(own);
    }
    // A key refused now queues right after the 21 places, not after 30 more.
    await nextTurn();
    expect(await attempt('key_late')).toBe(22_000);
    // Two requests of one key in flight together that came back early: one gets the old place,
    // the other (which could not have been told it) a new one.
    await nextTurn();
    expect((await Promise.all([attempt('key_loop'), attempt('key_loop')])).sort((a, b) => a - b)).toEqual([own, 23_000]);
  });
});

describe('the places of a caller (RetryStagger alone)', () => {
  const bucket = { key: 'k', limit: 2, windowMs: 60_000, cost: 1 };

  /**
   * A stagger whose answers are given in the turn the test sets (`inTurn`), starting in `turn`,
   * where two requests of caller a arrive and are refused together: 30 s and 60 s.
   */
  function twoRefusedTogether(turn: number) {
    const now = { turn };
    const s = new RetryStagger(() => 0, () => now.turn);
    // The second arrived in the same turn as the first was answered: not a retry of it.
    expect(s.hintMs(0, [{ ...bucket, waitMs: 30_000 }], { id: 'a', arrivedTurn: turn })).toBe(30_000);
    expect(s.hintMs(0, [{ ...bucket, waitMs: 30_000 }], { id: 'a', arrivedTurn: turn })).toBe(60_000);
    return {
      s,
      inTurn: (t: number) => {
        now.turn = t;
      },
    };
  }

  it('a request read in the same turn as its caller’s places were given is their sibling: a new place', () => {
    const { s, inTurn } = twoRefusedTogether(7);
    // Both come back early, together, in a later turn: the place given longest ago first, then the
    // other (the first one was given again in this turn, after the second request arrived).
    inTurn(8);
    expect(s.hintMs(1_000, [{ ...bucket, waitMs: 29_000 }], { id: 'a', arrivedTurn: 8 })).toBe(29_000);
    expect(s.hintMs(1_000, [{ ...bucket, waitMs: 29_000 }], { id: 'a', arrivedTurn: 8 })).toBe(59_000);
    // Another caller's request in that turn is new: after both places.
    expect(s.hintMs(1_000, [{ ...bucket, waitMs: 29_000 }], { id: 'b', arrivedTurn: 8 })).toBe(89_000);
  });

  it('a request back once its place came due, refused again, gets a new place at the end, not a sibling’s', () => {
    const { s, inTurn } = twoRefusedTogether(0);
    inTurn(5);
    // At 30 s someone else took the capacity: the store says 30 s more. The sibling keeps 60 s.
    expect(s.hintMs(30_000, [{ ...bucket, waitMs: 30_000 }], { id: 'a', arrivedTurn: 5 })).toBe(60_000);
  });

  it('a place given back is never sooner than the store’s wait', () => {
    let turn = 0;
    const s = new RetryStagger(() => 0, () => turn);
    expect(s.hintMs(0, [{ ...bucket, waitMs: 30_000 }], { id: 'a', arrivedTurn: 0 })).toBe(30_000);
    turn = 1;
    // Another instance's caller took the capacity meanwhile: the store's wait is now 45 s.
    expect(s.hintMs(1_000, [{ ...bucket, waitMs: 45_000 }], { id: 'a', arrivedTurn: 1 })).toBe(45_000);
    // The place moved there, and is kept there.
    turn = 2;
    expect(s.hintMs(2_000, [{ ...bucket, waitMs: 44_000 }], { id: 'a', arrivedTurn: 2 })).toBe(44_000);
  });

  it('with several buckets refused, the hint is the latest any of them needs; each bucket keeps its own time', () => {
    let turn = 0;
    const s = new RetryStagger(() => 0, () => turn);
    const rpm = { key: 'rpm', limit: 2, windowMs: 60_000, cost: 1 };
    const tpm = { key: 'tpm', limit: 100, windowMs: 60_000, cost: 50 };
    expect(s.hintMs(0, [{ ...rpm, waitMs: 30_000 }], { id: 'b', arrivedTurn: 0 })).toBe(30_000);
    expect(s.hintMs(0, [{ ...rpm, waitMs: 30_000 }, { ...tpm, waitMs: 10_000 }], { id: 'a', arrivedTurn: 0 })).toBe(60_000);
    turn = 1;
    expect(s.hintMs(1_000, [{ ...rpm, waitMs: 29_000 }, { ...tpm, waitMs: 9_000 }], { id: 'a', arrivedTurn: 1 })).toBe(59_000);
    // A new key on the tokens bucket alone queues one refill after a's place there: the time a
    // was promised on that bucket (10 s), not a's 60 s, which only the requests bucket needs.
    expect(s.hintMs(1_000, [{ ...tpm, waitMs: 9_000 }], { id: 'c', arrivedTurn: 1 })).toBe(39_000);
  });

  it('places promised under a limit since changed do not delay callers of the new one', () => {
    const s = new RetryStagger(() => 0, () => 0);
    const rpm = { key: 'rpm', windowMs: 60_000, cost: 1 };
    // At 2 a minute, three refused callers queue 30 s apart.
    for (const [id, hint] of [['a', 30_000], ['b', 60_000], ['c', 90_000]] as const) expect(s.hintMs(0, [{ ...rpm, limit: 2, waitMs: 30_000 }], { id, arrivedTurn: 1 })).toBe(hint);
    // Raised to 60: a refusal under it waits for the new bucket (1 s), not after the old queue.
    expect(s.hintMs(10, [{ ...rpm, limit: 60, waitMs: 1_000 }], { id: 'd', arrivedTurn: 1 })).toBe(1_000);
    expect(s.hintMs(10, [{ ...rpm, limit: 60, waitMs: 1_000 }], { id: 'e', arrivedTurn: 1 })).toBe(2_000);
    // Never shorter than the store's wait, whatever was kept.
    expect(s.hintMs(10, [{ ...rpm, limit: 2, waitMs: 200_000 }], { id: 'f', arrivedTurn: 1 })).toBe(200_000);
  });

  it('memory stays bounded when many keys hold places far ahead', () => {
    const s = new RetryStagger(() => 0, () => 0);
    const day = { key: 'rpd', limit: 1_000, windowMs: 86_400_000, cost: 1 };
    for (let i = 0; i < 12_000; i++) s.hintMs(0, [{ ...day, key: `rpd_${i % 50}`, waitMs: 86_400 }], { id: `key_${i}`, arrivedTurn: 0 });
    expect(s.size).toBeLessThanOrEqual(10_050);
  });
});

/**
 * Callers refused together by one rate limit get staggered hints, so that retrying as told
 * succeeds: 5 concurrent calls at 2 RPM, each client following the hint for at most 2 retries
 * (the official SDKs' default), all succeed — on a fake clock.
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

  it('jitter only ever adds to the exact wait', () => {
    const s = new RetryStagger(() => 0.999);
    const h = s.hintMs(0, [{ key: 'k', limit: 60, windowMs: 60_000, cost: 1, waitMs: 500 }]);
    expect(h).toBeGreaterThanOrEqual(500);
    expect(h).toBeLessThan(500 + 100); // 10 % of the 1 s refill
  });
});

import { describe, expect, it } from 'vitest';
import { Admission, DrainRate, type Slot } from '../../src/admission/index.js';
import { FakeClock } from 'tollgate';
import { isOverload, settle } from './helpers.js';

/** Tracks whether a promise has settled yet, without awaiting it. */
function watch<T>(p: Promise<T>) {
  const s: { done: boolean; value?: T; error?: unknown } = { done: false };
  p.then(
    (v) => Object.assign(s, { done: true, value: v }),
    (e: unknown) => Object.assign(s, { done: true, error: e }),
  );
  return s;
}

describe('admission wait limits', () => {
  it('a waiter is answered engine_overloaded once max_wait_ms passes (no hint before any release was seen)', async () => {
    const clock = new FakeClock();
    const adm = new Admission('d', { max_concurrency: 1, max_queue: 10, max_wait_ms: 1000 }, { clock });
    const held = await adm.acquire({ orgId: 'a', cost: 1 });
    const w = watch(adm.acquire({ orgId: 'b', cost: 1 }));
    await clock.advance(999);
    await settle();
    expect(w.done).toBe(false);
    expect(adm.stats().queued).toBe(1);
    await clock.advance(1);
    await settle();
    expect(isOverload(w.error)).toBe(true);
    const err = w.error as { status: number; headers: Record<string, string> };
    expect(err.status).toBe(429);
    // No release seen yet: the gateway knows no better than the client's backoff, so no hint.
    expect(err.headers).toEqual({});
    expect(adm.stats()).toEqual({ inFlight: 1, queued: 0, limit: 1 });
    held.release('success');
  });

  it("the caller's own deadline shortens the wait; a deadline already past is refused at once", async () => {
    const clock = new FakeClock();
    const adm = new Admission('d', { max_concurrency: 1, max_queue: 10, max_wait_ms: 60_000 }, { clock });
    const held = await adm.acquire({ orgId: 'a', cost: 1 });
    const w = watch(adm.acquire({ orgId: 'b', cost: 1, deadlineMs: clock.now() + 200 }));
    const late = watch(adm.acquire({ orgId: 'c', cost: 1, deadlineMs: clock.now() - 1 }));
    await settle();
    expect(isOverload(late.error)).toBe(true);
    expect(w.done).toBe(false);
    await clock.advance(200);
    await settle();
    expect(isOverload(w.error)).toBe(true);
    held.release('success');
  });

  it('overload_status 503 answers server_is_overloaded, for a full queue and for a timeout', async () => {
    const clock = new FakeClock();
    const adm = new Admission('d', { max_concurrency: 1, max_queue: 1, max_wait_ms: 500, overload_status: 503 }, { clock });
    const held = await adm.acquire({ orgId: 'a', cost: 1 });
    const queued = watch(adm.acquire({ orgId: 'b', cost: 1 }));
    const full = watch(adm.acquire({ orgId: 'c', cost: 1 }));
    await settle();
    expect(isOverload(full.error, 'server_is_overloaded')).toBe(true);
    expect((full.error as { status: number }).status).toBe(503);
    await clock.advance(500);
    await settle();
    expect(isOverload(queued.error, 'server_is_overloaded')).toBe(true);
    held.release('success');
  });

  it('a waiter served before its deadline is not refused later', async () => {
    const clock = new FakeClock();
    const adm = new Admission('d', { max_concurrency: 1, max_queue: 10, max_wait_ms: 1000 }, { clock });
    const held = await adm.acquire({ orgId: 'a', cost: 1 });
    const w = watch(adm.acquire({ orgId: 'b', cost: 1 }));
    await clock.advance(500);
    held.release('success');
    await settle();
    expect(w.value).toBeDefined();
    await clock.advance(1000);
    await settle();
    expect(w.error).toBeUndefined();
    expect(adm.stats()).toEqual({ inFlight: 1, queued: 0, limit: 1 });
    (w.value as Slot).release('success');
  });

  it('the retry hint follows the observed drain rate', async () => {
    const clock = new FakeClock();
    let jitter = 0;
    const adm = new Admission('d', { max_concurrency: 1, max_queue: 2, max_wait_ms: 60_000 }, { clock, random: () => jitter });
    // Ten releases 100 ms apart: 10 releases over a 900 ms span.
    for (let i = 0; i < 10; i++) {
      if (i > 0) await clock.advance(100);
      (await adm.acquire({ orgId: 'a', cost: 1 })).release('success');
    }
    await settle();
    const held = await adm.acquire({ orgId: 'a', cost: 1 });
    const q1 = adm.acquire({ orgId: 'b', cost: 1 });
    const q2 = adm.acquire({ orgId: 'b', cost: 1 });
    // Full with 2 queued: position 3 at 10 releases / 900 ms → 270 ms.
    const err = await adm.acquire({ orgId: 'c', cost: 1 }).catch((e: unknown) => e);
    expect(isOverload(err) && err.headers['retry-after-ms']).toBe('270');
    // With jitter: up to 20 % later, never earlier.
    jitter = 0.5;
    const late = await adm.acquire({ orgId: 'c', cost: 1 }).catch((e: unknown) => e);
    expect(isOverload(late) && late.headers['retry-after-ms']).toBe('297');
    await adm.close();
    await Promise.allSettled([q1, q2]);
    held.release('success');
  });
});

describe('DrainRate', () => {
  it('no hint without history, computes position / rate, clamps to [100 ms, 30 s]', () => {
    const d = new DrainRate();
    expect(d.retryAfterMs(5, 0)).toBeUndefined();
    for (let t = 0; t <= 900; t += 100) d.record(t);
    expect(d.retryAfterMs(3, 900)).toBe(270);
    expect(d.retryAfterMs(1, 900)).toBe(100);
    expect(d.retryAfterMs(10_000, 900)).toBe(30_000);
    // History older than the window is forgotten.
    expect(d.retryAfterMs(3, 900 + 61_000)).toBeUndefined();
  });
});

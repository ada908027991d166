import { describe, expect, it } from 'vitest';
import { FakeClock, ApiError } from 'tollgate';
import { SimulatorEngine } from '../../src/upstream/simulator/index.js';
import { call, chatBody, flush, runClockUntil, simModel } from './helpers.js';

const limited = (clock: FakeClock, max_concurrency: number, max_queue: number) =>
  new SimulatorEngine(simModel({ ttft_ms: 1000, max_concurrency, max_queue }), { clock });

describe('simulator: finite capacity', () => {
  it('20 calls at max_concurrency 4 / max_queue 8: 4 run, 8 queue, 8 are refused as overloaded', async () => {
    const clock = new FakeClock();
    const e = limited(clock, 4, 8);
    const results = Array.from({ length: 20 }, (_, i) => e.call(call('chat.completions', chatBody(`q${i}`))).then(() => 'ok' as const, (err: unknown) => err));
    await flush();
    expect(e.stats()).toEqual({ inFlight: 4, queued: 8, maxInFlightSeen: 4, served: 0 });

    let violations = 0;
    let settled = 0;
    results.forEach((p) => void p.then(() => settled++));
    await runClockUntil(clock, () => {
      if (e.stats().inFlight > 4) violations++;
      return settled === 20;
    }, 250);
    const out = await Promise.all(results);
    const refused = out.filter((x) => x !== 'ok');
    expect(refused).toHaveLength(8);
    for (const err of refused) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).entry.id).toBe('server_is_overloaded');
      expect((err as ApiError).status).toBe(503);
      // No made-up retry hint, as real engines send none: clients back off exponentially.
      expect((err as ApiError).headers).toEqual({});
    }
    // The refused ones are the last 8 made.
    expect(out.slice(12).every((x) => x !== 'ok')).toBe(true);
    expect(violations).toBe(0);
    expect(e.stats()).toEqual({ inFlight: 0, queued: 0, maxInFlightSeen: 4, served: 12 });
  });

  it('serves the queue in FIFO order', async () => {
    const clock = new FakeClock();
    const e = limited(clock, 2, 20);
    const order: number[] = [];
    const all = Array.from({ length: 12 }, (_, i) => e.call(call('chat.completions', chatBody(`f${i}`))).then(() => order.push(i)));
    await runClockUntil(clock, () => order.length === 12, 1000);
    await Promise.all(all);
    expect(order).toEqual([...Array(12).keys()]);
  });

  it('300 calls, a third of them aborted at random moments: every slot comes back and the limit always holds', async () => {
    const clock = new FakeClock();
    const e = limited(clock, 5, 100);
    let rng = 12345;
    const next = () => ((rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const controllers = Array.from({ length: 300 }, () => new AbortController());
    const outcomes = controllers.map((ac, i) =>
      e.call(call('chat.completions', chatBody(`r${i}`), { signal: ac.signal })).then(
        () => 'served',
        (err: unknown) => (err instanceof ApiError ? err.entry.id : 'aborted'),
      ),
    );
    await flush();
    expect(e.stats()).toMatchObject({ inFlight: 5, queued: 100 });
    const toAbort = controllers.filter(() => next() < 0.33);
    let violations = 0;
    for (let step = 0; step < 200; step++) {
      if (e.stats().inFlight > 5) violations++;
      if (toAbort.length > 0 && next() < 0.5) toAbort.pop()!.abort(new Error('bye'));
      await clock.advance(100);
      await flush();
    }
    for (const ac of toAbort) ac.abort(new Error('bye'));
    await runClockUntil(clock, () => e.stats().inFlight === 0 && e.stats().queued === 0, 500);
    const counts = (await Promise.all(outcomes)).reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
    expect(counts.server_is_overloaded).toBe(195);
    expect((counts.served ?? 0) + (counts.aborted ?? 0)).toBe(105);
    expect(counts.aborted).toBeGreaterThan(0);
    expect(violations).toBe(0);
    expect(e.stats()).toEqual({ inFlight: 0, queued: 0, maxInFlightSeen: 5, served: counts.served });
  });

  it('max_queue 0 refuses as soon as every slot is busy', async () => {
    const clock = new FakeClock();
    const e = limited(clock, 1, 0);
    const first = e.call(call('chat.completions', chatBody('a')));
    await expect(e.call(call('chat.completions', chatBody('b')))).rejects.toMatchObject({ entry: { id: 'server_is_overloaded' } });
    await runClockUntil(clock, () => e.stats().served === 1, 1000);
    await first;
  });
});

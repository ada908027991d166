import { describe, expect, it } from 'vitest';
import { Admission, MemorySemaphore, type Slot } from '../../src/admission/index.js';
import { FakeClock } from 'tollgate';
import { gate, isOverload, settle } from './helpers.js';

describe('admission capacity and queue bound', () => {
  it('capacity 4, queue 8, 100 simultaneous callers: 4 hold, 8 wait, 88 refused at once; then the 8 are served', async () => {
    const adm = new Admission('cap', { max_concurrency: 4, max_queue: 8, max_wait_ms: 60_000 }, { clock: new FakeClock() });
    const hold = gate();
    let holding = 0;
    let maxHolding = 0;
    let served = 0;
    let refused = 0;
    const refusals: unknown[] = [];
    const workers = Array.from({ length: 100 }, async (_, i) => {
      let slot: Slot;
      try {
        slot = await adm.acquire({ orgId: `org-${i % 5}`, cost: 10 });
      } catch (err) {
        if (!isOverload(err)) throw err;
        refused++;
        refusals.push(err);
        return;
      }
      holding++;
      maxHolding = Math.max(maxHolding, holding);
      served++;
      await hold.promise;
      holding--;
      slot.release('success');
    });

    await settle();
    expect(served).toBe(4);
    expect(refused).toBe(88);
    expect(adm.stats()).toEqual({ inFlight: 4, queued: 8, limit: 4 });
    for (const e of refusals) {
      expect(isOverload(e) && e.status).toBe(429);
      // Nothing has been released yet, so the drain rate is unknown: no hint, clients back off.
      expect(isOverload(e) && e.headers).toEqual({});
    }

    hold.open();
    await Promise.all(workers);
    expect(served).toBe(12);
    expect(maxHolding).toBe(4);
    expect(adm.stats()).toEqual({ inFlight: 0, queued: 0, limit: 4 });
  });

  it('500 callers with random hold times never exceed the limit and all get served', async () => {
    const adm = new Admission('cap', { max_concurrency: 7, max_queue: 1000, max_wait_ms: 60_000 }, { clock: new FakeClock() });
    let holding = 0;
    let violations = 0;
    let served = 0;
    await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const slot = await adm.acquire({ orgId: `org-${i % 13}`, cost: 1 + (i % 50) });
        if (++holding > 7) violations++;
        for (let k = 0; k < 1 + (i % 4); k++) await new Promise<void>((r) => setImmediate(r));
        holding--;
        served++;
        slot.release(i % 3 === 0 ? 'error' : 'success');
      }),
    );
    expect(violations).toBe(0);
    expect(served).toBe(500);
    expect(adm.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('two instances sharing one semaphore stay under the shared cap together', async () => {
    const shared = new MemorySemaphore();
    const clock = new FakeClock();
    const a = new Admission('x', { max_concurrency: 5, max_queue: 500, max_wait_ms: 60_000 }, { clock, semaphore: shared });
    const b = new Admission('x', { max_concurrency: 5, max_queue: 500, max_wait_ms: 60_000 }, { clock, semaphore: shared });
    let holding = 0;
    let maxHolding = 0;
    let served = 0;
    await Promise.all(
      Array.from({ length: 400 }, async (_, i) => {
        const adm = i % 2 ? a : b;
        const slot = await adm.acquire({ orgId: `org-${i % 3}`, cost: 10 });
        maxHolding = Math.max(maxHolding, ++holding);
        for (let k = 0; k < 1 + (i % 3); k++) await new Promise<void>((r) => setImmediate(r));
        holding--;
        served++;
        slot.release('success');
      }),
    );
    expect(maxHolding).toBeLessThanOrEqual(5);
    expect(served).toBe(400);
    expect(shared.held).toBe(0);
  });

  it('a closed admission refuses new callers and answers its waiters as overloaded', async () => {
    const adm = new Admission('cap', { max_concurrency: 1, max_queue: 5, max_wait_ms: 60_000 }, { clock: new FakeClock() });
    const held = await adm.acquire({ orgId: 'a', cost: 1 });
    const waiting = adm.acquire({ orgId: 'b', cost: 1 });
    await settle();
    await adm.close();
    await expect(waiting).rejects.toSatisfy((e) => isOverload(e));
    await expect(adm.acquire({ orgId: 'c', cost: 1 })).rejects.toSatisfy((e) => isOverload(e));
    held.release('success');
    expect(adm.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });
});

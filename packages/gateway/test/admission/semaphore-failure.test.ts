import { describe, expect, it } from 'vitest';
import { Admission, type SlotSemaphore } from '../../src/admission/index.js';
import { FakeClock } from 'tollgate';
import { isOverload, settle } from './helpers.js';

/** A slot source whose every call fails, like Redis being down. */
const broken: SlotSemaphore = {
  tryAcquire: () => Promise.reject(new Error('ECONNREFUSED')),
  waitForChange: () => Promise.resolve(),
};

describe('admission when the semaphore fails', () => {
  it("'local' (default): admits under this instance's own limit and still queues beyond it", async () => {
    const adm = new Admission('f', { max_concurrency: 3, max_queue: 2, max_wait_ms: 60_000 }, { clock: new FakeClock(), semaphore: broken });
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => adm.acquire({ orgId: 'o', cost: 1 })));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    let served = 0;
    const queued = [adm.acquire({ orgId: 'o', cost: 1 }), adm.acquire({ orgId: 'o', cost: 1 })].map((p) => p.then((s) => (served++, s)));
    const refused = await adm.acquire({ orgId: 'o', cost: 1 }).catch((e: unknown) => e);
    expect(isOverload(refused)).toBe(true);
    await settle();
    expect(adm.stats()).toEqual({ inFlight: 3, queued: 2, limit: 3 });
    for (const r of results) if (r.status === 'fulfilled') r.value.release('success');
    for (const s of await Promise.all(queued)) s.release('success');
    expect(served).toBe(2);
    expect(adm.stats()).toEqual({ inFlight: 0, queued: 0, limit: 3 });
  });

  it("'overload': answers overloaded with the failure as cause, and leaks no reservation", async () => {
    const adm = new Admission('f', { max_concurrency: 3, max_queue: 5, max_wait_ms: 60_000 }, { clock: new FakeClock(), semaphore: broken, semaphoreFailure: 'overload' });
    const errors = await Promise.all(Array.from({ length: 6 }, () => adm.acquire({ orgId: 'o', cost: 1 }).catch((e: unknown) => e)));
    for (const e of errors) {
      expect(isOverload(e)).toBe(true);
      expect(((e as Error).cause as Error).message).toBe('ECONNREFUSED');
    }
    expect(adm.stats()).toEqual({ inFlight: 0, queued: 0, limit: 3 });
  });
});

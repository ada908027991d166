import { describe, expect, it } from 'vitest';
import { Admission, type Slot } from '../../src/admission/index.js';
import { FakeClock } from 'tollgate';
import { settle } from './helpers.js';

describe('admission: callers that give up, and double releases', () => {
  it('an abort while queued leaves the queue at once with the signal reason, and the slot goes to the next', async () => {
    const adm = new Admission('a', { max_concurrency: 1, max_queue: 10, max_wait_ms: 60_000 }, { clock: new FakeClock() });
    const held = await adm.acquire({ orgId: 'x', cost: 1 });
    const ac = new AbortController();
    const quitter = adm.acquire({ orgId: 'q', cost: 1, signal: ac.signal });
    const next = adm.acquire({ orgId: 'n', cost: 1 });
    await settle();
    expect(adm.stats().queued).toBe(2);
    const reason = new Error('client went away');
    ac.abort(reason);
    await expect(quitter).rejects.toBe(reason);
    expect(adm.stats().queued).toBe(1);
    held.release('success');
    const slot = await next;
    expect(adm.stats()).toEqual({ inFlight: 1, queued: 0, limit: 1 });
    slot.release('success');
  });

  it('a signal already aborted is refused without queueing', async () => {
    const adm = new Admission('a', { max_concurrency: 1, max_queue: 10, max_wait_ms: 60_000 }, { clock: new FakeClock() });
    const ac = new AbortController();
    ac.abort('gone');
    await expect(adm.acquire({ orgId: 'x', cost: 1, signal: ac.signal })).rejects.toBe('gone');
    expect(adm.stats()).toEqual({ inFlight: 0, queued: 0, limit: 1 });
  });

  it('100 waiters, half of them aborting at random moments: every slot is accounted for', async () => {
    const adm = new Admission('a', { max_concurrency: 3, max_queue: 200, max_wait_ms: 60_000 }, { clock: new FakeClock() });
    let holding = 0;
    let violations = 0;
    let served = 0;
    let aborted = 0;
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const ac = new AbortController();
        if (i % 2) setImmediate(() => ac.abort(new Error('bye')));
        let slot: Slot;
        try {
          slot = await adm.acquire({ orgId: `o${i % 4}`, cost: 5, signal: ac.signal });
        } catch (err) {
          expect((err as Error).message).toBe('bye');
          aborted++;
          return;
        }
        if (++holding > 3) violations++;
        await new Promise<void>((r) => setImmediate(r));
        holding--;
        served++;
        slot.release(ac.signal.aborted ? 'cancelled' : 'success');
      }),
    );
    expect(violations).toBe(0);
    expect(served + aborted).toBe(100);
    // The aborts really happened: every odd waiter still queued when its signal fired (all but
    // #1, which took one of the 3 free slots at once) left the queue with the signal's reason.
    expect(aborted).toBe(49);
    expect(served).toBe(51);
    expect(adm.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('a slot released twice frees one slot', async () => {
    const adm = new Admission('a', { max_concurrency: 2, max_queue: 10, max_wait_ms: 60_000 }, { clock: new FakeClock() });
    const s1 = await adm.acquire({ orgId: 'x', cost: 1 });
    const s2 = await adm.acquire({ orgId: 'x', cost: 1 });
    let served = 0;
    const w3 = adm.acquire({ orgId: 'y', cost: 1 }).then((s) => (served++, s));
    const w4 = adm.acquire({ orgId: 'z', cost: 1 }).then((s) => (served++, s));
    await settle();
    s1.release('success');
    s1.release('success');
    s1.release('overload');
    await settle();
    expect(served).toBe(1);
    expect(adm.stats()).toEqual({ inFlight: 2, queued: 1, limit: 2 });
    s2.release('success');
    for (const s of await Promise.all([w3, w4])) s.release('success');
    expect(adm.stats()).toEqual({ inFlight: 0, queued: 0, limit: 2 });
  });
});

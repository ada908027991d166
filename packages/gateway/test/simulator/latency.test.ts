import { describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { SimulatorEngine } from '../../src/upstream/simulator/index.js';
import { call, chatBody, chunksOf, flush, json, runClockUntil, simModel, track } from './helpers.js';

const slow = (clock: FakeClock, ttft = 500, tps = 50) => new SimulatorEngine(simModel({ ttft_ms: ttft, tokens_per_second: tps }), { clock });

/** The answer's length in tokens, from an engine without latency. */
async function tokensOf(body: Record<string, unknown>): Promise<number> {
  const r = json(await new SimulatorEngine(simModel(), { clock: new FakeClock() }).call(call('chat.completions', body)));
  return r.usage.completion_tokens;
}

describe('simulator: latency model on fake time', () => {
  it('a non-streamed answer takes ttft + tokens / tokens_per_second, to the millisecond', async () => {
    const clock = new FakeClock();
    const body = chatBody('timed');
    const tokens = await tokensOf(body);
    const total = 500 + tokens * 20; // 50 tokens per second
    const t = track(slow(clock).call(call('chat.completions', body)));
    await flush();
    await clock.advance(total - 1);
    await flush();
    expect(t.settled()).toBe(false);
    await clock.advance(1);
    await flush();
    expect(t.settled()).toBe(true);
    expect(json(await t.promise).usage.completion_tokens).toBe(tokens);
  });

  it('zero latency settings answer without any clock movement', async () => {
    const t = track(new SimulatorEngine(simModel(), { clock: new FakeClock() }).call(call('chat.completions', chatBody('now'))));
    await flush();
    expect(t.settled()).toBe(true);
  });

  it('a stream starts after ttft and each content chunk arrives when its tokens are due', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const body = chatBody('paced', { stream: true });
    const tokens = await tokensOf(chatBody('paced'));
    const started = track(slow(clock, 1000, 100).call(call('chat.completions', body)));
    await flush();
    await clock.advance(999);
    await flush();
    expect(started.settled()).toBe(false);
    await clock.advance(1);
    await flush();
    expect(started.settled()).toBe(true);

    const arrivals: { at: number; chunk: Record<string, any> }[] = [];
    let done = false;
    void (async () => {
      for await (const chunk of chunksOf(await started.promise)) arrivals.push({ at: clock.now() - t0, chunk });
      done = true;
    })();
    await runClockUntil(clock, () => done, 5);
    expect(arrivals[0]!.at).toBe(1000); // the role chunk comes with the first byte
    let emitted = 0;
    for (const a of arrivals.slice(1, -1)) {
      emitted += Math.min(3, tokens - emitted);
      // 100 tokens per second = 10 ms per token; the 5 ms steps land on every deadline.
      expect(a.at).toBe(1000 + emitted * 10);
    }
    expect(emitted).toBe(tokens);
  });

  it('an abort during time to first token rejects at once and frees the slot, with no clock movement', async () => {
    const clock = new FakeClock();
    const e = slow(clock, 60_000);
    const ac = new AbortController();
    const p = e.call(call('chat.completions', chatBody('cancel me'), { signal: ac.signal }));
    await flush();
    expect(e.stats().inFlight).toBe(1);
    const reason = new Error('client closed');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(e.stats()).toMatchObject({ inFlight: 0, served: 0 });
  });

  it('an abort between paced chunks ends the stream at once', async () => {
    const clock = new FakeClock();
    const e = slow(clock, 0, 1); // one token per second: the next chunk is 3 s away
    const ac = new AbortController();
    const it = chunksOf(await e.call(call('chat.completions', chatBody('slow', { stream: true }), { signal: ac.signal })))[Symbol.asyncIterator]();
    await it.next(); // role chunk
    const pending = it.next();
    const reason = new Error('gone');
    ac.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(e.stats().inFlight).toBe(0);
  });
});

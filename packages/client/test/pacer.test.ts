/**
 * The pacer on a fake clock: told limits space a batch at the allowed rate and never beyond it,
 * learned headers and 429 hints are adopted, aborts leave the queue, refunds free capacity; and
 * the pacer wired into the client and into the official SDK through `pacedFetch`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { Pacer, Tollgate, estimateTokens, pacedFetch, type PacerTicket } from '@tollgate/client';
import { chatCompletion, sendJson, startServer, type TestServer } from './helpers/server.js';

/** A clock that jumps forward when the pacer sleeps. The jump happens in a later macrotask, so
 *  everything already granted has run (and recorded its time) before time moves. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    sleep: (ms: number) =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          t += ms;
          resolve();
        }, 0),
      ),
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** Grants in any window [a, b] never exceed limit + rate·(b − a): the bucket's promise. */
function assertWithinRate(times: number[], limit: number, perMs: number, cost = 1): void {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i; j < sorted.length; j++) {
      const granted = (j - i + 1) * cost;
      expect(granted).toBeLessThanOrEqual(limit + ((sorted[j] as number) - (sorted[i] as number)) * perMs + 1e-6);
    }
  }
}

describe('Pacer with told limits', () => {
  it('spaces N requests at the requests-per-minute limit: a full bucket, then one per 1/rate', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ requestsPerMinute: 60, now: clock.now, sleep: clock.sleep, coldStart: 'full' });
    const N = 100;
    const tickets = await Promise.all(Array.from({ length: N }, () => pacer.acquire({ model: 'm', tokens: 0 })));
    const times = tickets.map((t) => t.grantedAt - 1_000_000);
    expect(times.filter((t) => t === 0)).toHaveLength(60);
    expect(times.slice(60)).toEqual(Array.from({ length: 40 }, (_, i) => (i + 1) * 1000));
    assertWithinRate(times, 60, 60 / 60_000);
  });

  it('cold start (default): after the probe, pacing follows what the server reports, not a full bucket', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ requestsPerMinute: 60, now: clock.now, sleep: clock.sleep });
    const probe = await pacer.acquire({ model: 'm', tokens: 0 });
    expect(probe.grantedAt).toBe(1_000_000);
    // The organization had already spent its bucket: the probe's answer says nothing remains.
    pacer.observe('m', 200, new Headers({ 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '0' }));
    const tickets = await Promise.all(Array.from({ length: 4 }, () => pacer.acquire({ model: 'm', tokens: 0 })));
    expect(tickets.map((t) => t.grantedAt - 1_000_000)).toEqual([1000, 2000, 3000, 4000]);
  });

  it('cold start: a probe that never gets an answer holds the others back for at most 2 s', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ requestsPerMinute: 60, now: clock.now, sleep: clock.sleep });
    const tickets = await Promise.all(Array.from({ length: 3 }, () => pacer.acquire({ model: 'm', tokens: 0 })));
    expect(tickets.map((t) => t.grantedAt - 1_000_000)).toEqual([0, 2000, 2000]);
  });

  it('spaces by tokens per minute when tokens bind first, in arrival order', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ requestsPerMinute: 10_000, tokensPerMinute: 1000, now: clock.now, sleep: clock.sleep, coldStart: 'full' });
    const order: number[] = [];
    const tickets = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        pacer.acquire({ model: 'm', tokens: 100 }).then((t) => {
          order.push(i);
          return t;
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const times = tickets.map((t) => t.grantedAt - 1_000_000);
    expect(times.filter((t) => t === 0)).toHaveLength(10);
    expect(times[29]).toBe(20 * 6000); // 100 tokens refill in 6 s
    assertWithinRate(times, 1000, 1000 / 60_000, 100);
  });

  it('keeps models apart and lets unknown limits through', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ now: clock.now, sleep: clock.sleep, coldStart: 'full' });
    pacer.setLimits({ requestsPerMinute: 1 }, 'slow');
    await pacer.acquire({ model: 'slow', tokens: 0 });
    const slow = pacer.acquire({ model: 'slow', tokens: 0 });
    const fast = await Promise.all(Array.from({ length: 50 }, () => pacer.acquire({ model: 'other', tokens: 10 })));
    expect(fast.every((t) => t.grantedAt === 1_000_000)).toBe(true);
    expect((await slow).grantedAt).toBe(1_000_000 + 60_000);
  });

  it('an oversized request still goes once the bucket is full (the server will say it is too large)', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ tokensPerMinute: 100, now: clock.now, sleep: clock.sleep });
    const t = await pacer.acquire({ model: 'm', tokens: 5000 });
    expect(t.grantedAt).toBe(1_000_000);
  });

  it('an aborted waiter leaves the queue and the next one moves up', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ requestsPerMinute: 1, now: clock.now, sleep: clock.sleep });
    await pacer.acquire({ model: 'm', tokens: 0 });
    const ac = new AbortController();
    const first = pacer.acquire({ model: 'm', tokens: 0, signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(first).rejects.toThrow('stop');
    const second = await pacer.acquire({ model: 'm', tokens: 0 });
    expect(second.grantedAt).toBe(1_000_000 + 60_000);
    expect(pacer.state('m').queued).toBe(0);
  });

  it('settle() gives back what a request reserved but did not use', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ tokensPerMinute: 1000, now: clock.now, sleep: clock.sleep });
    const t: PacerTicket = await pacer.acquire({ model: 'm', tokens: 900 });
    expect(pacer.state('m').tokens.available).toBe(100);
    t.settle(200);
    t.settle(0); // only once
    expect(pacer.state('m').tokens.available).toBe(800);
  });
});

describe('Pacer learning from the server', () => {
  const headers = (o: Record<string, string>) => new Headers(o);

  it('learns the limits and adopts a lower remaining', () => {
    const clock = fakeClock();
    const pacer = new Pacer({ now: clock.now, sleep: clock.sleep });
    pacer.observe('m', 200, headers({ 'x-ratelimit-limit-requests': '600', 'x-ratelimit-remaining-requests': '42', 'x-ratelimit-limit-tokens': '90000', 'x-ratelimit-remaining-tokens': '89000' }));
    expect(pacer.state('m')).toMatchObject({ requests: { limit: 600, available: 42 }, tokens: { limit: 90000, available: 89000 } });
    clock.advance(1000); // +10 requests, +1500 tokens
    expect(pacer.state('m').requests.available).toBeCloseTo(52);
    pacer.observe('m', 200, headers({ 'x-ratelimit-remaining-requests': '500' }));
    expect(pacer.state('m').requests.available).toBeCloseTo(52); // never more than we counted
  });

  it("paces tokens to a project's own limit when its family (-project-tokens) has less left than the organization's", () => {
    const clock = fakeClock();
    const pacer = new Pacer({ now: clock.now, sleep: clock.sleep });
    pacer.observe('m', 200, headers({ 'x-ratelimit-limit-tokens': '90000', 'x-ratelimit-remaining-tokens': '89000', 'x-ratelimit-limit-project-tokens': '3000', 'x-ratelimit-remaining-project-tokens': '2000' }));
    expect(pacer.state('m').tokens).toMatchObject({ limit: 3000, available: 2000 });
    // Without the project family, the organization's is read as before.
    const other = new Pacer({ now: clock.now, sleep: clock.sleep });
    other.observe('m', 200, headers({ 'x-ratelimit-limit-tokens': '90000', 'x-ratelimit-remaining-tokens': '89000' }));
    expect(other.state('m').tokens).toMatchObject({ limit: 90000, available: 89000 });
  });

  it('paces requests by the plain family (the binding limit at Tollgate), or by -project-requests when that has less left', () => {
    const clock = fakeClock();
    const pacer = new Pacer({ now: clock.now, sleep: clock.sleep });
    pacer.observe('m', 200, headers({ 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '9', 'x-ratelimit-limit-project-requests': '10', 'x-ratelimit-remaining-project-requests': '9' }));
    expect(pacer.state('m').requests).toMatchObject({ limit: 10, available: 9 });
    const other = new Pacer({ now: clock.now, sleep: clock.sleep });
    other.observe('m', 200, headers({ 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '59', 'x-ratelimit-limit-project-requests': '10', 'x-ratelimit-remaining-project-requests': '9' }));
    expect(other.state('m').requests).toMatchObject({ limit: 10, available: 9 });
  });

  it('told limits win over learned ones', () => {
    const pacer = new Pacer({ requestsPerMinute: 30 });
    pacer.observe('m', 200, headers({ 'x-ratelimit-limit-requests': '600' }));
    expect(pacer.state('m').requests.limit).toBe(30);
  });

  it('a 429 holds the model back until its retry hint has passed', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ requestsPerMinute: 6000, now: clock.now, sleep: clock.sleep });
    pacer.observe('m', 429, headers({ 'retry-after-ms': '750', 'x-ratelimit-remaining-requests': '0' }));
    const t = await pacer.acquire({ model: 'm', tokens: 0 });
    expect(t.grantedAt).toBe(1_000_000 + 750);
  });
});

describe('estimateTokens', () => {
  it('is prompt characters / 4 plus max_tokens × n', () => {
    expect(estimateTokens({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(396) }], max_tokens: 50, n: 2 })).toBe(Math.ceil((4 + 396) / 4) + 100);
    expect(estimateTokens({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'abcdefgh' }] }] })).toBe(Math.ceil(12 / 4));
    expect(estimateTokens({ model: 'm', prompt: ['abcd', 'efgh'], max_tokens: 10 })).toBe(12);
    expect(estimateTokens({ model: 'm', input: [[1, 2, 3], 'abcdefgh'] })).toBe(5);
    expect(estimateTokens({ model: 'm', messages: [], max_completion_tokens: 7 }, { defaultMaxTokens: 100 })).toBe(7);
    expect(estimateTokens({ model: 'm', messages: [] }, { defaultMaxTokens: 100 })).toBe(100);
  });

  it('counts a Responses API body: input text or items, instructions, max_output_tokens', () => {
    expect(estimateTokens({ model: 'm', input: 'abcdefgh', max_output_tokens: 16 })).toBe(2 + 16);
    expect(estimateTokens({ model: 'm', instructions: 'abcd', input: [{ role: 'user', content: [{ type: 'input_text', text: 'abcdefgh' }] }] }, { defaultMaxTokens: 10 })).toBe(Math.ceil((4 + 4 + 8) / 4) + 10);
  });

  it('reads a body as its endpoint says when the URL is given, and guesses from the body only without it', () => {
    const text = { model: 'm', input: 'abcdefgh' };
    // `{model, input: "text"}` is both a Responses and an embeddings body: the URL tells them apart.
    expect(estimateTokens(text, { defaultMaxTokens: 10 }, '/v1/responses')).toBe(2 + 10);
    expect(estimateTokens(text, { defaultMaxTokens: 10 }, 'https://gw.example/v1/responses?x=1')).toBe(2 + 10);
    expect(estimateTokens(text, { defaultMaxTokens: 10 }, '/v1/embeddings')).toBe(2);
    // Without a known endpoint it is taken for embeddings (prompt only).
    expect(estimateTokens(text, { defaultMaxTokens: 10 })).toBe(2);
    expect(estimateTokens(text, { defaultMaxTokens: 10 }, '/v1/other')).toBe(2);
    // The other endpoints read their own fields.
    expect(estimateTokens({ model: 'm', prompt: 'abcdefgh', max_tokens: 5 }, {}, '/v1/completions')).toBe(2 + 5);
    expect(estimateTokens({ model: 'm', messages: [{ role: 'user', content: 'abcd' }], max_tokens: 5 }, {}, '/v1/chat/completions')).toBe(Math.ceil(8 / 4) + 5);
  });
});

let server: TestServer;
let remaining = 1000;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const h = { 'x-ratelimit-limit-requests': '1000', 'x-ratelimit-remaining-requests': String(--remaining), 'x-ratelimit-reset-requests': '60ms' };
    if (req.url === '/v1/chat/completions') return void sendJson(res, 200, chatCompletion('sim-small', 'ok'), h);
    sendJson(res, 404, { error: { message: 'nope', type: 'invalid_request_error', param: null, code: null } });
  });
});
afterAll(() => server.close());

describe('pacing real requests', () => {
  it('the client paces through its pacer and teaches it the server limits', async () => {
    const pacer = new Pacer();
    const c = new Tollgate({ apiKey: 'sk-test-0123456789abcdef', baseURL: server.baseURL, pacer });
    await Promise.all(Array.from({ length: 5 }, () => c.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] })));
    const s = pacer.state('sim-small');
    expect(s.requests.limit).toBe(1000);
    expect(s.requests.available).toBeLessThanOrEqual(remaining + 1);
  });

  it('the client waits for its pacer before each request: 4 calls at 2 RPM go at 0, 0, 30 s, 60 s', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ requestsPerMinute: 2, now: clock.now, sleep: clock.sleep, learn: false });
    const granted: number[] = [];
    const c = new Tollgate({
      apiKey: 'sk-test-0123456789abcdef',
      baseURL: server.baseURL,
      pacer,
      fetch: (input, init) => {
        granted.push(clock.now());
        return fetch(input, init);
      },
    });
    await Promise.all(Array.from({ length: 4 }, () => c.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] })));
    expect(granted.map((t) => t - 1_000_000)).toEqual([0, 0, 30_000, 60_000]);
  });

  it('pacedFetch paces the official SDK', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ requestsPerMinute: 2, now: clock.now, sleep: clock.sleep, learn: false });
    const granted: number[] = [];
    const base = (input: string | URL | Request, init?: RequestInit) => {
      granted.push(clock.now());
      return fetch(input, init);
    };
    const openai = new OpenAI({ apiKey: 'sk-test-0123456789abcdef', baseURL: server.baseURL, maxRetries: 0, fetch: pacedFetch(pacer, base) });
    const results = await Promise.all(Array.from({ length: 4 }, () => openai.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] })));
    expect(results.map((r) => r.choices[0]?.message.content)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(granted.map((t) => t - 1_000_000)).toEqual([0, 0, 30_000, 60_000]);
    // A request without a model (GET /models) is not paced.
    await openai.models.list().catch(() => undefined);
    expect(granted).toHaveLength(5);
  });
});

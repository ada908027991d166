/**
 * Callers refused together by one rate limit, through a real gateway and the official `openai`
 * SDK following the hints it gets (retry-after-ms): all of them succeed, each after one retry,
 * because the hints are staggered by one refill instead of sending everyone back at once.
 * The limit is scaled down in time so the test stays short: 120 requests per minute refill one
 * request every 500 ms (the same situation as 2 RPM, 60 times faster).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock, type Clock } from 'tollgate';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const RPM = 120;
const REFILL_MS = 60_000 / RPM;
const CALLERS = 5;

/**
 * Real time that the test can hold still. The drain and the first attempts happen while it is
 * held, so however long they take on a loaded machine no refill lands between them; released,
 * it runs on in real time from where it stood, as the SDK's real waits expect.
 */
class HoldableClock implements Clock {
  private offset = 0;
  private held: number | undefined;
  now(): number {
    return this.held ?? Date.now() - this.offset;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
  hold(): void {
    this.held ??= this.now();
  }
  release(): void {
    if (this.held === undefined) return;
    this.offset = Date.now() - this.held;
    this.held = undefined;
  }
}

const clock = new HoldableClock();
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({}, { clock });
});
afterAll(async () => {
  await gw.close();
});

it(`${CALLERS} concurrent callers refused by an empty bucket all succeed by following staggered hints`, async () => {
  expect((await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}/rate_limits/sim-small`, { max_requests_per_1_minute: RPM })).status).toBe(200);
  clock.hold();
  const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 3 };
  // Empty the bucket: RPM requests at once are all admitted (its capacity), the next is refused.
  const drain = await Promise.all(
    Array.from({ length: RPM }, () =>
      fetch(`${gw.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      }),
    ),
  );
  expect(drain.filter((s) => s === 200)).toHaveLength(RPM);

  const callers = Array.from({ length: CALLERS }, () => ({ hints: [] as number[], attempts: 0 }));
  let firstAnswers = 0;
  const results = await Promise.all(
    callers.map((c) => {
      const observe: typeof fetch = async (input, init) => {
        c.attempts++;
        const r = await fetch(input, init);
        if (r.status === 429) c.hints.push(Number(r.headers.get('retry-after-ms')));
        // Every caller has its first answer: time runs again for the retries.
        if (c.attempts === 1 && ++firstAnswers === CALLERS) clock.release();
        return r;
      };
      const client = new OpenAI({ apiKey: gw.apiKey, baseURL: gw.baseURL, maxRetries: 20, fetch: observe });
      return client.chat.completions.create(body).then((x) => x.object);
    }),
  );

  expect(results).toEqual(Array(CALLERS).fill('chat.completion'));
  // No one was refused twice: whoever was refused succeeded at the retry it was told.
  expect(callers.every((c) => c.attempts <= 2 && c.hints.length === c.attempts - 1)).toBe(true);
  const hints = callers.flatMap((c) => c.hints).sort((a, b) => a - b);
  expect(hints.length).toBeGreaterThanOrEqual(CALLERS - 1);
  expect(hints.every((h) => Number.isFinite(h) && h > 0)).toBe(true);
  expect(new Set(hints).size).toBe(hints.length);
  for (let i = 1; i < hints.length; i++) {
    const gap = hints[i]! - hints[i - 1]!;
    expect(gap).toBeGreaterThanOrEqual(REFILL_MS - 100);
    expect(gap).toBeLessThanOrEqual(REFILL_MS * 1.1 + 100);
  }
});

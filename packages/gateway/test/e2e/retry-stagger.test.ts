/**
 * Callers refused together by one rate limit, through a real gateway and the official `openai`
 * SDK following the hints it gets (retry-after-ms): all of them succeed, each after one retry,
 * because the hints are staggered by one refill instead of sending everyone back at once.
 * The limit is scaled down in time so the test stays short: 120 requests per minute refill one
 * request every 500 ms (the same situation as 2 RPM, 60 times faster).
 *
 * And one client that ignores the hints and retries at once, over and over, keeps its place:
 * the hints it gets do not grow with every refusal.
 */
import OpenAI from 'openai';
import { parseDuration } from '@tollgate/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HoldableClock } from '../support/clocks.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const RPM = 120;
const REFILL_MS = 60_000 / RPM;
const CALLERS = 5;

// The drain and the first attempts happen while the clock is held, so however long they take on
// a loaded machine no refill lands between them; released, it runs on from where it stood, as the
// SDK's real waits expect.
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

it('one client retrying at once, 30 times, is told the same time every time, not one more refill each', async () => {
  const t = await gw.newTenant('hammer');
  expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_minute: 1 })).status).toBe(200);
  const client = new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 0 });
  const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 3 };
  expect((await client.chat.completions.create(body)).object).toBe('chat.completion');

  const refusals: { sent: number; answered: number; ms: number; seconds: number; worded: number }[] = [];
  for (let i = 0; i < 30; i++) {
    const sent = clock.now();
    const e: unknown = await client.chat.completions.create(body).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    const err = e as InstanceType<typeof OpenAI.RateLimitError>;
    const worded = parseDuration(/Please try again in (\S+)\. /.exec(err.message)?.[1] ?? '');
    refusals.push({ sent, answered: clock.now(), ms: Number(err.headers.get('retry-after-ms')), seconds: Number(err.headers.get('retry-after')), worded: worded ?? NaN });
  }
  // 1 RPM: the one request fits again a minute after the first; the jitter is at most 1 s.
  const first = refusals[0]!;
  expect(first.ms).toBeGreaterThan(50_000);
  expect(first.ms).toBeLessThanOrEqual(61_000);
  // The same moment each time: the gateway's answer came between sending and reading it, so each
  // hint names a moment in [sent + ms, answered + ms]; one moment (give or take the millisecond a
  // hint is rounded up to) lies in all of them.
  const earliest = Math.max(...refusals.map((r) => r.sent + r.ms));
  const latest = Math.min(...refusals.map((r) => r.answered + r.ms));
  expect(earliest).toBeLessThanOrEqual(latest + 1);
  for (const r of refusals) {
    // Every form of the hint says the same.
    expect(r.worded).toBe(r.ms);
    expect(r.seconds).toBe(Math.ceil(r.ms / 1000));
    expect(r.seconds).toBeLessThanOrEqual(first.seconds);
  }
});

it('different requests of one key, one after another, each get a place of their own; the first sent again keeps its', async () => {
  const t = await gw.newTenant('two-bodies');
  expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_minute: 1 })).status).toBe(200);
  const client = new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 0 });
  const ask = (content: string) => client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content }], max_tokens: 3 });
  expect((await ask('first')).object).toBe('chat.completion');
  /** The moment a refusal names, within the time it took to get it (see the test above). */
  const refused = async (content: string) => {
    const sent = clock.now();
    const e: unknown = await ask(content).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    const ms = Number((e as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after-ms'));
    return { from: sent + ms, to: clock.now() + ms };
  };
  const a = await refused('question a');
  const b = await refused('question b');
  const again = await refused('question a');
  // 1 RPM: b is sent a refill (60 s, plus up to 1 s of jitter) after a…
  expect(b.from - a.to).toBeGreaterThanOrEqual(60_000 - 1);
  expect(b.to - a.from).toBeLessThanOrEqual(61_000 + 1);
  // …and a, sent again unchanged, is told its own moment again.
  expect(Math.max(a.from, again.from)).toBeLessThanOrEqual(Math.min(a.to, again.to) + 1);
});

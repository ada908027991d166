/**
 * Failed authentications are limited per client address: after `failed_attempts_per_minute`
 * failures the address gets 429 too_many_failed_authentications with retry headers; the key is
 * always checked first, so a right key is never refused because of other failures from its
 * address (offices and NATs share addresses), and successful clients are never slowed.
 * (Until issue 11 a blocked address was refused before its key was looked at, so a new valid key
 * from a shared address got 429: the test that asserted that now asserts the opposite.) Only
 * guesses count — keys that match none; which refusals do not, and why: failed-auth-kinds.test.ts.
 */
import OpenAI, { AuthenticationError, RateLimitError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, ApiError } from 'tollgate';
import { FailedAuthLimiter } from '../../src/identity/index.js';
import { startHarness, type Harness } from './harness.js';
import { admin, adminOk, newTenant } from '../support/admin.js';

const LIMIT = 5;
let h: Harness;
beforeEach(async () => {
  h = await startHarness({ config: { auth: { failed_attempts_per_minute: LIMIT, cache_ttl_ms: 60_000 } } });
});
afterEach(async () => {
  await h.close();
});

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: h.baseURL, maxRetries: 0 });
const chat = (c: OpenAI) => c.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] });
const guess = (i: number) => `sk-tg-${String(i).padStart(43, 'x')}`;

async function failure(call: () => Promise<unknown>): Promise<any> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('brute-force protection', () => {
  it(`answers 429 with retry headers after ${LIMIT} failures, and the wait is exact`, async () => {
    for (let i = 0; i < LIMIT; i++) expect(await failure(() => chat(client(guess(i))))).toBeInstanceOf(AuthenticationError);
    const err = await failure(() => chat(client(guess(99))));
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.status).toBe(429);
    expect(err.code).toBe('too_many_failed_authentications');
    expect(err.type).toBe('requests');
    // 5 per minute refill one every 12 s.
    expect(err.headers.get('retry-after-ms')).toBe('12000');
    expect(err.headers.get('retry-after')).toBe('12');
    // The same request carries the same unknown key: not to be retried; retry-after says when the address may try a key.
    expect(err.headers.get('x-should-retry')).toBe('false');
    expect(err.error.message).toBe(
      'Too many requests with an invalid API key from your address. Please try again in 12s. Visit http://tollgate.test/docs/errors#too_many_failed_authentications to learn more.',
    );
    // A request without a key cannot be a guess: OpenAI's missing-key 401 while blocked too (it used to get the 429).
    const none = await failure(() => chat(new OpenAI({ apiKey: 'x', baseURL: h.baseURL, maxRetries: 0, defaultHeaders: { authorization: null } })));
    expect(none).toBeInstanceOf(AuthenticationError);
    expect(none.code).toBe(null);
    await h.clock.advance(12_000);
    expect(await failure(() => chat(client(guess(100))))).toBeInstanceOf(AuthenticationError);
    expect(await failure(() => chat(client(guess(101))))).toBeInstanceOf(RateLimitError);
  });

  it('a valid key never used from a blocked address is served (the key is checked first)', async () => {
    const { apiKey: key } = await newTenant(h);
    for (let i = 0; i < LIMIT; i++) await failure(() => chat(client(guess(i))));
    expect(await failure(() => chat(client(guess(99))))).toBeInstanceOf(RateLimitError);
    await expect(chat(client(key))).resolves.toBeDefined();
    // Wrong keys stay refused meanwhile.
    expect(await failure(() => chat(client(guess(100))))).toBeInstanceOf(RateLimitError);
  });

  it('a revoked key retried in a loop gets its 401 every time and does not lock a new valid key out of the same address', async () => {
    const { apiKey: old, keyId } = await newTenant(h);
    await adminOk(h, 'POST', `/keys/${keyId}/revoke`);
    const loop = await Promise.all(Array.from({ length: 40 }, () => failure(() => chat(client(old)))));
    // An issued key is not a guess: it never uses up the address's allowance (it used to, and got 429 after LIMIT).
    expect(loop.filter((e) => e instanceof AuthenticationError && e.code === 'invalid_api_key')).toHaveLength(40);
    for (let i = 0; i < LIMIT; i++) expect(await failure(() => chat(client(guess(i))))).toBeInstanceOf(AuthenticationError);
    const { apiKey: fresh } = await newTenant(h);
    const served = await Promise.all(Array.from({ length: 40 }, () => chat(client(fresh)).then(() => 'ok', (e) => e)));
    expect(served.filter((r) => r === 'ok')).toHaveLength(40);
  });

  it('the right admin key is admitted after 30 wrong ones from its address', async () => {
    for (let i = 0; i < 30; i++) expect([401, 429]).toContain((await admin(h, 'GET', '/organizations', undefined, `wrong-${i}`)).status);
    expect((await admin(h, 'GET', '/organizations', undefined, 'wrong-again')).status).toBe(429);
    expect((await admin(h, 'GET', '/organizations')).status).toBe(200);
  });

  it('a key that already worked from the address keeps working while the address is blocked', async () => {
    const { apiKey: key } = await newTenant(h);
    await expect(chat(client(key))).resolves.toBeDefined();
    for (let i = 0; i < LIMIT; i++) await failure(() => chat(client(guess(i))));
    expect(await failure(() => chat(client(guess(50))))).toBeInstanceOf(RateLimitError);
    await expect(chat(client(key))).resolves.toBeDefined();
  });

  it('successful requests are never counted: 300 good requests, then the full failure budget is left', async () => {
    const { apiKey: key } = await newTenant(h);
    const results = await Promise.all(Array.from({ length: 300 }, () => chat(client(key)).then(() => 'ok', (e) => e)));
    expect(results.filter((r) => r === 'ok')).toHaveLength(300);
    for (let i = 0; i < LIMIT; i++) expect(await failure(() => chat(client(guess(i))))).toBeInstanceOf(AuthenticationError);
  });

  it('failed admin-key attempts count too', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await admin(h, 'GET', '/organizations', undefined, `wrong-${i}`)).status).toBe(401);
    const r = await admin(h, 'GET', '/organizations', undefined, 'wrong-again');
    expect(r.status).toBe(429);
    expect(r.body.error.code).toBe('too_many_failed_authentications');
    expect(Number(r.headers.get('retry-after-ms'))).toBeGreaterThan(0);
  });
});

describe('FailedAuthLimiter', () => {
  const wrong = () => new ApiError('invalid_api_key', { key: 'sk-...' });

  it('blocks exactly after the budget over hundreds of failures from one address', async () => {
    const clock = new FakeClock();
    const l = new FailedAuthLimiter(30, clock);
    let refused = 0;
    let failed = 0;
    for (let i = 0; i < 500; i++) {
      const e = await l.failure('10.0.0.1', wrong());
      if (e.entry.id === 'invalid_api_key') failed++;
      else if (e.entry.id === 'too_many_failed_authentications') refused++;
    }
    expect(failed).toBe(30);
    expect(refused).toBe(470);
    // Other addresses are not affected.
    expect((await l.failure('10.0.0.2', wrong())).entry.id).toBe('invalid_api_key');
  });

  it('refills continuously: one more failure every 60/perMinute seconds', async () => {
    const clock = new FakeClock();
    const l = new FailedAuthLimiter(6, clock);
    for (let i = 0; i < 6; i++) await l.failure('a', wrong());
    expect(l.blockedFor('a')).toBe(10_000);
    await clock.advance(9_999);
    expect(l.blockedFor('a')).toBe(1);
    await clock.advance(1);
    expect(l.blockedFor('a')).toBe(0);
  });
});

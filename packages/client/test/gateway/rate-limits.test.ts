/**
 * This client against the real gateway's rate limits, with its default retry settings: a
 * per-minute limit's 429 is waited out (the server's `retry-after-ms`) and the retry passes; a
 * per-day limit's 429, whose wait is far longer than a call should take, is not retried: the
 * gateway marks it `x-should-retry: false`, and the error carries the wait in `retryAfterMs`.
 * Attempts are counted on the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitError, Tollgate, type RetryEvent } from '@tollgate/client';
import { startTestGateway, type TestGateway } from '../../../gateway/test/support/gateway.js';
import { CHAT, countingFetch } from './helpers.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

async function limited(name: string, limits: Record<string, number>) {
  const t = await gw.newTenant(name);
  const r = await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, limits);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return t;
}

describe("the client's retries against the gateway's rate limits", () => {
  it('a per-day limit: one attempt, a RateLimitError with the day-long wait, not waited for', async () => {
    const t = await limited('client-rpd', { max_requests_per_1_day: 1 });
    const wire = countingFetch();
    const client = new Tollgate({ apiKey: t.apiKey, baseURL: gw.baseURL, fetch: wire.fetch });
    await client.chat.completions.create(CHAT);

    const retries: RetryEvent[] = [];
    const err = await client.chat.completions.create(CHAT, { onRetry: (e) => retries.push(e) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RateLimitError);
    const e = err as RateLimitError;
    expect(wire.calls).toBe(2); // the first call and this one's single attempt
    expect(retries).toEqual([]);
    expect(e.attempts).toBe(1);
    expect(e.headers?.get('x-should-retry')).toBe('false');
    expect(e.retryStop).toBe('not_retryable');
    expect(e.retryAfterMs).toBeGreaterThan(23 * 3_600_000);
    expect(e.message).toMatch(/on requests per day \(RPD\): Limit 1, Used 1, Requested 1\. Please try again in \d+h\d+m[0-9.]+s\./);
  });

  it("a per-minute limit: the 429 is retried after the server's wait, and the retry passes", { timeout: 60_000 }, async () => {
    // 30 a minute: one request refills every 2 s.
    const perMinute = 30;
    const t = await limited('client-rpm', { max_requests_per_1_minute: perMinute });
    const drain = new Tollgate({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 0 });
    const burst = await Promise.allSettled(Array.from({ length: perMinute + 3 }, () => drain.chat.completions.create(CHAT)));
    expect(burst.some((r) => r.status === 'rejected' && r.reason instanceof RateLimitError)).toBe(true);

    const wire = countingFetch();
    const retries: RetryEvent[] = [];
    const client = new Tollgate({ apiKey: t.apiKey, baseURL: gw.baseURL, fetch: wire.fetch });
    const answer = await client.chat.completions.create(CHAT, { onRetry: (e) => retries.push(e) });
    expect(answer.object).toBe('chat.completion');
    expect(wire.calls).toBe(2);
    expect(retries).toHaveLength(1);
    const [r] = retries;
    expect(r!.error).toBeInstanceOf(RateLimitError);
    expect(r!.error.headers?.get('x-should-retry')).toBeNull();
    expect(r!.delaySource).toBe('server');
    expect(r!.delayMs).toBe(Number(r!.error.headers?.get('retry-after-ms')));
    expect(r!.delayMs).toBeLessThanOrEqual(60_000);
  });
});

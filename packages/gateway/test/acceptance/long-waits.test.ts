/**
 * A rate limit whose wait is longer than the official SDKs handle (a per-day limit) must not make
 * the SDK's automatic retry sleep that wait inside the call: openai-node 6.26–7.4 sleeps whatever
 * `retry-after-ms` says. Such a 429 carries `x-should-retry: false` with the true wait in its
 * message and headers; a per-minute limit's short wait stays retryable, and the SDK waits it out.
 * Requests are counted where the gateway receives them.
 */
import type { IncomingMessage } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { countingFetch, drainRequests, goDurationMs, rejection, startAcceptanceGateway } from './helpers.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startAcceptanceGateway();
});
afterAll(() => gw.close());

/** A tenant whose Default project (the key's) has `limits` of its own for sim-small. */
async function projectLimited(name: string, limits: { max_requests_per_1_day?: number; max_requests_per_1_minute?: number }) {
  const t = await gw.newTenant(name, { adminKey: true });
  expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_minute: 1_000, max_requests_per_1_day: 10_000 })).status).toBe(200);
  const admin = new OpenAI({ adminAPIKey: t.adminKey!, apiKey: 'unused', baseURL: gw.baseURL, maxRetries: 0 }).admin.organization;
  const project = (await gw.gateway.services.store.projects.defaultOf(t.orgId))!;
  await admin.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: project.id, ...limits });
  return { ...t, project };
}

/** Counts the chat requests the gateway receives with `apiKey`. */
function serverCount(apiKey: string): { readonly n: number; stop(): void } {
  let n = 0;
  const listener = (req: IncomingMessage) => {
    if (req.method === 'POST' && req.url === '/v1/chat/completions' && req.headers.authorization === `Bearer ${apiKey}`) n++;
  };
  gw.gateway.server.on('request', listener);
  return {
    get n() {
      return n;
    },
    stop: () => gw.gateway.server.off('request', listener),
  };
}

const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 1 };

describe('a wait longer than a minute', () => {
  it('a per-day limit: the SDK with its default retries gets the 429 after one request, with the true wait and x-should-retry: false', async () => {
    const t = await projectLimited('rpd-one', { max_requests_per_1_day: 1 });
    // The SDK's defaults: two retries.
    const client = new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL });
    expect(client.maxRetries).toBe(2);
    expect((await client.chat.completions.create(body)).object).toBe('chat.completion');

    const count = serverCount(t.apiKey);
    const err = await rejection(client.chat.completions.create(body));
    count.stop();
    expect(count.n).toBe(1);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.type).toBe('requests');
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.headers.get('x-should-retry')).toBe('false');
    // The true wait (about a day), the same in the message and both headers.
    const retryMs = Number(e.headers.get('retry-after-ms'));
    expect(retryMs).toBeGreaterThan(23 * 3_600_000);
    expect(retryMs).toBeLessThanOrEqual(86_400_000 + 86_400_000 / 10);
    expect(Number(e.headers.get('retry-after'))).toBe(Math.ceil(retryMs / 1000));
    const message = (e.error as { message: string }).message;
    expect(message).toMatch(
      new RegExp(`^Rate limit reached for sim-small in organization ${t.orgId} on requests per day \\(RPD\\): Limit 1, Used 1, Requested 1\\. Please try again in \\d+h\\d+m[0-9.]+s\\. Visit http://gateway\\.test/projects/${t.project.id} to learn more\\.$`),
    );
    expect(goDurationMs(/Please try again in (\S+)\. Visit/.exec(message)![1]!)).toBe(retryMs);
    // The rate-limit headers say the same limit.
    expect(e.headers.get('x-ratelimit-limit-requests')).toBe('1');
    expect(e.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });
});

describe('a wait under a minute', () => {
  it('a per-minute limit: the 429 stays retryable and the SDK retries it after retry-after-ms, which then passes', { timeout: 60_000 }, async () => {
    // 30 a minute: one request refills every 2 s, a wait the SDK honours.
    const perMinute = 30;
    const t = await projectLimited('rpm-retried', { max_requests_per_1_minute: perMinute });
    await drainRequests(gw, t.apiKey, perMinute);

    const counting = countingFetch();
    const client = new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, fetch: counting.fetch });
    const count = serverCount(t.apiKey);
    const answer = await client.chat.completions.create(body);
    count.stop();
    expect(answer.object).toBe('chat.completion');
    expect(count.n).toBe(2);
    expect(counting.sent.map((s) => s.status)).toEqual([429, 200]);
    const first = counting.sent[0]!.headers!;
    expect(first.get('x-should-retry')).toBeNull();
    const retryMs = Number(first.get('retry-after-ms'));
    expect(retryMs).toBeGreaterThan(0);
    expect(retryMs).toBeLessThanOrEqual(60_000);
    expect(first.get('x-ratelimit-limit-requests')).toBe(String(perMinute));
  });
});

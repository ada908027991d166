/**
 * A rate limit changed while its bucket is in use, through the HTTP gateway and the official SDK:
 * what was used stays used. Raised (RPM 2 → 60 after 2 requests) the next request is admitted
 * with 57 left, never refused as if the new limit were all used ("Limit 60, Used 60 … try again
 * in 30s"); lowered, it is never a fresh full bucket: what was used counts (all of the new limit
 * when more was used than it allows) and refills at the new limit's rate, so no wait exceeds one
 * window and a limit lowered to 3 a day after 3 requests under 1,000 waits 8 h, not 86 s.
 *
 * On the memory counter store the gateway runs on a clock that does not move, so every figure is
 * exact; on Redis (whose clock is its own) only daily limits are read, exact while the test runs.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { formatDuration } from '@tollgate/protocol';
import type { TestGateway } from '../support/gateway.js';
import { COUNTER_KINDS, rateLimited, wireMessage } from '../support/rate-limited.js';

describe.each(COUNTER_KINDS)('a changed rate limit keeps what was used (%s counters)', (kind, start) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await start();
  }, 120_000);
  afterAll(() => gw.close());

  async function tenant(name: string) {
    const t = await gw.newTenant(`${name}-${kind}`, { adminKey: true });
    const admin = new OpenAI({ adminAPIKey: t.adminKey!, apiKey: 'unused', baseURL: gw.baseURL, maxRetries: 0 }).admin.organization;
    const project = (await gw.gateway.services.store.projects.defaultOf(t.orgId))!;
    const client = new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 0 });
    const embed = () => client.embeddings.create({ model: 'sim-embed', input: 'count me' }).withResponse();
    const orgLimit = async (limits: Record<string, number | null>) => expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-embed`, limits)).status).toBe(200);
    const projectLimit = (limits: Record<string, number | null>) => admin.projects.rateLimits.updateRateLimit('rl-sim-embed', { project_id: project.id, ...limits });
    /** The project's `remaining_*` of sim-embed in its rate limits list. */
    const projectLeft = async (field: string): Promise<number> => {
      const page = await admin.projects.rateLimits.listRateLimits(project.id, { limit: 100 });
      const row = page.data.find((r) => r.id === 'rl-sim-embed') as unknown as Record<string, number>;
      return row[field]!;
    };
    return { ...t, project, embed, orgLimit, projectLimit, projectLeft };
  }

  it.runIf(kind === 'memory')('the report: RPM 2, both used, raised to 60: the next request is admitted with 57 left', async () => {
    const t = await tenant('rpm-raise');
    await t.orgLimit({ max_requests_per_1_minute: 2 });
    for (let i = 0; i < 2; i++) await t.embed();
    const before = await rateLimited(t.embed());
    expect(wireMessage(before)).toMatch(/on requests per min \(RPM\): Limit 2, Used 2, Requested 1\. Please try again in /);
    // One request per 30 s (a hint carries up to 10% of upward jitter).
    expect(Number(before.headers!.get('retry-after-ms'))).toBeGreaterThanOrEqual(30_000);

    await t.orgLimit({ max_requests_per_1_minute: 60 });
    const { response } = await t.embed();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('57');
    // 57 more fit at once (the clock does not move), the next is refused with the true count.
    for (let i = 0; i < 57; i++) await t.embed();
    const after = await rateLimited(t.embed());
    expect(wireMessage(after)).toMatch(/on requests per min \(RPM\): Limit 60, Used 60, Requested 1\. Please try again in /);
    // One request per second at the new limit, not a place queued after the old limit's 30 s.
    const wait = Number(after.headers!.get('retry-after-ms'));
    expect(wait).toBeGreaterThanOrEqual(1_000);
    expect(wait).toBeLessThanOrEqual(1_100);
  });

  it.runIf(kind === 'memory')("the report on a project's limit set through the Administration API, raised and lowered", async () => {
    const t = await tenant('project-rpm');
    await t.projectLimit({ max_requests_per_1_minute: 2 });
    for (let i = 0; i < 2; i++) await t.embed();
    expect(wireMessage(await rateLimited(t.embed()))).toMatch(/Limit 2, Used 2, Requested 1\./);

    expect((await t.projectLimit({ max_requests_per_1_minute: 60 })).max_requests_per_1_minute).toBe(60);
    expect(await t.projectLeft('remaining_requests_per_1_minute')).toBe(58);
    expect((await t.embed()).response.status).toBe(200);
    expect(await t.projectLeft('remaining_requests_per_1_minute')).toBe(57);

    // Lowered below what was used: refused, the new limit all used, not a fresh bucket of 1.
    await t.projectLimit({ max_requests_per_1_minute: 1 });
    expect(await t.projectLeft('remaining_requests_per_1_minute')).toBe(0);
    expect(wireMessage(await rateLimited(t.embed()))).toMatch(/on requests per min \(RPM\): Limit 1, Used 1, Requested 1\./);
  });

  it.runIf(kind === 'memory')("RPD 3 and RPM 3 both used, the day's 429 given, RPD lifted: the minute's 429 waits the minute's 20 s, not the day's 8 h", async () => {
    const t = await tenant('rpd-lifted');
    const clock = gw.clock as FakeClock;
    await t.projectLimit({ max_requests_per_1_day: 3, max_requests_per_1_minute: 3 });
    for (let i = 0; i < 3; i++) await t.embed();
    const day = await rateLimited(t.embed());
    expect(wireMessage(day)).toMatch(/on requests per day \(RPD\): Limit 3, Used 3, Requested 1\. Please try again in 8h0m/);
    expect(day.headers!.get('x-should-retry')).toBe('false');

    for (const lifted of [{ max_requests_per_1_day: null }, { max_requests_per_1_day: 100 }]) {
      await t.projectLimit(lifted);
      const minute = await rateLimited(t.embed());
      // One request per 20 s at 3 per minute (a hint carries at most 1 s of upward jitter).
      const wait = Number(minute.headers!.get('retry-after-ms'));
      expect(wait).toBeGreaterThanOrEqual(20_000);
      expect(wait).toBeLessThanOrEqual(21_000);
      expect(wireMessage(minute)).toContain(`on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${formatDuration(wait)}.`);
      expect(minute.headers!.get('retry-after')).toBe(String(Math.ceil(wait / 1000)));
      expect(minute.headers!.get('x-should-retry')).not.toBe('false');
      // Not before the minute bucket has a request again; admitted once the hint has passed.
      await clock.advance(19_999);
      expect(wireMessage(await rateLimited(t.embed()))).toMatch(/on requests per min \(RPM\): Limit 3, Used 3, Requested 1\./);
      await clock.advance(wait - 19_999);
      expect((await t.embed()).response.status).toBe(200);
      // The minute bucket full again, then used up at once (the day's limit is lifted or has room).
      await clock.advance(60_000);
      for (let i = 0; i < 3; i++) await t.embed();
      // The day's limit back: its 429 again, with the minute bucket used up too.
      await t.projectLimit({ max_requests_per_1_day: 3, max_requests_per_1_minute: 3 });
      expect(wireMessage(await rateLimited(t.embed()))).toMatch(/on requests per day \(RPD\): Limit 3, Used \d+, Requested 1\. Please try again in \d+h/);
    }
  });

  // Lowered below what was used: the new limit counts as all used and refills at its own rate, so
  // the 429's wait, its reset header and admission agree, and a per-minute limit never announces
  // more than a minute, a daily one a day (not 2.5 min, 72 h).
  it.runIf(kind === 'memory').each([
    // field, used, lowered to, words, wait (one request's share of the new window), reset, retryable
    ['max_requests_per_1_minute', 6, 2, 'requests per min (RPM)', 30_000, '1m0s', true],
    ['max_requests_per_1_day', 3, 1, 'requests per day (RPD)', 86_400_000, '24h0m0s', false],
  ] as const)('%s %i all used, lowered to %i: refused until one request refilled at the new rate, admitted then', async (field, used, lowered, words, exact, reset, retryable) => {
    const t = await tenant(`lowered-${field}`);
    const clock = gw.clock as FakeClock;
    await t.projectLimit({ [field]: used });
    for (let i = 0; i < used; i++) await t.embed();
    await t.projectLimit({ [field]: lowered });
    const e = await rateLimited(t.embed());
    const wait = Number(e.headers!.get('retry-after-ms'));
    expect(wait).toBeGreaterThanOrEqual(exact);
    expect(wait).toBeLessThanOrEqual(exact + 1_000); // a hint's jitter: at most 1 s
    expect(wireMessage(e)).toContain(`on ${words}: Limit ${lowered}, Used ${lowered}, Requested 1. Please try again in ${formatDuration(wait)}.`);
    expect(e.headers!.get('retry-after')).toBe(String(Math.ceil(wait / 1000)));
    expect(e.headers!.get('x-ratelimit-reset-requests')).toBe(reset);
    expect(e.headers!.get('x-should-retry') !== 'false').toBe(retryable);
    // 1 ms early the last of them still counts: the new limit all used.
    await clock.advance(exact - 1);
    expect(wireMessage(await rateLimited(t.embed()))).toContain(`Limit ${lowered}, Used ${lowered}, Requested 1.`);
    await clock.advance(wait - exact + 1);
    const { response } = await t.embed();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it.runIf(kind === 'memory')('RPD 1,000 with 3 used, lowered to 3: refused for 8 h (the new rate), not the 86 s of the old one; admitted then', async () => {
    const t = await tenant('rpd-lowered-to-used');
    const clock = gw.clock as FakeClock;
    await t.orgLimit({ max_requests_per_1_day: 1_000 });
    for (let i = 0; i < 3; i++) await t.embed();
    await t.orgLimit({ max_requests_per_1_day: 3 });
    const e = await rateLimited(t.embed());
    expect(wireMessage(e)).toMatch(/on requests per day \(RPD\): Limit 3, Used 3, Requested 1\. Please try again in 8h0m/);
    expect(e.headers!.get('x-ratelimit-reset-requests')).toBe('24h0m0s');
    await clock.advance(90_000);
    expect(wireMessage(await rateLimited(t.embed()))).toMatch(/Limit 3, Used 3, Requested 1\./);
    await clock.advance(8 * 3_600_000 - 90_000);
    expect((await t.embed()).response.status).toBe(200);
    expect(wireMessage(await rateLimited(t.embed()))).toMatch(/Limit 3, Used 3, Requested 1\./);
  });

  it('RPD 3, all used, raised to 1000: admitted with 996 left; lowered to 2: refused, all used', async () => {
    const t = await tenant('rpd-raise');
    await t.orgLimit({ max_requests_per_1_day: 3 });
    for (let i = 0; i < 3; i++) await t.embed();
    expect(wireMessage(await rateLimited(t.embed()))).toMatch(/on requests per day \(RPD\): Limit 3, Used 3, Requested 1\./);

    await t.orgLimit({ max_requests_per_1_day: 1_000 });
    const { response } = await t.embed();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('996');

    await t.orgLimit({ max_requests_per_1_day: 2 });
    const e = await rateLimited(t.embed());
    expect(wireMessage(e)).toMatch(/on requests per day \(RPD\): Limit 2, Used 2, Requested 1\./);
    expect(e.headers!.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('300 simultaneous requests right after a raise admit exactly the new limit − used', async () => {
    const t = await tenant('rpd-burst');
    await t.orgLimit({ max_requests_per_1_day: 5 });
    for (let i = 0; i < 5; i++) await t.embed();
    await t.orgLimit({ max_requests_per_1_day: 200 });
    const out = await Promise.all(
      Array.from({ length: 300 }, () =>
        t.embed().then(
          (r) => r.response.status,
          (e: unknown) => (e instanceof OpenAI.APIError ? e.status : -1),
        ),
      ),
    );
    expect(out.filter((s) => s === 200)).toHaveLength(195);
    expect(out.filter((s) => s === 429)).toHaveLength(105);
    expect(wireMessage(await rateLimited(t.embed()))).toMatch(/Limit 200, Used 200, Requested 1\./);
  }, 180_000);
});

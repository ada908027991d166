/**
 * A rate limit that first applies to a scope that had none starts from what the scope already
 * used (usage/limit-seeds.ts), through the HTTP gateway with the official SDK: three requests,
 * then a limit of 3 per day for the project → the next request is OpenAI's 429 "Limit 3, Used 3",
 * not two more admitted from a fresh bucket; the same for tokens per minute, for a key's own
 * limit and for an organization's limit set by the operator where its tier has none. Another
 * project's or key's requests are not counted.
 *
 * On the memory counter store the gateway runs on a clock that does not move, so every figure is
 * exact; on Redis (whose clock is its own) only daily limits are read, exact while the test runs.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { formatDuration } from '@tollgate/protocol';
import { COUNTER_KINDS, gatewayForBlock, rateLimited, wireMessage } from '../support/rate-limited.js';

const chatBody = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'count me' }], max_tokens: 5 };

describe.each(COUNTER_KINDS)('a limit set where there was none starts from what was used (%s counters)', (kind, start) => {
  const gw = gatewayForBlock(start);

  /** An organization without limits (the tier `unlimited`), its Default project and the key in it. */
  async function tenant(name: string) {
    const t = await gw().newTenant(`${name}-${kind}`, { adminKey: true });
    const admin = new OpenAI({ adminAPIKey: t.adminKey!, apiKey: 'unused', baseURL: gw().baseURL, maxRetries: 0 }).admin.organization;
    const project = (await gw().gateway.services.store.projects.defaultOf(t.orgId))!;
    const client = new OpenAI({ apiKey: t.apiKey, baseURL: gw().baseURL, maxRetries: 0 });
    const chat = () => client.chat.completions.create(chatBody).withResponse();
    /** A second key of the organization, in a project of its own. */
    const otherKey = async () => {
      const other = await gw().gateway.services.store.projects.create(t.orgId, { name: 'other' });
      const key = await gw().admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: t.userId, name: 'other', project_id: other.id });
      expect(key.status).toBe(200);
      const c = new OpenAI({ apiKey: key.body.key, baseURL: gw().baseURL, maxRetries: 0 });
      return () => c.chat.completions.create(chatBody).withResponse();
    };
    return { ...t, admin, project, chat, otherKey };
  }

  /** The day's 429 with the exact wording and headers OpenAI sends for a request limit of 3, all used. */
  function expectDayRefusal(e: InstanceType<typeof OpenAI.RateLimitError>, orgId: string, page: string) {
    const wait = Number(e.headers!.get('retry-after-ms'));
    // One request per 8 h at 3 a day; on Redis less the moments the test took, plus a hint's jitter (at most 1 s).
    expect(wait).toBeGreaterThanOrEqual(8 * 3_600_000 - (kind === 'redis' ? 60_000 : 0));
    expect(wait).toBeLessThanOrEqual(8 * 3_600_000 + 1_000);
    expect(wireMessage(e)).toBe(`Rate limit reached for sim-small in organization ${orgId} on requests per day (RPD): Limit 3, Used 3, Requested 1. Please try again in ${formatDuration(wait)}. Visit http://gateway.test/${page} to learn more.`);
    expect(e.status).toBe(429);
    expect(e.type).toBe('requests');
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.headers!.get('retry-after')).toBe(String(Math.ceil(wait / 1000)));
    expect(e.headers!.get('x-ratelimit-limit-requests')).toBe('3');
    expect(e.headers!.get('x-ratelimit-remaining-requests')).toBe('0');
    // A wait of hours: the SDK is told not to retry.
    expect(e.headers!.get('x-should-retry')).toBe('false');
  }

  it("the report: three requests, then the project's RPD set to 3: the 4th is refused, Used 3", async () => {
    const t = await tenant('project-rpd');
    // Another project's requests are not the project's.
    const other = await t.otherKey();
    for (let i = 0; i < 2; i++) await other();
    for (let i = 0; i < 3; i++) expect((await t.chat()).response.status).toBe(200);

    const set = await t.admin.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: t.project.id, max_requests_per_1_day: 3 });
    expect(set.max_requests_per_1_day).toBe(3);

    const e = await rateLimited(t.chat());
    expectDayRefusal(e, t.orgId, `projects/${t.project.id}`);
    expect(e.headers!.get('x-ratelimit-limit-project-requests')).toBe('3');
    expect(e.headers!.get('x-ratelimit-remaining-project-requests')).toBe('0');
    // The rate-limit list agrees: nothing left.
    const page = await t.admin.projects.rateLimits.listRateLimits(t.project.id, { limit: 100 });
    const row = page.data.find((r) => r.id === 'rl-sim-small') as unknown as Record<string, number>;
    expect(row.remaining_requests_per_1_day).toBe(0);
    // The other project has no limit of its own: still admitted.
    expect((await other()).response.status).toBe(200);
  });

  it("a key's own RPD set to 3 after three requests: the 4th is refused, Used 3; the organization's other key is not counted", async () => {
    const t = await tenant('key-rpd');
    const other = await t.otherKey();
    for (let i = 0; i < 2; i++) await other();
    for (let i = 0; i < 3; i++) await t.chat();

    const set = await gw().admin('PUT', `/admin/v1/keys/${t.keyId}/rate_limits/sim-small`, { max_requests_per_1_day: 3 });
    expect(set.status).toBe(200);

    expectDayRefusal(await rateLimited(t.chat()), t.orgId, 'api-keys');
    expect((await other()).response.status).toBe(200);
  });

  it("a key's limit for every model (`*`) starts each model's bucket from that model's requests", async () => {
    const t = await tenant('key-star');
    for (let i = 0; i < 3; i++) await t.chat();
    expect((await gw().admin('PUT', `/admin/v1/keys/${t.keyId}/rate_limits/*`, { max_requests_per_1_day: 3 })).status).toBe(200);
    expectDayRefusal(await rateLimited(t.chat()), t.orgId, 'api-keys');
  });

  it("the organization's RPD set by the operator where its tier has none: all its projects' requests count", async () => {
    const t = await tenant('org-rpd');
    const other = await t.otherKey();
    await other();
    for (let i = 0; i < 2; i++) await t.chat();
    expect((await gw().admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_day: 3 })).status).toBe(200);
    expectDayRefusal(await rateLimited(t.chat()), t.orgId, 'limits');
  });

  it.runIf(kind === 'memory')("tokens per minute: three requests, then the project's TPM set to what they used: the next is refused with the true figure", async () => {
    const t = await tenant('project-tpm');
    let used = 0;
    for (let i = 0; i < 3; i++) {
      const { data } = await t.chat();
      used += data.usage!.total_tokens;
    }
    expect(used).toBeGreaterThan(0);

    await t.admin.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: t.project.id, max_tokens_per_1_minute: used });
    const e = await rateLimited(t.chat());
    expect(e.type).toBe('tokens');
    const wait = Number(e.headers!.get('retry-after-ms'));
    expect(wireMessage(e)).toMatch(
      new RegExp(
        `^Rate limit reached for sim-small in organization ${t.orgId} on tokens per min \\(TPM\\): Limit ${used}, Used ${used}, Requested \\d+\\. Please try again in ${formatDuration(wait).replace(/\./g, '\\.')}\\. Visit http://gateway\\.test/projects/${t.project.id} to learn more\\.$`,
      ),
    );
    expect(e.headers!.get('x-ratelimit-limit-tokens')).toBe(String(used));
    expect(e.headers!.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(e.headers!.get('x-ratelimit-limit-project-tokens')).toBe(String(used));
    expect(e.headers!.get('x-ratelimit-remaining-project-tokens')).toBe('0');

    // A minute later what was used has drained: admitted again.
    await (gw().clock as FakeClock).advance(60_000);
    expect((await t.chat()).response.status).toBe(200);
  });

  it.runIf(kind === 'memory')("a tier with limits where the organization's had none (unlimited → free): its minute and day buckets start from what was used", async () => {
    const t = await tenant('tier-change');
    for (let i = 0; i < 3; i++) await t.chat();
    expect((await gw().admin('PUT', `/admin/v1/organizations/${t.orgId}`, { tier: 'free' })).status).toBe(200);
    const { response } = await t.chat();
    // free: 60 a minute, 1000 a day; 3 used before, this one the 4th.
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('56');
    const res = await fetch(`${gw().baseURL}/organization/rate_limits`, { headers: { authorization: `Bearer ${t.adminKey!}` } });
    const rows = ((await res.json()) as { data: Array<Record<string, unknown>> }).data;
    expect(rows.find((r) => r.model === 'sim-small')).toMatchObject({ max_requests_per_1_day: 1_000, remaining_requests_per_1_day: 996, remaining_requests_per_1_minute: 56 });
  });

  it.runIf(kind === 'memory')('requests older than the window do not count: three requests a day ago, then RPD 3: admitted', async () => {
    const t = await tenant('project-old');
    for (let i = 0; i < 3; i++) await t.chat();
    await (gw().clock as FakeClock).advance(86_400_000);
    await t.admin.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: t.project.id, max_requests_per_1_day: 3 });
    const { response } = await t.chat();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining-project-requests')).toBe('2');
  });

  it.runIf(kind === 'memory')('a limit that already applied, raised, is not started again from the ledger (what was used carries over)', async () => {
    const t = await tenant('project-raise');
    await t.admin.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: t.project.id, max_requests_per_1_day: 10 });
    for (let i = 0; i < 3; i++) await t.chat();
    await t.admin.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: t.project.id, max_requests_per_1_day: 20 });
    const { response } = await t.chat();
    expect(response.headers.get('x-ratelimit-remaining-project-requests')).toBe('16');
  });
});

/**
 * A project's own rate limits, set below the organization's through the Administration API
 * (`POST /v1/organization/projects/{id}/rate_limits/{rate_limit_id}`), as the official SDK sees
 * them: OpenAI's 429 wording with the project's figures and a link to the project's page in the
 * console (not the organization's limits page), and the plain `x-ratelimit-*` headers describing
 * the limit that binds (the project's where it has fewer left, else the organization's), as OpenAI
 * documents them, so that a client pacing itself by them keeps to the project's limit; the
 * project's own limits also in `x-ratelimit-*-project-{tokens,requests}`.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

/** A tenant whose organization has generous limits for sim-small, and its Default project (the key's). */
async function tenant(name: string) {
  const t = await gw.newTenant(name, { adminKey: true });
  const org = await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_minute: 1_000, max_tokens_per_1_minute: 100_000 });
  expect(org.status).toBe(200);
  const admin = new OpenAI({ adminAPIKey: t.adminKey!, apiKey: 'unused', baseURL: gw.baseURL, maxRetries: 0 }).admin.organization;
  const project = (await gw.gateway.services.store.projects.defaultOf(t.orgId))!;
  const client = new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 0 });
  return { ...t, admin, project, client };
}

async function rateLimited(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.RateLimitError>> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OpenAI.RateLimitError);
  return e as InstanceType<typeof OpenAI.RateLimitError>;
}

describe("a project's rate limit below the organization's", () => {
  it("tokens: the 429 has the project's figures and links its page; the project's tokens have their own headers", async () => {
    const t = await tenant('project-tpm');
    const set = await t.admin.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: t.project.id, max_tokens_per_1_minute: 300 });
    expect(set.max_tokens_per_1_minute).toBe(300);
    // About 200 prompt tokens: one request fits in 300, a second cannot, whatever the first's answer.
    const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'word '.repeat(200) }], max_tokens: 16 };

    const { response } = await t.client.chat.completions.create(body).withResponse();
    expect(response.headers.get('x-ratelimit-limit-project-tokens')).toBe('300');
    const left = Number(response.headers.get('x-ratelimit-remaining-project-tokens'));
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(100);
    expect(response.headers.get('x-ratelimit-reset-project-tokens')).toMatch(/^[0-9.]+(ms|s)$/);
    // The plain token headers are the binding limit: the project's; requests: the organization's.
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('300');
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(left));
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('1000');

    const e = await rateLimited(t.client.chat.completions.create(body));
    expect(e.status).toBe(429);
    expect(e.type).toBe('tokens');
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.message).toMatch(
      new RegExp(
        `^429 Rate limit reached for sim-small in organization ${t.orgId} on tokens per min \\(TPM\\): Limit 300, Used \\d+, Requested \\d+\\. Please try again in [0-9.hms]+\\. Visit http://gateway\\.test/projects/${t.project.id} to learn more\\.$`,
      ),
    );
    expect(e.headers!.get('x-ratelimit-limit-project-tokens')).toBe('300');
    expect(e.headers!.get('x-ratelimit-limit-tokens')).toBe('300');

    // A request larger than the project's whole limit: "Request too large", the same scope.
    const big = await rateLimited(t.client.chat.completions.create({ ...body, max_tokens: 400 }));
    expect(big.message).toMatch(
      new RegExp(
        `^429 Request too large for sim-small in organization ${t.orgId} on tokens per min \\(TPM\\): Limit 300, Requested \\d+\\. The input or output tokens must be reduced in order to run successfully\\. Visit http://gateway\\.test/projects/${t.project.id} to learn more\\.$`,
      ),
    );
  });

  it("requests: the 429 has the project's figures and links its page, and its headers say the same limit", async () => {
    const t = await tenant('project-rpm');
    await t.admin.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: t.project.id, max_requests_per_1_minute: 2 });
    const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 3 };
    for (let i = 0; i < 2; i++) {
      const { response } = await t.client.chat.completions.create(body).withResponse();
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('2');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(String(1 - i));
      expect(response.headers.get('x-ratelimit-limit-project-requests')).toBe('2');
      // No token limit of the project's own: no project token headers; the plain ones are the organization's.
      expect(response.headers.get('x-ratelimit-limit-project-tokens')).toBeNull();
      expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    }
    const e = await rateLimited(t.client.chat.completions.create(body));
    expect(e.type).toBe('requests');
    expect(e.message).toMatch(
      new RegExp(
        `^429 Rate limit reached for sim-small in organization ${t.orgId} on requests per min \\(RPM\\): Limit 2, Used 2, Requested 1\\. Please try again in [0-9.hms]+\\. Visit http://gateway\\.test/projects/${t.project.id} to learn more\\.$`,
      ),
    );
    expect(e.headers!.get('x-ratelimit-limit-requests')).toBe('2');
    expect(e.headers!.get('x-ratelimit-remaining-requests')).toBe('0');
    // A wait under a minute: the SDK may retry it (no x-should-retry), after the hinted wait.
    expect(e.headers!.get('x-should-retry')).toBeNull();
    expect(Number(e.headers!.get('retry-after-ms'))).toBeLessThanOrEqual(60_000);
  });
});

describe('the plain x-ratelimit-*-requests headers describe the limit that binds', () => {
  /** An organization with `orgRpm` for sim-small and its Default project limited to `projectRpm`. */
  async function limited(name: string, orgRpm: number, projectRpm: number) {
    const t = await gw.newTenant(name, { adminKey: true });
    expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_minute: orgRpm })).status).toBe(200);
    const admin = new OpenAI({ adminAPIKey: t.adminKey!, apiKey: 'unused', baseURL: gw.baseURL, maxRetries: 0 }).admin.organization;
    const project = (await gw.gateway.services.store.projects.defaultOf(t.orgId))!;
    await admin.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: project.id, max_requests_per_1_minute: projectRpm });
    return { ...t, project, client: new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 0 }) };
  }
  const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 3 };

  it("a project's 10 RPM under the organization's 60: the headers say 10 and count down to the 429, which says the same", async () => {
    const t = await limited('rpm-test', 60, 10);
    for (let i = 0; i < 10; i++) {
      const { response } = await t.client.chat.completions.create(body).withResponse();
      expect(response.headers.get('x-ratelimit-limit-requests'), `request ${i}`).toBe('10');
      expect(response.headers.get('x-ratelimit-remaining-requests'), `request ${i}`).toBe(String(9 - i));
      expect(response.headers.get('x-ratelimit-reset-requests'), `request ${i}`).toMatch(/^[0-9.]+(ms|s)$|^\d+m[0-9.]+s$/);
      expect(response.headers.get('x-ratelimit-limit-project-requests')).toBe('10');
    }
    const e = await rateLimited(t.client.chat.completions.create(body));
    expect(e.message).toContain('on requests per min (RPM): Limit 10, Used 10, Requested 1.');
    expect(e.headers!.get('x-ratelimit-limit-requests')).toBe('10');
    expect(e.headers!.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it("the organization's limit with fewer left than the project's: the headers are the organization's", async () => {
    const t = await limited('rpm-org-tighter', 10, 8);
    // Another project of the organization takes 5 of its 10.
    const other = await gw.gateway.services.store.projects.create(t.orgId, { name: 'other' });
    const key = await gw.admin('POST', '/admin/v1/keys', { organization_id: t.orgId, user_id: t.userId, name: 'other', project_id: other.id });
    expect(key.status).toBe(200);
    const otherClient = new OpenAI({ apiKey: key.body.key, baseURL: gw.baseURL, maxRetries: 0 });
    for (let i = 0; i < 5; i++) await otherClient.chat.completions.create(body);

    for (let i = 0; i < 5; i++) {
      const { response } = await t.client.chat.completions.create(body).withResponse();
      expect(response.headers.get('x-ratelimit-limit-requests'), `request ${i}`).toBe('10');
      expect(response.headers.get('x-ratelimit-remaining-requests'), `request ${i}`).toBe(String(4 - i));
      // The project's own limit, alone, in its own family.
      expect(response.headers.get('x-ratelimit-limit-project-requests')).toBe('8');
      expect(response.headers.get('x-ratelimit-remaining-project-requests')).toBe(String(7 - i));
    }
    const e = await rateLimited(t.client.chat.completions.create(body));
    expect(e.message).toContain('on requests per min (RPM): Limit 10, Used 10, Requested 1.');
    expect(e.message).toContain('Visit http://gateway.test/limits to learn more.');
    expect(e.headers!.get('x-ratelimit-limit-requests')).toBe('10');
    expect(e.headers!.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(e.headers!.get('x-ratelimit-remaining-project-requests')).toBe('3');
  });
});

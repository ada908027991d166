/**
 * A project's own rate limits, set below the organization's through the Administration API
 * (`POST /v1/organization/projects/{id}/rate_limits/{rate_limit_id}`), as the official SDK sees
 * them: OpenAI's 429 wording with the project's figures and a link to the project's page in the
 * console (not the organization's limits page), the project's token limit in the
 * `x-ratelimit-*-project-tokens` headers, and the plain `x-ratelimit-*` headers still the
 * organization's, as they are at OpenAI.
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
    // The plain headers are the organization's limits, as at OpenAI.
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
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
    expect(e.headers!.get('x-ratelimit-limit-tokens')).toBe('100000');

    // A request larger than the project's whole limit: "Request too large", the same scope.
    const big = await rateLimited(t.client.chat.completions.create({ ...body, max_tokens: 400 }));
    expect(big.message).toMatch(
      new RegExp(
        `^429 Request too large for sim-small in organization ${t.orgId} on tokens per min \\(TPM\\): Limit 300, Requested \\d+\\. The input or output tokens must be reduced in order to run successfully\\. Visit http://gateway\\.test/projects/${t.project.id} to learn more\\.$`,
      ),
    );
  });

  it("requests: the 429 has the project's figures and links its page; the plain request headers stay the organization's", async () => {
    const t = await tenant('project-rpm');
    await t.admin.projects.rateLimits.updateRateLimit('rl-sim-small', { project_id: t.project.id, max_requests_per_1_minute: 2 });
    const body = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 3 };
    for (let i = 0; i < 2; i++) {
      const { response } = await t.client.chat.completions.create(body).withResponse();
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('1000');
      // No token limit of the project's own: no project headers.
      expect(response.headers.get('x-ratelimit-limit-project-tokens')).toBeNull();
    }
    const e = await rateLimited(t.client.chat.completions.create(body));
    expect(e.type).toBe('requests');
    expect(e.message).toMatch(
      new RegExp(
        `^429 Rate limit reached for sim-small in organization ${t.orgId} on requests per min \\(RPM\\): Limit 2, Used 2, Requested 1\\. Please try again in [0-9.hms]+\\. Visit http://gateway\\.test/projects/${t.project.id} to learn more\\.$`,
      ),
    );
    expect(e.headers!.get('x-ratelimit-limit-requests')).toBe('1000');
  });
});

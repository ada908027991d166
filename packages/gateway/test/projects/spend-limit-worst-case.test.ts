/**
 * A spend limit refuses a request whose worst case (prompt plus every output token it may produce)
 * does not fit in what is left. A new project with a $0.01 limit was refused its first sim-large
 * call without max_tokens (16,384 output tokens at $10 per 1M: about $0.16) with "You exceeded
 * your project's spend limit", though nothing had been spent. The refusal now gives the figures
 * and says to ask for less output; "exceeded" is kept for a limit that spent + reserved reached.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setOwnSpendLimit } from '../../src/billing/org-limits.js';
import { PUBLIC_URL, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const CENT = 10_000_000_000n; // $0.01 in pico-dollars
const ask = { model: 'sim-large', messages: [{ role: 'user' as const, content: 'Say hello' }] };

/** The refusal the official SDK raises for `body`. */
async function refusal(apiKey: string, body: Record<string, unknown>): Promise<InstanceType<typeof OpenAI.RateLimitError>> {
  const sdk = new OpenAI({ apiKey, baseURL: gw.baseURL, maxRetries: 0 });
  const err = await sdk.chat.completions.create(body as never).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  return err as InstanceType<typeof OpenAI.RateLimitError>;
}

const messageOf = (e: InstanceType<typeof OpenAI.RateLimitError>) => (e.error as { message: string }).message;

/** sim-large: $2.50 per 1M input tokens, $10 per 1M output, 16,384 output tokens at most. */
const costOf = (prompt: number, output: number) => BigInt(prompt) * 2_500_000n + BigInt(output) * 10_000_000n;
const usd = (pico: bigint) => `${pico / 1_000_000_000_000n}.${(pico % 1_000_000_000_000n).toString().padStart(12, '0').replace(/0+$/, '').padEnd(2, '0')}`;

async function tenant(name: string) {
  const t = await gw.newTenant(name);
  const { store, identity } = gw.gateway.services;
  const project = (await store.projects.defaultOf(t.orgId))!;
  return { ...t, project, store, changed: () => identity.invalidate({ kind: 'org', orgId: t.orgId }) };
}

describe("a project's spend limit with nothing spent", () => {
  it('refuses a worst case above the limit with its figures, and admits the same call with a small max_tokens', async () => {
    const t = await tenant('worst-case-project');
    await t.store.projects.setSpendLimit(t.orgId, t.project.id, CENT);
    await t.changed();

    const e = await refusal(t.apiKey, ask);
    expect(e.status).toBe(429);
    expect(e.code).toBe('project_spend_limit_exceeded');
    expect(e.type).toBe('insufficient_quota');
    expect(e.headers.get('x-should-retry')).toBe('false');
    const m = /^This request could cost up to \$([0-9.]+) \((\d+) prompt tokens plus up to 16384 output tokens\), more than the \$0\.01 left of your project's spend limit of \$0\.01 this month\. Ask for fewer output tokens \(max_tokens, max_completion_tokens or max_output_tokens\) or raise the limit at (\S+)\.$/.exec(messageOf(e));
    expect(m, messageOf(e)).not.toBeNull();
    // The cost is exact, not rounded: prompt and output at the model's prices.
    expect(m![1]).toBe(usd(costOf(Number(m![2]), 16_384)));
    expect(m![3]).toBe(`${PUBLIC_URL}/projects/${t.project.id}`);

    const sdk = new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 0 });
    const ok = await sdk.chat.completions.create({ ...ask, max_tokens: 5 });
    expect(ok.choices.length).toBe(1);
  });

  it('says "exceeded", as before, once spent + reserved reach the limit', async () => {
    const t = await tenant('worst-case-reached');
    const sdk = new OpenAI({ apiKey: t.apiKey, baseURL: gw.baseURL, maxRetries: 0 });
    await sdk.chat.completions.create({ ...ask, max_tokens: 5 });
    // A limit of one pico-dollar, below what that call spent.
    await t.store.projects.setSpendLimit(t.orgId, t.project.id, 1n);
    await t.changed();
    const e = await refusal(t.apiKey, { ...ask, max_tokens: 5 });
    expect(e.code).toBe('project_spend_limit_exceeded');
    expect(messageOf(e)).toBe(
      `You exceeded your project's spend limit, please check your project's limits and billing details. For more information on this error, read the docs: ${PUBLIC_URL}/docs/errors#project_spend_limit_exceeded.`,
    );
  });
});

describe("the organization's own spend limit with nothing spent", () => {
  it('refuses a worst case above the limit with its figures and links the Limits page', async () => {
    const t = await tenant('worst-case-org');
    expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: 100 })).status).toBe(200);
    expect(await setOwnSpendLimit(t.store, t.orgId, CENT)).toEqual({ set: true });
    await t.changed();

    const e = await refusal(t.apiKey, { ...ask, max_tokens: 2000 });
    expect(e.code).toBe('organization_spend_limit_exceeded');
    const m = /^This request could cost up to \$([0-9.]+) \((\d+) prompt tokens plus up to 2000 output tokens\), more than the \$0\.01 left of your organization's spend limit of \$0\.01 this month\. Ask for fewer output tokens \(max_tokens, max_completion_tokens or max_output_tokens\) or raise the limit at (\S+)\.$/.exec(messageOf(e));
    expect(m, messageOf(e)).not.toBeNull();
    expect(m![1]).toBe(usd(costOf(Number(m![2]), 2000)));
    expect(m![3]).toBe(`${PUBLIC_URL}/limits`);
  });

  it("keeps OpenAI's exact words for the operator's approved limit, whatever is left", async () => {
    const t = await tenant('worst-case-approved');
    expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: 0.01 })).status).toBe(200);
    const e = await refusal(t.apiKey, ask);
    expect(e.code).toBe('insufficient_quota');
    expect(messageOf(e)).toBe(`You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: ${PUBLIC_URL}/docs/errors#insufficient_quota.`);
  });
});

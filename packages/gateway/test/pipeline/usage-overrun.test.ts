/**
 * Issue 10, item 7: the reservation bounds what the upstream may produce. A request without a cap
 * is reserved at the model's output limit; that bound goes upstream (`max_tokens`), and an
 * upstream that still reports more (completion tokens past the bound, or a prompt its tokenizer
 * counts higher) is charged the reserved worst case, never more: spend stays within the hard limit.
 * The ledger keeps the reported tokens with the capped cost; the overrun is counted per model.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import { moneyText } from '../../src/billing/money-column.js';
import { parseConfig } from 'tollgate';
import { validateInference } from '../../src/validation/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { completion, json, sse, startFakeUpstream, type FakeRequest, type FakeUpstream } from '../upstream/fake-upstream.js';
import { upstreamModel } from '../upstream-e2e/harness.js';

// $1 / $2 per 1M tokens: 1 µ$ per prompt token, 2 µ$ per completion token.
const model = (baseUrl: string) => upstreamModel('bounded', [{ base_url: baseUrl }], { max_output_tokens: 300, pricing: { input_per_1m: 1, output_per_1m: 2 } });
const MESSAGES = [{ role: 'user' as const, content: 'Write as much as you like.' }];

let up: FakeUpstream;
let gw: TestGateway;
/** Usage the fake upstream reports, as a function of what it was asked. */
let report: (req: FakeRequest) => { prompt_tokens: number; completion_tokens: number };

beforeAll(async () => {
  up = await startFakeUpstream(async (req, res) => {
    const u = report(req);
    const usage = { ...u, total_tokens: u.prompt_tokens + u.completion_tokens };
    if (req.body.stream) {
      const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'upstream-model' };
      await sse(res, [
        { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Many words.' }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
        { ...base, choices: [], usage },
      ]);
      return;
    }
    json(res, 200, { ...completion('Many words.'), usage });
  });
  gw = await startTestGateway({
    models: [model(up.baseUrl)],
    default_tier: 'unlimited',
    usage: { flush_interval_ms: 20 },
  });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});
beforeEach(() => {
  up.requests.length = 0;
});

const client = (apiKey: string) => new OpenAI({ baseURL: gw.baseURL, apiKey, maxRetries: 0 });

/** The prompt tokens the gateway reserves for MESSAGES (its own count, the reservation's input). */
function reservedPromptTokens(): number {
  const m = parseConfig({ models: [model(up.baseUrl)] }).models.find((x) => x.name === 'bounded')!;
  return validateInference('chat.completions', { model: 'bounded', messages: MESSAGES }, (n) => (n === 'bounded' ? m : undefined)).promptTokens;
}

/** Worst case in pico-dollars: the prompt estimate and the 300-token bound at $1/$2 per 1M. */
const worstCasePico = () => BigInt(reservedPromptTokens()) * 1_000_000n + 300n * 2_000_000n;

async function limitedTenant(name: string) {
  const t = await gw.newTenant(name);
  // $0.001 = 1,000 µ$: the worst case (~610 µ$) fits, 10× the bound (6,000 µ$) does not.
  expect((await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: 0.001 })).status).toBe(200);
  return t;
}

async function ledger(orgId: string) {
  await gw.gateway.services.ledger.flush();
  await gw.gateway.services.settlements.idle();
  return billingDb(gw.gateway.services.store)
    .selectFrom('usage_events')
    .select(['prompt_tokens', 'completion_tokens', 'status_code', moneyText('cost_pico').as('cost')])
    .where('org_id', '=', orgId)
    .execute();
}

async function spentPico(orgId: string): Promise<bigint> {
  const b = await gw.admin('GET', `/admin/v1/organizations/${orgId}/billing`);
  return BigInt(Math.round(b.body.spent_usd * 1e12));
}

/**
 * The request is in the ledger with the reported tokens (`recorded`) but the reserved worst case
 * as its cost, and the spend counter holds exactly that, within the $0.001 hard limit.
 */
async function expectChargedWorstCase(orgId: string, recorded: Record<string, number>) {
  const rows = await ledger(orgId);
  expect(rows[0]).toMatchObject(recorded);
  expect(BigInt(rows[0]!.cost)).toBe(worstCasePico());
  const spent = await spentPico(orgId);
  expect(spent).toBe(worstCasePico());
  expect(spent).toBeLessThanOrEqual(1_000_000_000n);
  return rows;
}

describe('the output bound goes upstream', () => {
  it('a chat request without max_tokens arrives upstream with the reserved bound', async () => {
    report = () => ({ prompt_tokens: 5, completion_tokens: 3 });
    const t = await gw.newTenant('bound-forward');
    await client(t.apiKey).chat.completions.create({ model: 'bounded', messages: MESSAGES });
    expect(up.requests[0]!.body.max_tokens).toBe(300);
    expect(up.requests[0]!.body.max_completion_tokens).toBeUndefined();
  });

  it('a cap the client sent is forwarded as sent, in its own field', async () => {
    report = () => ({ prompt_tokens: 5, completion_tokens: 3 });
    const t = await gw.newTenant('bound-keep');
    await client(t.apiKey).chat.completions.create({ model: 'bounded', messages: MESSAGES, max_completion_tokens: 50 });
    expect(up.requests[0]!.body.max_completion_tokens).toBe(50);
    expect(up.requests[0]!.body.max_tokens).toBeUndefined();
  });

  it('a streamed request without max_tokens carries the bound too', async () => {
    report = () => ({ prompt_tokens: 5, completion_tokens: 3 });
    const t = await gw.newTenant('bound-stream');
    const s = await client(t.apiKey).chat.completions.create({ model: 'bounded', messages: MESSAGES, stream: true });
    for await (const _ of s) void _;
    expect(up.requests[0]!.body.max_tokens).toBe(300);
  });
});

describe('an upstream that reports more than it was allowed is charged the reserved worst case', () => {
  it('10× the allowed completion tokens under a hard limit: spend = the worst case ≤ the limit', async () => {
    report = () => ({ prompt_tokens: 5, completion_tokens: 3000 }); // 10× the 300-token bound
    const t = await limitedTenant('overrun-completion');
    const r = await client(t.apiKey).chat.completions.create({ model: 'bounded', messages: MESSAGES });
    expect(r.usage!.completion_tokens).toBe(3000);
    // The reported tokens are kept; the cost is capped at the reservation.
    const rows = await expectChargedWorstCase(t.orgId, { prompt_tokens: 5, completion_tokens: 3000, status_code: 200 });
    expect(rows).toHaveLength(1);
  });

  it('prompt tokens reported far above the estimate: charged the worst case as well', async () => {
    report = () => ({ prompt_tokens: 5000, completion_tokens: 10 });
    const t = await limitedTenant('overrun-prompt');
    await client(t.apiKey).chat.completions.create({ model: 'bounded', messages: MESSAGES });
    const rows = await ledger(t.orgId);
    expect(rows[0]).toMatchObject({ prompt_tokens: 5000, completion_tokens: 10 });
    expect(BigInt(rows[0]!.cost)).toBe(worstCasePico());
    expect(await spentPico(t.orgId)).toBe(worstCasePico());
  });

  it('streamed: 10× the bound in the usage chunk is charged the worst case', async () => {
    report = () => ({ prompt_tokens: 5, completion_tokens: 3000 }); // 10× the 300-token bound
    const t = await limitedTenant('overrun-stream');
    const s = await client(t.apiKey).chat.completions.create({ model: 'bounded', messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of s) usage = c.usage ?? usage;
    expect(usage?.completion_tokens).toBe(3000);
    await expectChargedWorstCase(t.orgId, { prompt_tokens: 5, completion_tokens: 3000 });
  });

  it('usage within the reservation is charged exactly; overruns are counted per model', async () => {
    report = () => ({ prompt_tokens: 7, completion_tokens: 20 });
    const t = await limitedTenant('within');
    await client(t.apiKey).chat.completions.create({ model: 'bounded', messages: MESSAGES });
    const rows = await ledger(t.orgId);
    expect(BigInt(rows[0]!.cost)).toBe(7n * 1_000_000n + 20n * 2_000_000n);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('tollgate_usage_overrun_total{model="bounded"} 3');
  });
});

/**
 * Usage and costs grouped by project match the usage ledger bucket by bucket (issue 13's
 * done-when): requests on keys of three projects of one organization (its Default project's user
 * key and two service accounts' keys), chat and embeddings, a refused request, and another
 * organization's traffic; then the official SDK's admin client reads
 * `usage.completions` / `usage.embeddings` with `group_by: ['project_id']` at 1m, 1h and 1d, page
 * by page (`page`/`next_page`), and `usage.costs` grouped by project, and each bucket is compared
 * with what the ledger's own rows add up to. The `project_ids` filter keeps one project's usage.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdToPico } from '../../src/billing/pricing.js';
import { billingDb } from '../../src/store/billing-tables.js';
import { rejection, startOrgHarness, type OrgHarness } from './harness.js';

let h: OrgHarness;
/** Project of each key of organization a, as set up here. */
const projectOfKey = new Map<string, string>();
let projects: { def: string; red: string; blue: string };
const now = Math.floor(Date.now() / 1000);

interface LedgerRow {
  request_id: string;
  project_id: string | null;
  key_id: string;
  model: string;
  prompt_tokens: number | string;
  completion_tokens: number | string;
  cost_pico: number | string | bigint;
  status_code: number;
  created_at: number | string;
}

/** Organization a's ledger rows that count as model requests (answered, or consumed tokens). */
async function ledger(): Promise<LedgerRow[]> {
  await h.gw.gateway.services.ledger.flush();
  const rows = (await billingDb(h.gw.gateway.services.store).selectFrom('usage_events').selectAll().where('org_id', '=', h.a.orgId).execute()) as LedgerRow[];
  return rows.filter((r) => r.status_code < 400 || Number(r.prompt_tokens) > 0 || Number(r.completion_tokens) > 0);
}

type Totals = { input: number; output: number; n: number };

/** The ledger's totals per `bucket start (s)|project`, for rows passing `keep`. */
function expectedUsage(rows: LedgerRow[], widthS: number, keep: (r: LedgerRow) => boolean): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const r of rows.filter(keep)) {
    const k = `${Math.floor(Number(r.created_at) / 1000 / widthS) * widthS}|${r.project_id}`;
    const t = out.get(k) ?? { input: 0, output: 0, n: 0 };
    out.set(k, { input: t.input + Number(r.prompt_tokens), output: t.output + Number(r.completion_tokens), n: t.n + 1 });
  }
  return out;
}

interface Bucket {
  start_time: number;
  end_time: number;
  results: any[];
}
interface Page {
  data: Bucket[];
  has_more: boolean;
  next_page: string | null;
}

/** Every page of a report, following `next_page`; checks the pages join without gap or overlap. */
async function allPages(get: (page: string | undefined) => Promise<Page>): Promise<{ buckets: Bucket[]; pages: number }> {
  const buckets: Bucket[] = [];
  let page: string | undefined;
  let pages = 0;
  for (;;) {
    const p = await get(page);
    pages++;
    if (buckets.length > 0 && p.data.length > 0) expect(p.data[0]!.start_time).toBe(buckets.at(-1)!.end_time);
    buckets.push(...p.data);
    if (!p.has_more) {
      expect(p.next_page).toBeNull();
      return { buckets, pages };
    }
    page = p.next_page!;
  }
}

function gotUsage(buckets: Bucket[]): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const b of buckets) for (const r of b.results) out.set(`${b.start_time}|${r.project_id}`, { input: r.input_tokens, output: r.output_tokens ?? 0, n: r.num_model_requests });
  return out;
}

const chat = (c: OpenAI, model: string, text: string) => c.chat.completions.create({ model, messages: [{ role: 'user', content: text }], max_tokens: 12 });

beforeAll(async () => {
  h = await startOrgHarness();
  const { org } = h.a;
  const def = (await org.projects.list()).data.find((p) => p.name === 'Default project')!.id;
  const red = (await org.projects.create({ name: 'red' })).id;
  const blue = (await org.projects.create({ name: 'blue' })).id;
  projects = { def, red, blue };
  projectOfKey.set(h.a.keyId, def);
  /** A service account of project `p` and an inference client with its key. */
  const bot = async (p: string): Promise<OpenAI> => {
    const sa = await org.projects.serviceAccounts.create(p, { name: `bot-${p}` });
    projectOfKey.set(sa.api_key!.id, p);
    return new OpenAI({ apiKey: sa.api_key!.value, baseURL: h.gw.baseURL, maxRetries: 0 });
  };
  const redBot = await bot(red);
  const blueBot = await bot(blue);
  // Different amounts per project, so that a mix-up between projects shows.
  await chat(h.a.inference, 'sim-small', 'default one');
  for (let i = 0; i < 3; i++) await chat(redBot, i % 2 ? 'sim-large' : 'sim-small', `red ${i} ${'word '.repeat(i * 5)}`);
  for (let i = 0; i < 2; i++) await chat(blueBot, 'sim-large', `blue ${i} ${'more words '.repeat(8)}`);
  await redBot.embeddings.create({ model: 'sim-embed', input: ['red one', 'red two'] });
  await h.a.inference.embeddings.create({ model: 'sim-embed', input: 'default' });
  // Refused before a model: in the ledger, not a model request.
  await rejection(chat(blueBot, 'no-such-model', 'x'));
  await chat(h.b.inference, 'sim-small', 'another organization');
});
afterAll(() => h?.close());

describe('usage and costs grouped by project', () => {
  it("the ledger records each request's project: its key's", async () => {
    await h.gw.gateway.services.ledger.flush();
    const all = await billingDb(h.gw.gateway.services.store).selectFrom('usage_events').select(['key_id', 'project_id', 'status_code']).where('org_id', '=', h.a.orgId).execute();
    expect(all).toHaveLength(9);
    for (const r of all) expect(r.project_id).toBe(projectOfKey.get(r.key_id));
    expect(all.filter((r) => r.status_code === 404)).toHaveLength(1);
  });

  it.each([
    ['1m', 60, 7, 20 * 60],
    ['1h', 3600, 2, 5 * 3600],
    ['1d', 86_400, 2, 4 * 86_400],
  ] as const)('completions at %s, page by page, match the ledger bucket by bucket', async (width, widthS, limit, back) => {
    const rows = await ledger();
    const { buckets, pages } = await allPages((page) => h.a.org.usage.completions({ start_time: now - back, bucket_width: width, group_by: ['project_id'], limit, ...(page ? { page } : {}) }) as Promise<Page>);
    expect(pages).toBeGreaterThan(1);
    for (const b of buckets) expect(b.end_time - b.start_time).toBe(widthS);
    const expected = expectedUsage(rows, widthS, (r) => r.model !== 'sim-embed');
    expect(gotUsage(buckets)).toEqual(expected);
    expect(new Set([...expected.keys()].map((k) => k.split('|')[1]))).toEqual(new Set([projects.def, projects.red, projects.blue]));
  });

  it.each([
    ['1m', 60],
    ['1h', 3600],
    ['1d', 86_400],
  ] as const)('embeddings at %s match the ledger bucket by bucket', async (width, widthS) => {
    const rows = await ledger();
    const { buckets } = await allPages((page) => h.a.org.usage.embeddings({ start_time: now - 2 * widthS, bucket_width: width, group_by: ['project_id'], ...(page ? { page } : {}) }) as Promise<Page>);
    const expected = expectedUsage(rows, widthS, (r) => r.model === 'sim-embed');
    expect(gotUsage(buckets)).toEqual(expected);
    expect(expected.size).toBeGreaterThan(0);
  });

  it('costs by project, day by day and page by page, are the ledger amounts to the pico-dollar', async () => {
    const rows = await ledger();
    const { buckets, pages } = await allPages((page) => h.a.org.usage.costs({ start_time: now - 4 * 86_400, group_by: ['project_id'], limit: 2, ...(page ? { page } : {}) }) as Promise<Page>);
    expect(pages).toBe(3);
    const expected = new Map<string, bigint>();
    for (const r of rows) {
      const k = `${Math.floor(Number(r.created_at) / 86_400_000) * 86_400}|${r.project_id}`;
      expected.set(k, (expected.get(k) ?? 0n) + BigInt(r.cost_pico));
    }
    const got = new Map<string, bigint>();
    for (const b of buckets) for (const r of b.results) got.set(`${b.start_time}|${r.project_id}`, usdToPico(r.amount.exact_value));
    expect(got).toEqual(expected);
    expect([...got.values()].every((v) => v > 0n)).toBe(true);
  });

  it('project_ids keeps the named projects only, in usage and costs', async () => {
    const rows = await ledger();
    const u = await h.a.org.usage.completions({ start_time: now - 3600, bucket_width: '1h', group_by: ['project_id', 'model'], project_ids: [projects.red] });
    const results = u.data.flatMap((b) => b.results as any[]);
    expect(new Set(results.map((r) => r.project_id))).toEqual(new Set([projects.red]));
    const redChat = rows.filter((r) => r.project_id === projects.red && r.model !== 'sim-embed');
    expect(results.reduce((s, r) => s + r.num_model_requests, 0)).toBe(redChat.length);
    expect(new Set(results.map((r) => r.model))).toEqual(new Set(redChat.map((r) => r.model)));

    const c = await h.a.org.usage.costs({ start_time: now - 86_400, project_ids: [projects.blue, projects.def] });
    const total = c.data.flatMap((b) => b.results as any[]).reduce((s, r) => s + usdToPico(r.amount.exact_value), 0n);
    expect(total).toBe(rows.filter((r) => r.project_id === projects.blue || r.project_id === projects.def).reduce((s, r) => s + BigInt(r.cost_pico), 0n));

    // Another organization naming these projects sees nothing of them.
    const other = await h.b.org.usage.completions({ start_time: now - 3600, bucket_width: '1h', project_ids: [projects.red] });
    expect(other.data.flatMap((b) => b.results)).toEqual([]);
  });
});

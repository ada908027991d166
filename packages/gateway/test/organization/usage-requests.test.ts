/**
 * Usage, costs and request lookup of the Administration API through the official SDK's admin
 * client, checked bucket by bucket against the usage ledger's own rows; one organization's admin
 * key never sees another's usage or requests. Each endpoint takes exactly the `group_by` values
 * and filters OpenAI documents for it, and words a malformed parameter as OpenAI does.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startOrgHarness, type OrgHarness } from './harness.js';

let h: OrgHarness;
let requestIds: string[];
const start = Math.floor(Date.now() / 1000) - 3600;

/** The ledger rows of an organization, as the database has them. */
async function ledger(orgId: string) {
  return h.gw.gateway.services.store.db
    .selectFrom('usage_events' as any)
    .selectAll()
    .where('org_id', '=', orgId)
    .execute() as Promise<{ request_id: string; key_id: string; model: string; prompt_tokens: number | string; completion_tokens: number | string; created_at: number | string; status_code: number }[]>;
}

beforeAll(async () => {
  h = await startOrgHarness();
  requestIds = [];
  for (let i = 0; i < 3; i++) {
    const { response } = await h.a.inference.chat.completions.create({ model: i === 2 ? 'sim-large' : 'sim-small', messages: [{ role: 'user', content: `hello ${i}` }], max_tokens: 8 }).withResponse();
    requestIds.push(response.headers.get('x-request-id')!);
  }
  await h.a.inference.embeddings.create({ model: 'sim-embed', input: ['one', 'two'] });
  await h.b.inference.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'other org' }], max_tokens: 8 });
  await h.gw.gateway.services.ledger.flush();
});
afterAll(() => h.close());

describe('usage and costs', () => {
  it('completions by model and key, minute buckets, match the ledger bucket by bucket', async () => {
    const rows = (await ledger(h.a.orgId)).filter((r) => r.model !== 'sim-embed');
    const page = await h.a.org.usage.completions({ start_time: start, bucket_width: '1m', group_by: ['model', 'api_key_id'], limit: 120 });
    expect(page.object).toBe('page');
    const expected = new Map<string, { input: number; output: number; n: number }>();
    for (const r of rows) {
      const k = `${Math.floor(Number(r.created_at) / 60_000) * 60}|${r.model}|${r.key_id}`;
      const e = expected.get(k) ?? { input: 0, output: 0, n: 0 };
      expected.set(k, { input: e.input + Number(r.prompt_tokens), output: e.output + Number(r.completion_tokens), n: e.n + 1 });
    }
    const got = new Map<string, { input: number; output: number; n: number }>();
    for (const b of page.data) for (const r of b.results as any[]) got.set(`${b.start_time}|${r.model}|${r.api_key_id}`, { input: r.input_tokens, output: r.output_tokens, n: r.num_model_requests });
    expect(got).toEqual(expected);
    expect([...got.values()].reduce((s, x) => s + x.n, 0)).toBe(3);
  });

  it('embeddings count only embedding models; paging by page/next_page', async () => {
    const e = await h.a.org.usage.embeddings({ start_time: start, bucket_width: '1h', group_by: ['model'] });
    const results = e.data.flatMap((b) => b.results as any[]);
    expect(results.map((r) => r.model)).toEqual(['sim-embed']);
    expect(results[0]!.num_model_requests).toBe(1);
    expect(results[0]!.object).toBe('organization.usage.embeddings.result');
    const none = await h.a.org.usage.embeddings({ start_time: start, models: ['sim-small'] });
    expect(none.data.flatMap((b) => b.results)).toEqual([]);

    const p1 = await h.a.org.usage.completions({ start_time: start, bucket_width: '1m', limit: 30 });
    expect(p1.has_more).toBe(true);
    expect(p1.data).toHaveLength(30);
    const p2 = await h.a.org.usage.completions({ start_time: start, bucket_width: '1m', limit: 30, page: p1.next_page! });
    expect(p2.data[0]!.start_time).toBe(p1.data[29]!.end_time);
  });

  it('costs: daily, by line item, sum to the ledger', async () => {
    const c = await h.a.org.usage.costs({ start_time: start, group_by: ['line_item'] });
    const lines = c.data.flatMap((b) => b.results as any[]);
    expect(new Set(lines.map((r) => r.line_item))).toEqual(new Set(['sim-small', 'sim-large', 'sim-embed']));
    for (const r of lines) expect(r.amount!.currency).toBe('usd');
    // Hourly and per-minute buckets too (the console's Usage page over a day or an hour): the
    // same money, split finer. OpenAI's own API serves 1d only; an unknown width is still refused.
    const pico = (usd: string) => {
      const [whole, frac = ''] = usd.split('.');
      return BigInt(whole!) * 10n ** 12n + BigInt(frac.padEnd(12, '0'));
    };
    const exactTotal = (page: typeof c) => page.data.flatMap((b) => b.results as any[]).reduce((s, r) => s + pico(r.amount.exact_value), 0n);
    const daily = await h.a.org.usage.costs({ start_time: start, limit: 31 });
    for (const width of ['1h', '1m'] as const) {
      const fine = await h.a.org.usage.costs({ start_time: start, bucket_width: width as '1d', limit: width === '1h' ? 168 : 1440 });
      expect(fine.data[1]!.start_time - fine.data[0]!.start_time).toBe(width === '1h' ? 3600 : 60);
      expect(exactTotal(fine)).toBe(exactTotal(daily));
      expect(exactTotal(fine)).toBeGreaterThan(0n);
    }
    const bad = await rejection(h.a.org.usage.costs({ start_time: start, bucket_width: '1w' as '1d' }));
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad.error.param).toBe('bucket_width');
    const missing = await rejection(h.a.org.usage.completions({} as any));
    expect(missing.error.param).toBe('start_time');
  });

  it('completions group by every value OpenAI documents: batch false and service_tier "default" when grouped by them, null when not', async () => {
    const grouped = await h.a.org.usage.completions({ start_time: start, bucket_width: '1h', group_by: ['project_id', 'user_id', 'api_key_id', 'model', 'batch', 'service_tier'] });
    const results = grouped.data.flatMap((b) => b.results as any[]);
    expect(new Set(results.map((r) => r.model))).toEqual(new Set(['sim-small', 'sim-large']));
    for (const r of results) expect(r).toMatchObject({ object: 'organization.usage.completions.result', user_id: h.a.userId, api_key_id: h.a.keyId, batch: false, service_tier: 'default' });
    expect(results.reduce((n, r) => n + r.num_model_requests, 0)).toBe(3);

    // Grouped by service tier alone: one group (Tollgate serves every request at standard processing).
    const byTier = (await h.a.org.usage.completions({ start_time: start, bucket_width: '1h', group_by: ['service_tier'] })).data.flatMap((b) => b.results as any[]);
    expect(byTier.length).toBeGreaterThan(0);
    for (const r of byTier) expect([r.service_tier, r.batch, r.model, r.project_id]).toEqual(['default', null, null, null]);
    expect(byTier.reduce((n, r) => n + r.num_model_requests, 0)).toBe(3);

    const plain = (await h.a.org.usage.completions({ start_time: start, bucket_width: '1h' })).data.flatMap((b) => b.results as any[]);
    expect(plain.length).toBeGreaterThan(0);
    for (const r of plain) expect([r.batch, r.service_tier]).toEqual([null, null]);
  });

  it('the batch filter: true reports no usage (Tollgate has no Batch API), false all of it', async () => {
    const requests = (p: { data: { results: unknown[] }[] }) => p.data.flatMap((b) => b.results as any[]).reduce((n, r) => n + r.num_model_requests, 0);
    expect(requests(await h.a.org.usage.completions({ start_time: start, batch: true }))).toBe(0);
    expect(requests(await h.a.org.usage.completions({ start_time: start, batch: true, group_by: ['batch'] }))).toBe(0);
    expect(requests(await h.a.org.usage.completions({ start_time: start, batch: false }))).toBe(3);
    const bad = await rejection(h.a.org.usage.completions({ start_time: start, batch: 'yes' as unknown as boolean }));
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad.error).toMatchObject({ message: "Invalid value: 'yes'. Supported values are: 'true', 'false'.", param: 'batch' });
  });

  it('refuses a group_by value OpenAI does not document for the endpoint, listing the ones it does', async () => {
    const completions = "'project_id', 'user_id', 'api_key_id', 'model', 'batch', and 'service_tier'";
    const embeddings = "'project_id', 'user_id', 'api_key_id', and 'model'";
    const costs = "'project_id', 'line_item', and 'api_key_id'";
    const cases: [Promise<unknown>, string, string][] = [
      [h.a.org.usage.completions({ start_time: start, group_by: ['line_item' as 'model'] }), 'line_item', completions],
      [h.a.org.usage.embeddings({ start_time: start, group_by: ['batch' as 'model'] }), 'batch', embeddings],
      [h.a.org.usage.embeddings({ start_time: start, group_by: ['model', 'service_tier' as 'model'] }), 'service_tier', embeddings],
      // The Costs API groups by project, line item and key only: not by model (its line item) nor by user.
      [h.a.org.usage.costs({ start_time: start, group_by: ['model' as 'line_item'] }), 'model', costs],
      [h.a.org.usage.costs({ start_time: start, group_by: ['project_id', 'user_id' as 'line_item'] }), 'user_id', costs],
    ];
    for (const [p, value, supported] of cases) {
      const e = await rejection(p);
      expect(e, value).toBeInstanceOf(OpenAI.BadRequestError);
      expect(e.error, value).toEqual({ message: `Invalid value: '${value}'. Supported values are: ${supported}.`, type: 'invalid_request_error', param: 'group_by', code: 'invalid_value' });
    }
    // What it documents, it takes: costs by project, line item and key.
    const c = await h.a.org.usage.costs({ start_time: start, group_by: ['project_id', 'line_item', 'api_key_id'] });
    const lines = c.data.flatMap((b) => b.results as any[]);
    expect(new Set(lines.map((r) => r.line_item))).toEqual(new Set(['sim-small', 'sim-large', 'sim-embed']));
    for (const r of lines) expect(r).toMatchObject({ project_id: expect.any(String), api_key_id: h.a.keyId });
  });

  it("words a parameter that is not an integer as OpenAI does: 'expected an integer, but got a string instead.'", async () => {
    const cases: [Promise<unknown>, string][] = [
      [h.a.org.usage.completions({ start_time: 'abc' as unknown as number }), 'start_time'],
      [h.a.org.usage.embeddings({ start_time: start, end_time: 'soon' as unknown as number }), 'end_time'],
      [h.a.org.usage.costs({ start_time: start, limit: 'ten' as unknown as number }), 'limit'],
    ];
    for (const [p, param] of cases) {
      const e = await rejection(p);
      expect(e, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(e.error, param).toEqual({ message: `Invalid type for '${param}': expected an integer, but got a string instead.`, type: 'invalid_request_error', param, code: 'invalid_type' });
    }
  });

  it("another organization's usage is not counted", async () => {
    const b = await h.b.org.usage.completions({ start_time: start, bucket_width: '1d' });
    expect(b.data.flatMap((x) => x.results as any[]).reduce((s, r) => s + r.num_model_requests, 0)).toBe(1);
    const keys = await h.b.org.usage.completions({ start_time: start, api_key_ids: [h.a.keyId], group_by: ['api_key_id'] });
    expect(keys.data.flatMap((x) => x.results)).toEqual([]);
  });
});

describe('usage endpoints of traffic Tollgate does not serve', () => {
  type Usage = OpenAI['admin']['organization']['usage'];
  type Page = { object: string; data: { object: string; start_time: number; end_time: number; results: unknown[] }[]; has_more: boolean; next_page: string | null };
  const call = (name: string, q: Record<string, unknown>) => (h.a.org.usage as unknown as Record<string, (q: unknown) => Promise<Page>>)[name]!(q);
  // SDK method, path, and the group_by values OpenAI documents for the endpoint.
  const perRequest = "'project_id', 'user_id', 'api_key_id', and 'model'";
  const endpoints: [keyof Usage, string][] = [
    ['moderations', perRequest],
    ['images', "'project_id', 'user_id', 'api_key_id', 'model', 'size', and 'source'"],
    ['audioSpeeches', perRequest],
    ['audioTranscriptions', perRequest],
    ['vectorStores', "'project_id'"],
    ['codeInterpreterSessions', "'project_id'"],
  ];

  it.each(endpoints)('%s: the same buckets and paging as completions, every bucket empty', async (name) => {
    for (const q of [
      { start_time: start, bucket_width: '1m', limit: 30 },
      { start_time: start - 86_400 * 3, end_time: start + 3600, bucket_width: '1d' },
      { start_time: start, end_time: start + 7200, bucket_width: '1h', group_by: ['project_id'] },
    ]) {
      const page = await call(name, q);
      const served = await h.a.org.usage.completions(q as OpenAI.Admin.Organization.UsageCompletionsParams);
      expect(page).toEqual({ ...served, data: served.data.map((b) => ({ ...b, results: [] })) });
      expect(page.data.length).toBeGreaterThan(0);
    }
    const p1 = await call(name, { start_time: start, bucket_width: '1m', limit: 30 });
    expect(p1).toMatchObject({ object: 'page', has_more: true });
    expect(p1.data).toHaveLength(30);
    const p2 = await call(name, { start_time: start, bucket_width: '1m', limit: 30, page: p1.next_page });
    expect(p2.data[0]!.start_time).toBe(p1.data[29]!.end_time);
    expect(p2).toEqual(await h.a.org.usage.completions({ start_time: start, bucket_width: '1m', limit: 30, page: p1.next_page! }).then((c) => ({ ...c, data: c.data.map((b) => ({ ...b, results: [] })) })));
  });

  it.each(endpoints)("%s: OpenAI's errors, as for the served endpoints", async (name, supported) => {
    const e = async (q: Record<string, unknown>) => (await rejection(call(name, q))).error;
    expect(await e({})).toMatchObject({ param: 'start_time', type: 'invalid_request_error' });
    expect(await e({ start_time: 'abc' })).toEqual({ message: "Invalid type for 'start_time': expected an integer, but got a string instead.", type: 'invalid_request_error', param: 'start_time', code: 'invalid_type' });
    expect(await e({ start_time: start, bucket_width: '1w' })).toMatchObject({ param: 'bucket_width', code: 'invalid_value' });
    expect(await e({ start_time: start, group_by: ['batch'] })).toEqual({ message: `Invalid value: 'batch'. Supported values are: ${supported}.`, type: 'invalid_request_error', param: 'group_by', code: 'invalid_value' });
    const served = async (q: Record<string, unknown>) => (await rejection(h.a.org.usage.completions(q as never))).error;
    for (const q of [{ start_time: start, bucket_width: '1d', limit: 32 }, { start_time: start, bucket_width: '1h', limit: 169 }, { start_time: start, end_time: start }, { start_time: start, page: 'page_nope' }]) {
      expect(await e(q), JSON.stringify(q)).toEqual(await served(q));
    }
    expect((await call(name, { start_time: start, bucket_width: '1m', limit: 1440 })).data.length).toBeGreaterThan(0);
  });

  it("images: the sources and sizes filters take the values OpenAI documents; another org's admin key sees its own empty buckets", async () => {
    const ok = await h.a.org.usage.images({ start_time: start, sources: ['image.generation', 'image.edit'], sizes: ['1024x1024'], group_by: ['size', 'source'] });
    expect(ok.data.flatMap((b) => b.results)).toEqual([]);
    const source = (await rejection(h.a.org.usage.images({ start_time: start, sources: ['image.upscale' as 'image.edit'] }))).error;
    expect(source).toEqual({ message: "Invalid value: 'image.upscale'. Supported values are: 'image.generation', 'image.edit', and 'image.variation'.", type: 'invalid_request_error', param: 'sources', code: 'invalid_value' });
    const size = (await rejection(h.a.org.usage.images({ start_time: start, sizes: ['2048x2048' as '256x256'] }))).error;
    expect(size).toMatchObject({ param: 'sizes', code: 'invalid_value' });
    expect((await h.b.org.usage.moderations({ start_time: start })).data.flatMap((b) => b.results)).toEqual([]);
  });
});

describe('request lookup', () => {
  it("returns the ledger's record of a request of this organization, 404 for another's", async () => {
    const get = (t: typeof h.a, id: string) => fetch(`${h.gw.baseURL}/organization/requests/${id}`, { headers: { authorization: `Bearer ${t.adminKey}` } });
    const r = await get(h.a, requestIds[2]!);
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toMatchObject({ object: 'organization.request', id: requestIds[2], api_key_id: h.a.keyId, user_id: h.a.userId, model: 'sim-large', endpoint: expect.stringContaining('chat'), status_code: 200, error: null, cost: { currency: 'usd' } });
    expect(body.usage.input_tokens).toBeGreaterThan(0);
    const other = await get(h.b, requestIds[2]!);
    expect(other.status).toBe(404);
    expect((await other.json()).error.message).toBe(`No such request: ${requestIds[2]}.`);
  });
});

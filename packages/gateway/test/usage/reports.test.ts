import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUsd } from '../../src/billing/pricing.js';
import type { UsageEvent } from '../../src/usage/event.js';
import { writeUsageBatch } from '../../src/usage/ledger-writer.js';
import { startBillingServer, type BillingServer } from '../billing/harness.js';
import { DIALECTS, event } from './db.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10); // a Saturday; nothing depends on it
type Group = 'model' | 'project_id' | 'api_key_id' | 'user_id';

/** Every subset of the group fields but project_id, and project_id alone, with a model and with all. */
const SUBSETS: Group[][] = [
  [], ['model'], ['api_key_id'], ['user_id'], ['model', 'api_key_id'], ['model', 'user_id'], ['api_key_id', 'user_id'], ['model', 'api_key_id', 'user_id'],
  ['project_id'], ['model', 'project_id'], ['model', 'project_id', 'api_key_id', 'user_id'],
];

/** A deterministic spread: dense minutes in the first hours, sparse hours over three days. */
function seed(orgId: string): UsageEvent[] {
  const out: UsageEvent[] = [];
  // mulberry32: small, seeded, and without the correlated low bits of a plain LCG.
  let a = 12345;
  const rnd = (n: number) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  for (let i = 0; i < 400; i++) {
    const at = i < 250 ? T0 + 2 * HOUR + rnd(3 * HOUR) : T0 + rnd(3 * DAY);
    const key = ['key_a', 'key_b'][rnd(2)]!;
    const prompt = rnd(2000);
    out.push(
      event({
        org_id: orgId,
        model: ['sim-small', 'sim-large', 'sim-embed'][rnd(3)]!,
        key_id: key,
        user_id: ['user_x', 'user_y', 'user_z'][rnd(3)]!,
        // A key never changes project (the daily rollups rely on it); the edge events below are proj_a's.
        project_id: key === 'key_a' ? 'proj_a' : 'proj_b',
        prompt_tokens: prompt,
        // The upstream's cached part of the prompt: none for about a third of the requests.
        cached_tokens: rnd(3) === 0 ? 0 : rnd(prompt + 1),
        completion_tokens: rnd(500),
        cost_pico: BigInt(rnd(100_000)) * 1_000_007n,
        created_at: at,
      }),
    );
  }
  // Bucket edges: the first and last millisecond of a day.
  out.push(event({ org_id: orgId, created_at: T0 + DAY, cost_pico: 1n }), event({ org_id: orgId, created_at: T0 + DAY - 1, cost_pico: 2n }));
  return out;
}

interface Expected {
  input: number;
  cached: number;
  output: number;
  requests: number;
  cost: bigint;
  model: string | null;
  project_id: string | null;
  api_key_id: string | null;
  user_id: string | null;
}

/** What each bucket must hold, computed here from the events alone. */
function expected(events: UsageEvent[], bucketStart: number, width: number, groups: readonly Group[]): Expected[] {
  const m = new Map<string, Expected>();
  for (const e of events) {
    if (e.created_at < bucketStart || e.created_at >= bucketStart + width) continue;
    const g = {
      model: groups.includes('model') ? e.model : null,
      project_id: groups.includes('project_id') ? e.project_id : null,
      api_key_id: groups.includes('api_key_id') ? e.key_id : null,
      user_id: groups.includes('user_id') ? e.user_id : null,
    };
    const k = JSON.stringify(g);
    const acc = m.get(k) ?? { ...g, input: 0, cached: 0, output: 0, requests: 0, cost: 0n };
    acc.input += e.prompt_tokens;
    acc.cached += e.cached_tokens;
    acc.output += e.completion_tokens;
    acc.requests++;
    acc.cost += e.cost_pico;
    m.set(k, acc);
  }
  const key = (r: Expected) => [r.model ?? '', r.project_id ?? '', r.api_key_id ?? '', r.user_id ?? ''];
  return [...m.values()].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < 4; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  });
}

describe.each(DIALECTS)('usage and cost reports on %s', (dialect) => {
  let s: BillingServer;
  let org: string;
  let events: UsageEvent[];

  beforeAll(async () => {
    s = await startBillingServer(dialect, T0 + 5 * DAY);
    org = await s.newOrg();
    const other = await s.newOrg();
    events = seed(org);
    await writeUsageBatch(s.store, events);
    // Another organization's usage at the same times must never show up.
    await writeUsageBatch(s.store, seed(other));
  });
  afterAll(async () => {
    await s.close();
  });

  /** Follows next_page to the end; returns every bucket. */
  async function allBuckets(path: string, query: string) {
    const buckets: any[] = [];
    let page: string | null = null;
    for (let i = 0; i < 50; i++) {
      const r: { status: number; body: any } = await s.call('GET', `/admin/v1/organizations/${org}/${path}?${query}${page ? `&page=${encodeURIComponent(page)}` : ''}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.object).toBe('page');
      buckets.push(...r.body.data);
      if (!r.body.has_more) {
        expect(r.body.next_page).toBeNull();
        return buckets;
      }
      page = r.body.next_page;
    }
    throw new Error('too many pages');
  }

  const widths = [
    // A start that is not on a bucket boundary is rounded down to one.
    { width: '1m', ms: MIN, start: T0 + 2 * HOUR + 30_000, end: T0 + 5 * HOUR, limit: 60 },
    { width: '1h', ms: HOUR, start: T0 + 17 * MIN, end: T0 + 3 * DAY, limit: 24 },
    { width: '1d', ms: DAY, start: T0 + 5 * HOUR, end: T0 + 3 * DAY, limit: 7 },
  ] as const;

  for (const w of widths) {
    it(`usage with bucket_width=${w.width} matches the ledger bucket by bucket, for every group_by`, async () => {
      for (const groups of SUBSETS) {
        const q = `start_time=${w.start / 1000}&end_time=${w.end / 1000}&bucket_width=${w.width}&limit=${w.limit}${groups.length ? `&group_by=${groups.join(',')}` : ''}`;
        const buckets = await allBuckets('usage/completions', q);
        const first = Math.floor(w.start / w.ms) * w.ms;
        expect(buckets.length).toBe(Math.ceil((w.end - first) / w.ms));
        buckets.forEach((b, i) => {
          const start = first + i * w.ms;
          expect(b).toMatchObject({ object: 'bucket', start_time: start / 1000, end_time: (start + w.ms) / 1000 });
          const want = expected(events, start, w.ms, groups).map((r) => ({
            object: 'organization.usage.completions.result',
            input_tokens: r.input,
            output_tokens: r.output,
            input_cached_tokens: r.cached,
            input_audio_tokens: 0,
            output_audio_tokens: 0,
            num_model_requests: r.requests,
            project_id: r.project_id,
            user_id: r.user_id,
            api_key_id: r.api_key_id,
            model: r.model,
            batch: null,
            service_tier: null,
          }));
          expect(b.results, `${w.width} ${groups.join(',')} bucket ${i}`).toEqual(want);
        });
        // Nothing is lost between buckets: the whole range adds up.
        const inRange = events.filter((e) => e.created_at >= first && e.created_at < Math.ceil(w.end / w.ms) * w.ms);
        expect(buckets.flatMap((b) => b.results).reduce((n: number, r: any) => n + r.num_model_requests, 0)).toBe(inRange.length);
      }
    });

    it(`costs with bucket_width=${w.width} match the ledger bucket by bucket`, async () => {
      for (const groups of [[], ['line_item'], ['line_item', 'api_key_id'], ['api_key_id']] as string[][]) {
        const q = `start_time=${w.start / 1000}&end_time=${w.end / 1000}&bucket_width=${w.width}&limit=${w.limit}${groups.map((g) => `&group_by=${g}`).join('')}`;
        const buckets = await allBuckets('costs', q);
        const first = Math.floor(w.start / w.ms) * w.ms;
        const fields = groups.map((g) => (g === 'line_item' ? 'model' : g)) as Group[];
        buckets.forEach((b, i) => {
          const start = first + i * w.ms;
          const want = expected(events, start, w.ms, fields).map((r) => ({
            object: 'organization.costs.result',
            amount: { value: Number(formatUsd(r.cost)), currency: 'usd', exact_value: formatUsd(r.cost) },
            line_item: r.model,
            project_id: null,
            ...(fields.includes('api_key_id') ? { api_key_id: r.api_key_id } : {}),
          }));
          expect(b.results, `${w.width} ${groups.join(',')} bucket ${i}`).toEqual(want);
        });
      }
    });
  }

  it('pages by limit with an opaque cursor and a default page size', async () => {
    const start = T0 / 1000;
    const r1 = await s.call('GET', `/admin/v1/organizations/${org}/usage/completions?start_time=${start}&end_time=${start + 3 * 86400}&bucket_width=1h`);
    expect(r1.body.data).toHaveLength(24); // OpenAI's default for 1h
    expect(r1.body.has_more).toBe(true);
    expect(r1.body.next_page).toMatch(/^page_/);
    const r2 = await s.call('GET', `/admin/v1/organizations/${org}/usage/completions?start_time=${start}&end_time=${start + 3 * 86400}&bucket_width=1h&page=${r1.body.next_page}`);
    expect(r2.body.data[0].start_time).toBe(start + 24 * 3600);
    const d = await s.call('GET', `/admin/v1/organizations/${org}/usage/completions?start_time=${start}`);
    // 1d by default, up to now (the clock is 5 days after T0): 5 buckets, within the default 7.
    expect(d.body.data.map((b: any) => b.start_time)).toEqual([0, 1, 2, 3, 4].map((i) => start + i * 86400));
    expect(d.body.has_more).toBe(false);
  });

  it('filters by models, api_key_ids and user_ids', async () => {
    const q = `start_time=${T0 / 1000}&end_time=${(T0 + 3 * DAY) / 1000}&bucket_width=1d&models=sim-large&api_key_ids[]=key_b&user_ids=user_x,user_y`;
    const r = await s.call('GET', `/admin/v1/organizations/${org}/usage/completions?${q}`);
    const total = r.body.data.flatMap((b: any) => b.results).reduce((n: number, x: any) => n + x.num_model_requests, 0);
    const want = events.filter((e) => e.model === 'sim-large' && e.key_id === 'key_b' && (e.user_id === 'user_x' || e.user_id === 'user_y') && e.created_at < T0 + 3 * DAY).length;
    expect(want).toBeGreaterThan(0);
    expect(total).toBe(want);
  });

  it('answers malformed queries with OpenAI-shaped 400s, and unknown organizations with 404', async () => {
    const base = `/admin/v1/organizations/${org}/usage/completions`;
    const cases: [string, string, string | null][] = [
      ['', 'missing_required_parameter', 'start_time'],
      ['?start_time=abc', 'invalid_type', 'start_time'],
      [`?start_time=${T0 / 1000}&bucket_width=2h`, 'invalid_value', 'bucket_width'],
      [`?start_time=${T0 / 1000}&group_by=project`, 'invalid_value', 'group_by'],
      [`?start_time=${T0 / 1000}&limit=32`, 'integer_above_max_value', 'limit'],
      [`?start_time=${T0 / 1000}&limit=0`, 'integer_below_min_value', 'limit'],
      [`?start_time=${T0 / 1000}&end_time=${T0 / 1000}`, 'integer_below_min_value', 'end_time'],
      [`?start_time=${T0 / 1000}&page=bogus`, 'invalid_value', 'page'],
    ];
    for (const [q, code, param] of cases) {
      const r = await s.call('GET', base + q);
      expect(r.status, q).toBe(400);
      expect(r.body.error.param, q).toBe(param);
      expect(r.body.error.type).toBe('invalid_request_error');
      if (code !== 'invalid_type' && code !== 'missing_required_parameter') expect(r.body.error.code, q).toBe(code);
    }
    // The same words as every other admin query parameter (and OpenAI's): a query value is a string.
    const notInteger = await s.call('GET', `${base}?start_time=abc`);
    expect(notInteger.body.error.message).toBe("Invalid type for 'start_time': expected an integer, but got a string instead.");
    // The operator's reports take the group_by values of OpenAI's endpoints too: not costs by model or user.
    for (const g of ['model', 'user_id']) {
      const r = await s.call('GET', `/admin/v1/organizations/${org}/costs?start_time=${T0 / 1000}&group_by=${g}`);
      expect(r.status, g).toBe(400);
      expect(r.body.error).toMatchObject({ message: `Invalid value: '${g}'. Supported values are: 'project_id', 'line_item', and 'api_key_id'.`, param: 'group_by', code: 'invalid_value' });
    }
    const costsLimit = await s.call('GET', `/admin/v1/organizations/${org}/costs?start_time=${T0 / 1000}&limit=180`);
    expect(costsLimit.status).toBe(200); // the costs API allows 180 days
    const missing = await s.call('GET', `/admin/v1/organizations/org_nope/costs?start_time=${T0 / 1000}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('resource_not_found');
    const noKey = await s.call('GET', `${base}?start_time=${T0 / 1000}`, undefined, { key: null });
    expect(noKey.status).toBe(401);
  });
});

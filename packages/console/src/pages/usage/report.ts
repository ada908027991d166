/**
 * Reads the organization's Usage and Costs APIs (/v1/organization/usage/completions and
 * /usage/embeddings, which split the requests by model type as OpenAI's do, and
 * /v1/organization/costs: pages of time buckets with grouped results) for one period, following
 * `next_page`, and turns them into one series per group. Requests and tokens add both usage
 * reports up, so that embeddings count as the Costs API already counts them. The server buckets
 * and sums; the browser only lays the buckets out (groups.ts: names, totals, the CSV).
 */
import { api } from '../../lib/api';
import { picoToDecimal, toPico } from '../../lib/money';
import { ORG } from '../../lib/org-api';
import { NO_GROUP, type GroupBy, type Metric, type Report, type Width } from './groups';

const GROUPS: readonly GroupBy[] = ['none', 'project_id', 'model', 'api_key_id', 'user_id'];

/**
 * The groupings a metric can be shown by. Cost has no user: the Costs API groups by project, line
 * item (a model) and key only, as OpenAI's does, and refuses `group_by=user_id`.
 */
export function groupsFor(metric: Metric): readonly GroupBy[] {
  return metric === 'cost' ? GROUPS.filter((g) => g !== 'user_id') : GROUPS;
}

interface Result {
  amount?: { value: number; exact_value?: string };
  num_model_requests?: number;
  input_tokens?: number;
  output_tokens?: number;
  project_id?: string | null;
  model?: string | null;
  line_item?: string | null;
  api_key_id?: string | null;
  user_id?: string | null;
}

interface Page {
  data: { start_time: number; end_time: number; results: Result[] }[];
  has_more: boolean;
  next_page: string | null;
}

const MAX_BUCKETS: Record<Width, number> = { '1m': 1440, '1h': 168, '1d': 31 };

const groupOf = (r: Result, by: GroupBy): string => {
  if (by === 'none') return 'total';
  if (by === 'model') return r.model ?? r.line_item ?? NO_GROUP;
  return r[by] ?? NO_GROUP;
};

const valueOf = (r: Result, m: Metric): number =>
  m === 'cost' ? (r.amount?.value ?? 0) : m === 'requests' ? (r.num_model_requests ?? 0) : (r[m] ?? 0);

/** Every bucket of one report for the period, following `next_page`. */
async function allBuckets(path: string, params: URLSearchParams): Promise<Page['data']> {
  const buckets: Page['data'] = [];
  for (let page: string | null = null, first = true; first || page; first = false) {
    if (page) params.set('page', page);
    const p: Page = await api<Page>('GET', `${path}?${params.toString()}`);
    buckets.push(...p.data);
    page = p.has_more ? p.next_page : null;
  }
  return buckets;
}

export async function loadReport(q: { start: number; end: number; width: Width; groupBy: GroupBy; metric: Metric }): Promise<Report> {
  if (!groupsFor(q.metric).includes(q.groupBy)) throw new Error(`${q.metric} cannot be grouped by ${q.groupBy}`);
  const query = () => {
    const params = new URLSearchParams({ start_time: String(q.start), end_time: String(q.end), bucket_width: q.width, limit: String(MAX_BUCKETS[q.width]) });
    if (q.groupBy !== 'none') params.set('group_by', q.metric === 'cost' && q.groupBy === 'model' ? 'line_item' : q.groupBy);
    return params;
  };
  let buckets: Page['data'];
  if (q.metric === 'cost') buckets = await allBuckets(`${ORG}/costs`, query());
  else {
    // The same period, width and grouping: each bucket of one report has its twin in the other.
    const [completions, embeddings] = await Promise.all([allBuckets(`${ORG}/usage/completions`, query()), allBuckets(`${ORG}/usage/embeddings`, query())]);
    const embeddingsAt = new Map(embeddings.map((b) => [b.start_time, b.results]));
    buckets = completions.map((b) => ({ ...b, results: [...b.results, ...(embeddingsAt.get(b.start_time) ?? [])] }));
  }
  const times = buckets.map((b) => b.start_time);
  const series = new Map<string, number[]>();
  const exact = new Map<string, bigint[]>();
  buckets.forEach((b, i) => {
    for (const r of b.results) {
      const g = groupOf(r, q.groupBy);
      if (!series.has(g)) series.set(g, new Array<number>(times.length).fill(0));
      series.get(g)![i]! += valueOf(r, q.metric);
      if (q.metric === 'cost') {
        if (!exact.has(g)) exact.set(g, new Array<bigint>(times.length).fill(0n));
        exact.get(g)![i]! += toPico(r.amount?.exact_value ?? r.amount?.value ?? 0);
      }
    }
  });
  if (q.metric !== 'cost') return { times, series };
  // The chart's numbers from the exact sums: adding doubles bucket by bucket would drift.
  for (const [g, picos] of exact) series.set(g, picos.map((p) => Number(picoToDecimal(p))));
  return { times, series, exact };
}

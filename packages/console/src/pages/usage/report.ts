/**
 * Reads the organization's Usage and Costs APIs (/v1/organization/usage/completions and
 * /v1/organization/costs, OpenAI's shapes: pages of time buckets with grouped results) for one
 * period, following `next_page`, and turns them into one series per group. The server buckets
 * and sums; the browser only lays the buckets out.
 */
import { api } from '../../lib/api';
import { ORG } from '../../lib/org-api';

export type Width = '1m' | '1h' | '1d';
export type GroupBy = 'none' | 'project_id' | 'model' | 'api_key_id' | 'user_id';
export type Metric = 'cost' | 'requests' | 'input_tokens' | 'output_tokens';

interface Result {
  amount?: { value: number };
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

export interface Report {
  /** Bucket start times, Unix seconds. */
  times: number[];
  /** Group name → one value per bucket. */
  series: Map<string, number[]>;
}

const MAX_BUCKETS: Record<Width, number> = { '1m': 1440, '1h': 168, '1d': 31 };

const groupOf = (r: Result, by: GroupBy): string => {
  if (by === 'none') return 'total';
  if (by === 'model') return r.model ?? r.line_item ?? '—';
  return r[by] ?? '—';
};

const valueOf = (r: Result, m: Metric): number =>
  m === 'cost' ? (r.amount?.value ?? 0) : m === 'requests' ? (r.num_model_requests ?? 0) : (r[m] ?? 0);

export async function loadReport(q: { start: number; end: number; width: Width; groupBy: GroupBy; metric: Metric }): Promise<Report> {
  const path = q.metric === 'cost' ? `${ORG}/costs` : `${ORG}/usage/completions`;
  const params = new URLSearchParams({ start_time: String(q.start), end_time: String(q.end), bucket_width: q.width, limit: String(MAX_BUCKETS[q.width]) });
  if (q.groupBy !== 'none') params.set('group_by', q.metric === 'cost' && q.groupBy === 'model' ? 'line_item' : q.groupBy);
  const buckets: Page['data'] = [];
  for (let page: string | null = null, first = true; first || page; first = false) {
    if (page) params.set('page', page);
    const p: Page = await api<Page>('GET', `${path}?${params.toString()}`);
    buckets.push(...p.data);
    page = p.has_more ? p.next_page : null;
  }
  const times = buckets.map((b) => b.start_time);
  const series = new Map<string, number[]>();
  buckets.forEach((b, i) => {
    for (const r of b.results) {
      const g = groupOf(r, q.groupBy);
      if (!series.has(g)) series.set(g, new Array<number>(times.length).fill(0));
      series.get(g)![i]! += valueOf(r, q.metric);
    }
  });
  return { times, series };
}

/** The report as CSV: one row per bucket and group, times in UTC (ISO 8601). */
export function toCsv(r: Report, metric: Metric): string {
  const rows = ['bucket_start_utc,group,' + metric];
  r.times.forEach((t, i) => {
    for (const [g, values] of r.series) rows.push(`${new Date(t * 1000).toISOString()},${csvField(g)},${values[i]}`);
  });
  return rows.join('\n') + '\n';
}

const csvField = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

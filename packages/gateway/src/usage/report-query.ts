/**
 * Query parameters of the usage and costs reports, as OpenAI's organization Usage and Costs APIs
 * take them: `start_time` (unix seconds, required), `end_time` (exclusive, default now),
 * `bucket_width` (`1m`, `1h`, `1d`; default `1d`), `group_by` (repeated, `group_by[]=`, or
 * comma-separated), the filters `models`, `project_ids`, `api_key_ids`, `user_ids`, `limit` (buckets per page)
 * and `page` (the cursor from `next_page`).
 *
 * Buckets are whole UTC intervals of the width: `start_time` is rounded down to a bucket boundary
 * and every bucket that starts before `end_time` is returned with all of its usage.
 * @module
 */
import { ApiError } from '../errors/api-error.js';

export type BucketWidth = '1m' | '1h' | '1d';
export type GroupField = 'model' | 'project_id' | 'api_key_id' | 'user_id';
export type ReportKind = 'usage' | 'costs';

export const BUCKET_MS: Readonly<Record<BucketWidth, number>> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };

/** Buckets per page, default and maximum, as OpenAI documents them. */
const LIMITS: Record<ReportKind, Record<BucketWidth, { def: number; max: number }>> = {
  usage: { '1m': { def: 60, max: 1440 }, '1h': { def: 24, max: 168 }, '1d': { def: 7, max: 31 } },
  costs: { '1m': { def: 60, max: 1440 }, '1h': { def: 24, max: 168 }, '1d': { def: 7, max: 180 } },
};

/**
 * Accepted `group_by` values and the field each groups by; null = accepted for compatibility
 * with OpenAI clients but a no-op here (there are no batches: `batch` is null).
 */
const GROUPS: Record<ReportKind, Record<string, GroupField | null>> = {
  usage: { model: 'model', project_id: 'project_id', api_key_id: 'api_key_id', user_id: 'user_id', batch: null },
  // OpenAI's costs group by `line_item`; here a line item is a model. Grouping costs by user is a
  // Tollgate extension (the results then carry `user_id`).
  costs: { line_item: 'model', model: 'model', project_id: 'project_id', api_key_id: 'api_key_id', user_id: 'user_id' },
};

export interface ReportQuery {
  kind: ReportKind;
  width: BucketWidth;
  widthMs: number;
  /** First bucket of the whole range (aligned). */
  rangeStartMs: number;
  /** The query's end: buckets starting before it are in the range. */
  endMs: number;
  /** First bucket of this page (aligned; from `page` or the range start). */
  pageStartMs: number;
  limit: number;
  groupBy: ReadonlySet<GroupField>;
  models: readonly string[] | undefined;
  /** Models left out whatever `models` says (the Administration API's embeddings vs completions split). */
  excludeModels?: readonly string[];
  projectIds: readonly string[] | undefined;
  apiKeyIds: readonly string[] | undefined;
  userIds: readonly string[] | undefined;
}

/**
 * The Usage API's split, as OpenAI's: `completions` reports the requests to every model that is
 * not an embedding model, `embeddings` the requests to embedding models (an embeddings query that
 * names no embedding model reports empty buckets). `models`: the configured models.
 */
export function usageOfKind(q: ReportQuery, kind: 'completions' | 'embeddings', models: readonly { name: string; type: string }[]): ReportQuery {
  const embedding = models.filter((m) => m.type === 'embedding').map((m) => m.name);
  if (kind === 'completions') return { ...q, excludeModels: embedding };
  return { ...q, models: q.models ? q.models.filter((m) => embedding.includes(m)) : embedding };
}

export function parseReportQuery(rawQuery: string, kind: ReportKind, nowMs: number): ReportQuery {
  const q = new URLSearchParams(rawQuery);
  const start = unixSeconds(q, 'start_time');
  if (start === undefined) throw new ApiError('missing_required_parameter', { param: 'start_time' }, { param: 'start_time' });
  const end = unixSeconds(q, 'end_time');
  if (end !== undefined && end <= start) {
    throw new ApiError('integer_below_min_value', { param: 'end_time', min: start + 1, value: end }, { param: 'end_time' });
  }

  const widthText = q.get('bucket_width') ?? '1d';
  if (!(widthText in BUCKET_MS)) {
    throw new ApiError('invalid_value', { value: widthText, supported: "'1m', '1h', '1d'" }, { param: 'bucket_width' });
  }
  const width = widthText as BucketWidth;
  const widthMs = BUCKET_MS[width];

  const groupBy = new Set<GroupField>();
  const allowed = GROUPS[kind];
  for (const g of list(q, 'group_by') ?? []) {
    if (!Object.hasOwn(allowed, g)) {
      throw new ApiError('invalid_value', { value: g, supported: Object.keys(allowed).map((x) => `'${x}'`).join(', ') }, { param: 'group_by' });
    }
    const f = allowed[g];
    if (f) groupBy.add(f);
  }

  const { def, max } = LIMITS[kind][width];
  const limit = integer(q, 'limit') ?? def;
  if (limit < 1) throw new ApiError('integer_below_min_value', { param: 'limit', min: 1, value: limit }, { param: 'limit' });
  if (limit > max) throw new ApiError('integer_above_max_value', { param: 'limit', max, value: limit }, { param: 'limit' });

  const rangeStartMs = Math.floor((start * 1000) / widthMs) * widthMs;
  const endMs = end === undefined ? nowMs : end * 1000;
  let pageStartMs = rangeStartMs;
  const page = q.get('page');
  if (page !== null && page !== '') {
    const p = decodeCursor(page);
    if (p === undefined || p < rangeStartMs || p % widthMs !== 0) throw new ApiError('invalid_value', { value: page, supported: 'a next_page value of this query' }, { param: 'page' });
    pageStartMs = p;
  }
  return {
    kind,
    width,
    widthMs,
    rangeStartMs,
    endMs,
    pageStartMs,
    limit,
    groupBy,
    models: list(q, 'models'),
    projectIds: list(q, 'project_ids'),
    apiKeyIds: list(q, 'api_key_ids'),
    userIds: list(q, 'user_ids'),
  };
}

/** The opaque `next_page` cursor: the first bucket of the next page. */
export function encodeCursor(bucketStartMs: number): string {
  return `page_${Buffer.from(String(bucketStartMs / 1000)).toString('base64url')}`;
}

function decodeCursor(s: string): number | undefined {
  if (!s.startsWith('page_')) return undefined;
  const text = Buffer.from(s.slice(5), 'base64url').toString('utf8');
  if (!/^\d{1,12}$/.test(text)) return undefined;
  return Number(text) * 1000;
}

/** Values of a repeated or comma-separated parameter (`name`, `name[]`); undefined when absent or empty. */
function list(q: URLSearchParams, name: string): string[] | undefined {
  const raw = [...q.getAll(name), ...q.getAll(`${name}[]`)];
  if (raw.length === 0) return undefined;
  const values = raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return values.length > 0 ? values : undefined;
}

function integer(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^-?\d{1,15}$/.test(v.trim())) throw new ApiError('invalid_type', { param: name, expected: 'an integer', actual: JSON.stringify(v) }, { param: name });
  return Number(v.trim());
}

function unixSeconds(q: URLSearchParams, name: string): number | undefined {
  const n = integer(q, name);
  if (n !== undefined && n < 0) throw new ApiError('integer_below_min_value', { param: name, min: 0, value: n }, { param: name });
  return n;
}

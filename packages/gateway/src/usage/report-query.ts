/**
 * Query parameters of the usage and costs reports, as OpenAI's organization Usage and Costs APIs
 * take them: `start_time` (unix seconds, required), `end_time` (exclusive, default now),
 * `bucket_width` (`1m`, `1h`, `1d`; default `1d`), `group_by` (repeated, `group_by[]=`, or
 * comma-separated; each endpoint takes the values OpenAI documents for it, see GROUP_BY), the
 * filters `models`, `project_ids`, `api_key_ids`, `user_ids` and (completions) `batch`, `limit`
 * (buckets per page) and `page` (the cursor from `next_page`).
 *
 * Buckets are whole UTC intervals of the width: `start_time` is rounded down to a bucket boundary
 * and every bucket that starts before `end_time` is returned with all of its usage.
 * @module
 */
import { badValue, queryBoolean, queryInteger } from '../admin/input.js';
import { ApiError } from '../errors/api-error.js';
import { quotedList } from '../validation/describe.js';

export type BucketWidth = '1m' | '1h' | '1d';
/**
 * What a report groups by. `batch` and `service_tier` have one value for all of Tollgate's usage
 * (it has no Batch API and one service tier), so grouping by them splits nothing.
 */
export type GroupField = 'model' | 'project_id' | 'api_key_id' | 'user_id' | 'batch' | 'service_tier' | 'size' | 'source';
/**
 * The Usage API endpoints of traffic Tollgate does not serve (it has no moderations, images,
 * audio, vector store or code interpreter endpoints): answered as OpenAI's, every bucket empty.
 */
export const UNSERVED_USAGE = ['moderations', 'images', 'audio_speeches', 'audio_transcriptions', 'vector_stores', 'code_interpreter_sessions'] as const;
export type UnservedUsageKind = (typeof UNSERVED_USAGE)[number];
/** The report a query is for: one of the Usage API's endpoints, or the Costs API. */
export type ReportKind = 'completions' | 'embeddings' | 'costs' | UnservedUsageKind;

export const BUCKET_MS: Readonly<Record<BucketWidth, number>> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };

/** Buckets per page, default and maximum, as OpenAI documents them. */
const USAGE_LIMITS: Record<BucketWidth, { def: number; max: number }> = { '1m': { def: 60, max: 1440 }, '1h': { def: 24, max: 168 }, '1d': { def: 7, max: 31 } };
const COSTS_LIMITS: Record<BucketWidth, { def: number; max: number }> = { '1m': { def: 60, max: 1440 }, '1h': { def: 24, max: 168 }, '1d': { def: 7, max: 180 } };

/** The `group_by` values of the Usage API's per-request endpoints (embeddings, moderations, audio). */
const PER_REQUEST: Readonly<Record<string, GroupField>> = { project_id: 'project_id', user_id: 'user_id', api_key_id: 'api_key_id', model: 'model' };
const PER_PROJECT: Readonly<Record<string, GroupField>> = { project_id: 'project_id' };

/**
 * The `group_by` values each endpoint accepts, exactly those OpenAI documents for it (the
 * API reference, as the `openai` SDK 6.49 types them: `UsageCompletionsParams`,
 * `UsageEmbeddingsParams`, `UsageImagesParams`, …, `UsageCostsParams`), in OpenAI's order, and
 * the field each groups by. Any other value is OpenAI's `invalid_value` naming these. A cost's
 * line item is its model here.
 */
const GROUP_BY: Record<ReportKind, Readonly<Record<string, GroupField>>> = {
  completions: { ...PER_REQUEST, batch: 'batch', service_tier: 'service_tier' },
  embeddings: PER_REQUEST,
  moderations: PER_REQUEST,
  images: { ...PER_REQUEST, size: 'size', source: 'source' },
  audio_speeches: PER_REQUEST,
  audio_transcriptions: PER_REQUEST,
  vector_stores: PER_PROJECT,
  code_interpreter_sessions: PER_PROJECT,
  costs: { project_id: 'project_id', line_item: 'model', api_key_id: 'api_key_id' },
};

/** The images endpoint's own filters and the values OpenAI documents for them (`UsageImagesParams`). */
const IMAGE_FILTERS: Readonly<Record<string, readonly string[]>> = {
  sources: ['image.generation', 'image.edit', 'image.variation'],
  sizes: ['256x256', '512x512', '1024x1024', '1792x1792', '1024x1792'],
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
  /**
   * Completions' `batch` filter: true = batch requests only (Tollgate has no Batch API, so none),
   * false or absent = every request (none is a batch request).
   */
  batchOnly: boolean;
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
  const start = queryInteger(q, 'start_time');
  if (start === undefined) throw new ApiError('missing_required_parameter', { param: 'start_time' }, { param: 'start_time' });
  const end = queryInteger(q, 'end_time');
  if (end !== undefined && end <= start) {
    throw new ApiError('integer_below_min_value', { param: 'end_time', min: start + 1, value: end }, { param: 'end_time' });
  }

  const widthText = q.get('bucket_width') ?? '1d';
  // Own keys only: `in` would take 'constructor' or 'toString' (Object's) for a width.
  if (!Object.hasOwn(BUCKET_MS, widthText)) {
    throw new ApiError('invalid_value', { value: widthText, supported: "'1m', '1h', '1d'" }, { param: 'bucket_width' });
  }
  const width = widthText as BucketWidth;
  const widthMs = BUCKET_MS[width];

  const groupBy = new Set<GroupField>();
  const allowed = GROUP_BY[kind];
  for (const g of list(q, 'group_by') ?? []) {
    if (!Object.hasOwn(allowed, g)) throw badValue('group_by', g, quotedList(Object.keys(allowed), 'and'));
    groupBy.add(allowed[g]!);
  }

  if (kind === 'images') {
    for (const [name, values] of Object.entries(IMAGE_FILTERS)) {
      for (const v of list(q, name) ?? []) if (!values.includes(v)) throw badValue(name, v, quotedList(values, 'and'));
    }
  }

  const { def, max } = (kind === 'costs' ? COSTS_LIMITS : USAGE_LIMITS)[width];
  const limit = queryInteger(q, 'limit', { min: 1, max }) ?? def;

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
    // OpenAI documents `batch` for completions only; elsewhere it is not a parameter.
    batchOnly: kind === 'completions' && queryBoolean(q, 'batch') === true,
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

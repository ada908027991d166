/**
 * Usage and cost reports in the shape of OpenAI's organization Usage API
 * (`/v1/organization/usage/completions`) and Costs API (`/v1/organization/costs`): a page of
 * time buckets, each with one result per group.
 *
 * Sources: minute and hour buckets are computed from the raw events (so they cover the
 * retention window only); day buckets from the daily rollups, which are written in the same
 * transaction as the events, equal their sums exactly, and are kept after retention.
 *
 * A result's grouping keys are null unless the query groups by them, as OpenAI's are. Two keys
 * have one value for all of Tollgate's usage: `batch` is false (Tollgate has no Batch API) and
 * `service_tier` is `"default"` (DEFAULT_SERVICE_TIER).
 * @module
 */
import { sql, type RawBuilder } from 'kysely';
import { dayOf, dayStartMs } from '../billing/period.js';
import { formatUsd, picoToUsd, toPico } from '../billing/pricing.js';
import { billingDb, type BillingStore, type DbInt } from '../store/billing-tables.js';
import { moneyText } from '../billing/money-column.js';
import { encodeCursor, type GroupField, type ReportQuery, type UnservedUsageKind } from './report-query.js';

/**
 * The service tier of every request Tollgate serves, when a completions report is grouped by
 * `service_tier`. The ledger records no tier (`usage_events` has no such column): Tollgate serves
 * and prices each request one way, at the model's configured price, whatever `service_tier` the
 * request asked for. That is OpenAI's standard processing, whose name is `"default"`: the API
 * reference (as the `openai` SDK 6.49 documents `ChatCompletion.service_tier`) gives `default` as
 * the tier of standard pricing and performance, and says a response names the tier that actually
 * served it. Tollgate's own Responses objects say `"default"` too when no tier was asked for.
 */
export const DEFAULT_SERVICE_TIER = 'default';

/** One group's totals in one bucket. */
export interface UsageAggregate {
  bucketMs: number;
  model: string | null;
  project_id: string | null;
  api_key_id: string | null;
  user_id: string | null;
  requests: number;
  inputTokens: number;
  /** Of `inputTokens`, those the upstream reported as cached. */
  cachedTokens: number;
  outputTokens: number;
  /** Exact, in pico-dollars. */
  costPico: bigint;
}

export interface UsagePage<R> {
  object: 'page';
  data: { object: 'bucket'; start_time: number; end_time: number; results: R[] }[];
  has_more: boolean;
  next_page: string | null;
}

export interface UsageCompletionsResult {
  object: 'organization.usage.completions.result';
  input_tokens: number;
  output_tokens: number;
  input_cached_tokens: number;
  input_audio_tokens: number;
  output_audio_tokens: number;
  num_model_requests: number;
  project_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  model: string | null;
  /** When grouped by batch: false (no request is a batch request); else null. */
  batch: boolean | null;
  /** When grouped by service_tier: DEFAULT_SERVICE_TIER; else null. */
  service_tier: string | null;
}

export interface CostsResult {
  object: 'organization.costs.result';
  /**
   * `value` is the USD number OpenAI's Costs API gives (the double nearest the exact amount);
   * `exact_value` (a Tollgate extension) is the exact decimal, to the pico-dollar.
   */
  amount: { value: number; currency: 'usd'; exact_value: string };
  line_item: string | null;
  project_id: string | null;
  /** Only when grouped by api_key_id. */
  api_key_id?: string | null;
}

export async function usageCompletionsReport(store: BillingStore, orgId: string, q: ReportQuery): Promise<UsagePage<UsageCompletionsResult>> {
  return buildPage(store, orgId, q, (a) => ({
    object: 'organization.usage.completions.result',
    input_tokens: a.inputTokens,
    output_tokens: a.outputTokens,
    input_cached_tokens: a.cachedTokens,
    input_audio_tokens: 0,
    output_audio_tokens: 0,
    num_model_requests: a.requests,
    project_id: a.project_id,
    user_id: a.user_id,
    api_key_id: a.api_key_id,
    model: a.model,
    batch: q.groupBy.has('batch') ? false : null,
    service_tier: q.groupBy.has('service_tier') ? DEFAULT_SERVICE_TIER : null,
  }));
}

export interface UsageEmbeddingsResult {
  object: 'organization.usage.embeddings.result';
  input_tokens: number;
  num_model_requests: number;
  project_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  model: string | null;
}

export async function usageEmbeddingsReport(store: BillingStore, orgId: string, q: ReportQuery): Promise<UsagePage<UsageEmbeddingsResult>> {
  return buildPage(store, orgId, q, (a) => ({
    object: 'organization.usage.embeddings.result',
    input_tokens: a.inputTokens,
    num_model_requests: a.requests,
    project_id: a.project_id,
    user_id: a.user_id,
    api_key_id: a.api_key_id,
    model: a.model,
  }));
}

/** The grouping keys of a per-request usage result: each null unless the query groups by it. */
interface RequestGroupKeys {
  project_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  model: string | null;
}

/**
 * The results of the Usage API endpoints of traffic Tollgate does not serve (UNSERVED_USAGE), as
 * the `openai` SDK 6.49 types them (`OrganizationUsageModerationsResult`, …). Their buckets are
 * always empty; the types say what a result would hold.
 */
export interface UnservedUsageResults {
  moderations: RequestGroupKeys & { object: 'organization.usage.moderations.result'; input_tokens: number; num_model_requests: number };
  images: RequestGroupKeys & { object: 'organization.usage.images.result'; images: number; num_model_requests: number; size: string | null; source: string | null };
  audio_speeches: RequestGroupKeys & { object: 'organization.usage.audio_speeches.result'; characters: number; num_model_requests: number };
  audio_transcriptions: RequestGroupKeys & { object: 'organization.usage.audio_transcriptions.result'; seconds: number; num_model_requests: number };
  vector_stores: { object: 'organization.usage.vector_stores.result'; usage_bytes: number; project_id: string | null };
  code_interpreter_sessions: { object: 'organization.usage.code_interpreter_sessions.result'; num_sessions: number; project_id: string | null };
}

/**
 * A Usage API page of an endpoint whose traffic Tollgate does not serve: the query's buckets and
 * paging exactly as the served endpoints', each bucket with no results.
 */
export async function unservedUsageReport<K extends UnservedUsageKind>(q: ReportQuery & { kind: K }): Promise<UsagePage<UnservedUsageResults[K]>> {
  return pageOf(q, async () => [], () => {
    throw new Error(`no ${q.kind} usage is recorded`);
  });
}

export async function costsReport(store: BillingStore, orgId: string, q: ReportQuery): Promise<UsagePage<CostsResult>> {
  return buildPage(store, orgId, q, (a) => {
    const r: CostsResult = { object: 'organization.costs.result', amount: { value: picoToUsd(a.costPico), currency: 'usd', exact_value: formatUsd(a.costPico) }, line_item: a.model, project_id: a.project_id };
    if (q.groupBy.has('api_key_id')) r.api_key_id = a.api_key_id;
    return r;
  });
}

function buildPage<R>(store: BillingStore, orgId: string, q: ReportQuery, toResult: (a: UsageAggregate) => R): Promise<UsagePage<R>> {
  return pageOf(q, (fromMs, toMs) => aggregateUsage(store, orgId, q, fromMs, toMs), toResult);
}

/** The page of buckets `q` asks for, each with the results of the totals `rows` gives for it. */
async function pageOf<R>(q: ReportQuery, rows: (fromMs: number, toMs: number) => Promise<UsageAggregate[]>, toResult: (a: UsageAggregate) => R): Promise<UsagePage<R>> {
  const w = q.widthMs;
  const rangeEnd = Math.ceil(q.endMs / w) * w;
  const pageEnd = Math.min(q.pageStartMs + q.limit * w, rangeEnd);
  if (q.pageStartMs >= pageEnd) return { object: 'page', data: [], has_more: false, next_page: null };
  const totals = await rows(q.pageStartMs, pageEnd);
  const byBucket = new Map<number, UsageAggregate[]>();
  for (const r of totals) {
    let list = byBucket.get(r.bucketMs);
    if (!list) byBucket.set(r.bucketMs, (list = []));
    list.push(r);
  }
  const data: UsagePage<R>['data'] = [];
  for (let b = q.pageStartMs; b < pageEnd; b += w) {
    const results = (byBucket.get(b) ?? []).sort(compareGroups).map(toResult);
    data.push({ object: 'bucket', start_time: b / 1000, end_time: (b + w) / 1000, results });
  }
  const hasMore = pageEnd < rangeEnd;
  return { object: 'page', data, has_more: hasMore, next_page: hasMore ? encodeCursor(pageEnd) : null };
}

/** Totals per bucket and group over [fromMs, toMs), both bucket-aligned. */
export async function aggregateUsage(store: BillingStore, orgId: string, q: ReportQuery, fromMs: number, toMs: number): Promise<UsageAggregate[]> {
  const db = billingDb(store);
  const cols = groupColumns(q.groupBy);
  if (q.width === '1d') {
    const qb = db
      .selectFrom('usage_daily')
      .select((eb) => [
        'day',
        eb.fn.sum<DbInt>('requests').as('requests'),
        eb.fn.sum<DbInt>('prompt_tokens').as('input'),
        eb.fn.sum<DbInt>('cached_tokens').as('cached'),
        eb.fn.sum<DbInt>('completion_tokens').as('output'),
        moneyText(eb.fn.sum<DbInt>('cost_pico')).as('cost'),
      ])
      .select(cols)
      .where('org_id', '=', orgId)
      .where('day', '>=', dayOf(fromMs))
      .where('day', '<', dayOf(toMs))
      .where(filters(q));
    const rows = await qb.groupBy(['day', ...cols]).execute();
    return rows.map((r) => aggregate(r as AggRow, dayStartMs(r.day), q.groupBy));
  }
  // The bucket expression is inlined (a trusted constant), so SELECT and GROUP BY are the same
  // expression text, which PostgreSQL requires.
  const bucket = sql<DbInt>`created_at - (created_at % ${sql.lit(q.widthMs)})`;
  const qb = db
    .selectFrom('usage_events')
    .select((eb) => [
      bucket.as('bucket'),
      eb.fn.countAll<DbInt>().as('requests'),
      eb.fn.sum<DbInt>('prompt_tokens').as('input'),
      eb.fn.sum<DbInt>('cached_tokens').as('cached'),
      eb.fn.sum<DbInt>('completion_tokens').as('output'),
      moneyText(eb.fn.sum<DbInt>('cost_pico')).as('cost'),
    ])
    .select(cols)
    .where('org_id', '=', orgId)
    .where('created_at', '>=', fromMs)
    .where('created_at', '<', toMs)
    // The same rule as the rollups (isModelRequest): refused requests are not model requests.
    .where((eb) => eb.or([eb('status_code', '<', 400), eb('prompt_tokens', '>', 0), eb('completion_tokens', '>', 0)]))
    .where(filters(q));
  const rows = await qb.groupBy([bucket, ...cols]).execute();
  return rows.map((r) => aggregate(r as AggRow, Number(r.bucket), q.groupBy));
}

/**
 * The query's filters as one condition on columns both sources have (`usage_daily` and
 * `usage_events`). An empty list matches nothing (SQL has no empty IN list).
 */
function filters(q: ReportQuery): RawBuilder<boolean> {
  const conds: RawBuilder<unknown>[] = [];
  const within = (column: string, values: readonly string[]) => (values.length > 0 ? sql`${sql.ref(column)} in (${sql.join(values)})` : sql`1 = 0`);
  if (q.models) conds.push(within('model', q.models));
  if (q.excludeModels?.length) conds.push(sql`model not in (${sql.join(q.excludeModels)})`);
  if (q.projectIds) conds.push(within('project_id', q.projectIds));
  if (q.apiKeyIds) conds.push(within('key_id', q.apiKeyIds));
  if (q.userIds) conds.push(within('user_id', q.userIds));
  if (q.batchOnly) conds.push(sql`1 = 0`); // no request is a batch request
  return conds.length > 0 ? sql<boolean>`${sql.join(conds, sql` and `)}` : sql<boolean>`1 = 1`;
}

type AggRow = { requests: DbInt; input: DbInt; cached: DbInt | null; output: DbInt; cost: string | null; model?: string; project_id?: string | null; key_id?: string; user_id?: string };

function aggregate(r: AggRow, bucketMs: number, g: ReadonlySet<GroupField>): UsageAggregate {
  return {
    bucketMs,
    model: g.has('model') ? (r.model ?? null) : null,
    project_id: g.has('project_id') ? (r.project_id ?? null) : null,
    api_key_id: g.has('api_key_id') ? (r.key_id ?? null) : null,
    user_id: g.has('user_id') ? (r.user_id ?? null) : null,
    requests: Number(r.requests),
    inputTokens: Number(r.input ?? 0),
    cachedTokens: Number(r.cached ?? 0),
    outputTokens: Number(r.output ?? 0),
    costPico: toPico(r.cost ?? 0n),
  };
}

function groupColumns(g: ReadonlySet<GroupField>): ('model' | 'project_id' | 'key_id' | 'user_id')[] {
  const cols: ('model' | 'project_id' | 'key_id' | 'user_id')[] = [];
  if (g.has('model')) cols.push('model');
  if (g.has('project_id')) cols.push('project_id');
  if (g.has('api_key_id')) cols.push('key_id');
  if (g.has('user_id')) cols.push('user_id');
  return cols;
}

function compareGroups(a: UsageAggregate, b: UsageAggregate): number {
  return cmp(a.model, b.model) || cmp(a.project_id, b.project_id) || cmp(a.api_key_id, b.api_key_id) || cmp(a.user_id, b.user_id);
}

function cmp(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

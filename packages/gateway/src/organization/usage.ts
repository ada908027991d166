/**
 * Usage and costs of the admin key's organization, in OpenAI's shapes (`object: "page"` of
 * buckets, `page`/`next_page`), computed by the same reports as the operator's
 * `/admin/v1/organizations/{org_id}/usage/completions` and `/costs`, from the usage ledger:
 *
 * ```
 * GET /v1/organization/usage/completions   ?start_time&end_time&bucket_width=1m|1h|1d&group_by[]=project_id|user_id|api_key_id|model|batch|service_tier&models[]&project_ids[]&api_key_ids[]&user_ids[]&batch&limit&page
 * GET /v1/organization/usage/embeddings    ?start_time&end_time&bucket_width=1m|1h|1d&group_by[]=project_id|user_id|api_key_id|model&models[]&project_ids[]&api_key_ids[]&user_ids[]&limit&page
 * GET /v1/organization/usage/{moderations|images|audio_speeches|audio_transcriptions}   (embeddings' parameters; images also group_by[]=size|source, sources[], sizes[])
 * GET /v1/organization/usage/{vector_stores|code_interpreter_sessions}                 ?start_time&end_time&bucket_width&group_by[]=project_id&project_ids[]&limit&page
 * GET /v1/organization/costs               ?start_time&end_time&bucket_width=1d|1h|1m&group_by[]=project_id|line_item|api_key_id&project_ids[]&api_key_ids[]&limit&page
 * ```
 * Each takes exactly the `group_by` values OpenAI documents for it; another is OpenAI's 400
 * "Invalid value: 'x'. Supported values are: ...". Tollgate has no Batch API: `batch=true` reports
 * nothing, and grouped by `batch` every result says false; grouped by `service_tier`, "default"
 * (Tollgate serves every request at standard processing; see DEFAULT_SERVICE_TIER).
 * OpenAI's Costs API serves daily buckets only ("currently only 1d is supported"); Tollgate's
 * also serves `1h` and `1m` (at most 168 and 1,440 buckets a page, as the Usage API), which the
 * console's Usage page needs for cost over the last day or hour. A `1d` request is answered as
 * OpenAI's is.
 * Completions are the requests to every model that is not an embedding model; embeddings the
 * requests to embedding models. Tollgate serves no moderations, images, audio, vector store or
 * code interpreter traffic: those endpoints answer with the same buckets, paging and errors as
 * the others, every bucket's `results` empty, so a dashboard that reads every usage endpoint
 * reads Tollgate's.
 * @module
 */
import type { RequestContext } from '../http/context.js';
import { costsReport, parseReportQuery, unservedUsageReport, usageCompletionsReport, usageEmbeddingsReport, usageOfKind, type ReportKind, type ReportQuery, type UnservedUsageKind } from '../usage/index.js';
import type { OrgDeps, OrgHandler } from './deps.js';

function query(ctx: RequestContext, deps: OrgDeps, kind: ReportKind): ReportQuery {
  return parseReportQuery(ctx.rawQuery, kind, deps.clock.now());
}

/** GET /v1/organization/usage/completions */
export const usageCompletions: OrgHandler = async (ctx, caller, deps) => {
  return { body: await usageCompletionsReport(deps.store, caller.org.id, usageOfKind(query(ctx, deps, 'completions'), 'completions', deps.config.models)) };
};

/** GET /v1/organization/usage/embeddings */
export const usageEmbeddings: OrgHandler = async (ctx, caller, deps) => {
  return { body: await usageEmbeddingsReport(deps.store, caller.org.id, usageOfKind(query(ctx, deps, 'embeddings'), 'embeddings', deps.config.models)) };
};

/** GET /v1/organization/usage/{kind} of traffic Tollgate does not serve: empty buckets. */
export const unservedUsage =
  (kind: UnservedUsageKind): OrgHandler =>
  async (ctx, _caller, deps) => ({ body: await unservedUsageReport({ ...query(ctx, deps, kind), kind }) });

/** GET /v1/organization/costs (daily buckets as OpenAI's; hourly and per-minute ones too). */
export const costs: OrgHandler = async (ctx, caller, deps) => {
  const q = query(ctx, deps, 'costs');
  return { body: await costsReport(deps.store, caller.org.id, q) };
};

/**
 * `GET /v1/organization/requests/{request_id}` (Tollgate's own, for support: "what happened to
 * req_…?"): what the usage ledger knows of one request of the admin key's organization, failed
 * ones included. A request of another organization is a 404, exactly like one that never existed.
 *
 * ```json
 * { "object": "organization.request", "id": "req_…", "created_at": 1767225600,
 *   "project_id": "proj_…", "api_key_id": "key_…", "user_id": "user-…",
 *   "owner": { "type": "user", "user": { "id": "user-…" } }
 *         | { "type": "service_account", "service_account": { "id": "svc_acct_…" } },   // as a project API key's
 *   "requested_model": "gpt-4o-mini", "model": "gpt-4o-mini" | null,   // asked for / answered (a fallback; null: refused before any model was called)
 *   "endpoint": "chat.completions", "status_code": 429,
 *   "error": { "code": "rate_limit_exceeded", "message": "Rate limit reached for …",
 *              "catalog_id": "rate_limit_tokens" | null } | null,
 *   "usage": { "input_tokens": 0, "output_tokens": 0, "estimated": false },
 *   "cost": { "value": 0, "currency": "usd", "exact_value": "0" },
 *   "latency_ms": 12, "streamed": false, "upstream_request_id": "req_…" | null }
 * ```
 * `error.code` is the `code` the caller got (null where OpenAI's is null, as for `server_error`),
 * and `error.catalog_id` the error catalog's entry it came from (the docs/errors anchor; several
 * entries share one code, e.g. `rate_limit_requests` and `rate_limit_tokens` are both
 * `rate_limit_exceeded`). An upstream's own error passed through is not in the catalog:
 * `catalog_id` is null and `code` the upstream's code (its `type` where it sent no code), and a
 * request the client left is `client_disconnected`.
 * `latency_ms` runs from the request's arrival to its settlement; `upstream_request_id` is the
 * upstream's `x-request-id` of its last answer (null for the in-process simulator). Requests
 * recorded before the ledger kept the project, the model asked for, the message and the upstream
 * id show null there.
 * @module
 */
import { findEntry } from '@tollgate/protocol';
import { formatUsd, picoToUsd, toPico } from '../billing/pricing.js';
import { billingDb } from '../store/billing-tables.js';
import { moneyText } from '../billing/money-column.js';
import { SERVICE_ACCOUNT_ID_PREFIX } from '../store/ids.js';
import type { OrgHandler } from './deps.js';
import { notFound } from './list.js';
import { seconds } from './objects.js';

/** GET /v1/organization/requests/{request_id} */
export const getRequest: OrgHandler = async (ctx, caller, deps) => {
  const id = ctx.params.request_id!;
  const r = await billingDb(deps.store)
    .selectFrom('usage_events')
    .select(['request_id', 'project_id', 'key_id', 'user_id', 'model', 'requested_model', 'endpoint', 'prompt_tokens', 'completion_tokens', 'status_code', 'error_code', 'error_message', 'upstream_request_id', 'streamed', 'latency_ms', 'estimated', 'created_at'])
    .select((eb) => moneyText(eb.ref('cost_pico')).as('cost'))
    .where('request_id', '=', id)
    .where('org_id', '=', caller.org.id)
    .executeTakeFirst();
  if (!r) throw notFound('request', id);
  const cost = toPico(r.cost ?? 0n);
  return {
    body: {
      object: 'organization.request',
      id: r.request_id,
      created_at: seconds(Number(r.created_at)),
      project_id: r.project_id,
      api_key_id: r.key_id,
      user_id: r.user_id,
      owner: r.user_id.startsWith(SERVICE_ACCOUNT_ID_PREFIX) ? { type: 'service_account', service_account: { id: r.user_id } } : { type: 'user', user: { id: r.user_id } },
      requested_model: r.requested_model,
      model: r.model === '' ? null : r.model,
      endpoint: r.endpoint,
      status_code: r.status_code,
      error: r.error_code === null ? null : wireError(r.error_code, r.error_message),
      usage: { input_tokens: Number(r.prompt_tokens), output_tokens: Number(r.completion_tokens), estimated: r.estimated === 1 },
      cost: { value: picoToUsd(cost), currency: 'usd', exact_value: formatUsd(cost) },
      latency_ms: Number(r.latency_ms),
      streamed: r.streamed === 1,
      upstream_request_id: r.upstream_request_id,
    },
  };
};

/**
 * The ledger keeps a catalog error by its catalog id (failure-record.ts), which is not what the
 * caller saw: the answer gives the wire code, with the id beside it.
 */
function wireError(recorded: string, message: string | null): { code: string | null; message: string | null; catalog_id: string | null } {
  const entry = findEntry(recorded);
  return entry ? { code: entry.code, message, catalog_id: entry.id } : { code: recorded, message, catalog_id: null };
}

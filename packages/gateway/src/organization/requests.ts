/**
 * `GET /v1/organization/requests/{request_id}` (Tollgate's own, for support: "what happened to
 * req_…?"): what the usage ledger knows of one request of the admin key's organization. A request
 * of another organization is a 404, exactly like one that never existed.
 * @module
 */
import { formatUsd, picoToUsd, toPico } from '../billing/pricing.js';
import { billingDb } from '../store/billing-tables.js';
import { moneyText } from '../billing/money-column.js';
import type { OrgHandler } from './deps.js';
import { notFound } from './list.js';
import { seconds } from './objects.js';

/** GET /v1/organization/requests/{request_id} */
export const getRequest: OrgHandler = async (ctx, caller, deps) => {
  const id = ctx.params.request_id!;
  const r = await billingDb(deps.store)
    .selectFrom('usage_events')
    .select(['request_id', 'key_id', 'user_id', 'model', 'endpoint', 'prompt_tokens', 'completion_tokens', 'status_code', 'error_code', 'streamed', 'latency_ms', 'estimated', 'created_at'])
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
      api_key_id: r.key_id,
      user_id: r.user_id,
      model: r.model,
      endpoint: r.endpoint,
      status_code: r.status_code,
      error: r.error_code === null ? null : { code: r.error_code },
      usage: { input_tokens: Number(r.prompt_tokens), output_tokens: Number(r.completion_tokens), estimated: r.estimated === 1 },
      cost: { value: picoToUsd(cost), currency: 'usd', exact_value: formatUsd(cost) },
      latency_ms: Number(r.latency_ms),
      streamed: r.streamed === 1,
    },
  };
};

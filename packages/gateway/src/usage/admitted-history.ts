/**
 * What an organization's requests took from its rate-limit buckets, read back from the usage
 * ledger and replayed through the buckets (limits/bucket-replay.ts): the counter rebuild after
 * Redis lost its state (counter-rebuild.ts) and the start of a limit that first applies
 * (limit-seeds.ts) both start buckets from it.
 * @module
 */
import type { ErrorId } from '@tollgate/protocol';
import { findEntry } from '@tollgate/protocol';
import type { LimitSet } from '../config/types.js';
import type { BucketRestore } from '../limits/counter-store.js';
import { replayDeficit, type Admitted } from '../limits/bucket-replay.js';
import type { Dimension } from '../limits/dimensions.js';
import { bucketName } from '../limits/rate-limiter.js';
import { billingDb, type BillingStore } from '../store/billing-tables.js';

/** One admitted request of the ledger. */
export interface AdmittedRequest extends Admitted {
  /** The model that answered (a fallback, possibly), as the ledger's `model`. */
  model: string;
  /** The model the request was counted under: the one it named (`requested_model`; `model` in rows without it). */
  bucketModel: string;
  keyId: string;
  /** The key's project: the row's, else (rows written before it was recorded) the key's. */
  projectId: string | null;
  /** Prompt plus completion tokens: what a settled token bucket kept. */
  tokens: number;
  /** Always 1: a request counts once in a request bucket. */
  cost: 1;
}

/** Only these requests (all of the organization's when empty): one project's, one key's, some models'. */
export interface HistoryFilter {
  projectId?: string;
  keyId?: string;
  /** Counted under one of these models (`bucketModel`). */
  models?: readonly string[];
}

/**
 * The organization's admitted requests that arrived after `since` (epoch ms, exclusive), in no
 * particular order. Reads the ledger only: events still buffered by an instance are not in it.
 */
export async function admittedSince(store: BillingStore, orgId: string, since: number, filter: HistoryFilter = {}): Promise<AdmittedRequest[]> {
  let q = billingDb(store)
    .selectFrom('usage_events as e')
    .leftJoin('api_keys as k', 'k.id', 'e.key_id')
    .select(['e.model', 'e.requested_model', 'e.key_id', 'e.project_id', 'k.project_id as key_project_id', 'e.created_at', 'e.prompt_tokens', 'e.completion_tokens', 'e.status_code', 'e.error_code'])
    .where('e.org_id', '=', orgId)
    .where('e.created_at', '>', since);
  if (filter.keyId !== undefined) q = q.where('e.key_id', '=', filter.keyId);
  const { projectId, models } = filter;
  if (projectId !== undefined) q = q.where((eb) => eb.or([eb('e.project_id', '=', projectId), eb.and([eb('e.project_id', 'is', null), eb('k.project_id', '=', projectId)])]));
  if (models !== undefined) {
    if (models.length === 0) return [];
    q = q.where((eb) => eb.or([eb('e.requested_model', 'in', models), eb.and([eb('e.requested_model', 'is', null), eb('e.model', 'in', models)])]));
  }
  const out: AdmittedRequest[] = [];
  for (const row of await q.execute()) {
    const e = { status_code: row.status_code, error_code: row.error_code, prompt_tokens: Number(row.prompt_tokens), completion_tokens: Number(row.completion_tokens) };
    if (!wasAdmitted(e)) continue;
    out.push({
      model: row.model,
      bucketModel: row.requested_model ?? row.model,
      keyId: row.key_id,
      projectId: row.project_id ?? row.key_project_id ?? null,
      at: Number(row.created_at),
      tokens: e.prompt_tokens + e.completion_tokens,
      cost: 1,
    });
  }
  return out;
}

/**
 * The buckets of `scope` for `model` under `limits` (the `dims` among them that are set and not 0,
 * which blocks the model and has no bucket) that `admitted` left below full at `now`, each with
 * its deficit in the units of bucket-math.ts. Full buckets are left out.
 */
export function replayedBuckets(scope: string, model: string, limits: Partial<LimitSet>, admitted: readonly AdmittedRequest[], now: number, dims: readonly Dimension[]): BucketRestore[] {
  const out: BucketRestore[] = [];
  for (const d of dims) {
    const limit = limits[d.field];
    if (limit === null || limit === undefined || limit === 0) continue;
    const history = d.kind === 'tokens' ? admitted.map((a) => ({ at: a.at, cost: a.tokens })) : admitted;
    const deficitUnits = replayDeficit(history, limit, d.windowMs, now);
    if (deficitUnits > 0) out.push({ key: bucketName(scope, model, d), limit, windowMs: d.windowMs, deficitUnits });
  }
  return out;
}

/**
 * Whether a ledger event held a reservation that stayed counted: answered, or tokens used, or an
 * engine failure after admission. Refusals before admission (validation, rate limits, quota, the
 * counters being unavailable) and the gateway's own overload (given back) did not.
 */
export function wasAdmitted(e: { status_code: number; error_code: string | null; prompt_tokens: number; completion_tokens: number }): boolean {
  if (e.status_code < 400 || e.prompt_tokens > 0 || e.completion_tokens > 0) return true;
  if (e.status_code < 500 || e.error_code === null) return false;
  return e.error_code !== ('store_unavailable' satisfies ErrorId) && findEntry(e.error_code)?.kind !== 'overloaded';
}

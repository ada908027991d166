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
import { DeficitReplay, type Admitted } from '../limits/bucket-replay.js';
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

/** Rows per ledger read of `forEachAdmitted`: what it holds at a time. */
const PAGE_ROWS = 5_000;

/**
 * The organization's admitted requests that arrived after `since` (epoch ms, exclusive), in no
 * particular order. Reads the ledger only: events still buffered by an instance are not in it.
 * Holds them all: for long histories, `forEachAdmitted`.
 */
export async function admittedSince(store: BillingStore, orgId: string, since: number, filter: HistoryFilter = {}): Promise<AdmittedRequest[]> {
  const out: AdmittedRequest[] = [];
  await forEachAdmitted(store, orgId, since, filter, (a) => void out.push(a));
  return out;
}

/**
 * `admittedSince`, handed to `visit` one at a time in time order (ties in no particular order),
 * read in pages of about `PAGE_ROWS` rows (more only when that many share one millisecond), so
 * that a day of a busy organization is never held at once. Rejects when the ledger fails.
 */
export async function forEachAdmitted(store: BillingStore, orgId: string, since: number, filter: HistoryFilter, visit: (a: AdmittedRequest) => void): Promise<void> {
  if (filter.models !== undefined && filter.models.length === 0) return;
  // created_at is whole ms: "after since" is "at or after from"; each page starts where the last one stopped.
  let from = Math.floor(since) + 1;
  for (;;) {
    const rows = await historyQuery(store, orgId, filter).where('e.created_at', '>=', from).orderBy('e.created_at').limit(PAGE_ROWS).execute();
    if (rows.length < PAGE_ROWS) {
      for (const row of rows) visitRow(row, visit);
      return;
    }
    const lastAt = Number(rows[rows.length - 1]!.created_at);
    if (Number(rows[0]!.created_at) === lastAt) {
      // A whole page in one millisecond: that millisecond at once, then past it.
      for (const row of await historyQuery(store, orgId, filter).where('e.created_at', '=', lastAt).execute()) visitRow(row, visit);
      from = lastAt + 1;
      continue;
    }
    // The last millisecond may go on past the page: it starts the next one.
    for (const row of rows) if (Number(row.created_at) < lastAt) visitRow(row, visit);
    from = lastAt;
  }
}

/** The ledger rows of the organization that `filter` keeps, any time. */
function historyQuery(store: BillingStore, orgId: string, filter: HistoryFilter) {
  let q = billingDb(store)
    .selectFrom('usage_events as e')
    .leftJoin('api_keys as k', 'k.id', 'e.key_id')
    .select(['e.model', 'e.requested_model', 'e.key_id', 'e.project_id', 'k.project_id as key_project_id', 'e.created_at', 'e.prompt_tokens', 'e.completion_tokens', 'e.status_code', 'e.error_code'])
    .where('e.org_id', '=', orgId);
  if (filter.keyId !== undefined) q = q.where('e.key_id', '=', filter.keyId);
  const { projectId, models } = filter;
  if (projectId !== undefined) q = q.where((eb) => eb.or([eb('e.project_id', '=', projectId), eb.and([eb('e.project_id', 'is', null), eb('k.project_id', '=', projectId)])]));
  if (models !== undefined) q = q.where((eb) => eb.or([eb('e.requested_model', 'in', models), eb.and([eb('e.requested_model', 'is', null), eb('e.model', 'in', models)])]));
  return q;
}

type HistoryRow = Awaited<ReturnType<ReturnType<typeof historyQuery>['execute']>>[number];

function visitRow(row: HistoryRow, visit: (a: AdmittedRequest) => void): void {
  const e = { status_code: row.status_code, error_code: row.error_code, prompt_tokens: Number(row.prompt_tokens), completion_tokens: Number(row.completion_tokens) };
  if (!wasAdmitted(e)) return;
  visit({
    model: row.model,
    bucketModel: row.requested_model ?? row.model,
    keyId: row.key_id,
    projectId: row.project_id ?? row.key_project_id ?? null,
    at: Number(row.created_at),
    tokens: e.prompt_tokens + e.completion_tokens,
    cost: 1,
  });
}

/**
 * The buckets of `scope` for `model` under `limits` (the `dims` among them that are set and not 0,
 * which blocks the model and has no bucket) that `admitted` left below full at `now`, each with
 * its deficit in the units of bucket-math.ts. Full buckets are left out.
 */
export function replayedBuckets(scope: string, model: string, limits: Partial<LimitSet>, admitted: readonly AdmittedRequest[], now: number, dims: readonly Dimension[]): BucketRestore[] {
  const replay = new BucketsReplay(scope, model, limits, now, dims);
  for (const a of [...admitted].sort((x, y) => x.at - y.at)) replay.add(a);
  return replay.buckets();
}

/** `replayedBuckets` fed one admitted request at a time, in time order (as `forEachAdmitted` gives them). */
export class BucketsReplay {
  private readonly dims: { d: Dimension; limit: number; replay: DeficitReplay }[] = [];

  constructor(
    private readonly scope: string,
    private readonly model: string,
    limits: Partial<LimitSet>,
    now: number,
    dims: readonly Dimension[],
  ) {
    for (const d of dims) {
      const limit = limits[d.field];
      if (limit === null || limit === undefined || limit === 0) continue;
      this.dims.push({ d, limit, replay: new DeficitReplay(limit, d.windowMs, now) });
    }
  }

  add(a: AdmittedRequest): void {
    for (const { d, replay } of this.dims) replay.add(a.at, d.kind === 'tokens' ? a.tokens : a.cost);
  }

  /** The buckets left below full at `now`, with their deficits. */
  buckets(): BucketRestore[] {
    const out: BucketRestore[] = [];
    for (const { d, limit, replay } of this.dims) {
      const deficitUnits = replay.deficit();
      if (deficitUnits > 0) out.push({ key: bucketName(this.scope, this.model, d), limit, windowMs: d.windowMs, deficitUnits });
    }
    return out;
  }
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

/**
 * Quota-increase requests: an organization asks for a higher monthly hard limit, an operator
 * approves (the limit is raised in the same transaction) or rejects it with a note. Each step is
 * stored with its time. A request is decided exactly once, even when two operators act at the
 * same moment: the decision is a conditional update on `status = 'pending'`.
 *
 * What a step records besides (the audit log's entry) is written by `record` in the step's own
 * transaction, and what the answer shows is read there too: a step is either done, recorded and
 * answered, or not done at all. Nothing that could fail (a database busy past its pool wait)
 * comes after the commit, where an operator would be told a decision failed that had been made.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { getOrgLimits, type OrgLimits } from './org-limits.js';
import { toPico, toPicoOrNull } from './pricing.js';
import { toNumberOrNull } from '../store/side-view.js';
import { billingDb, type BillingDatabase, type BillingStore, type QuotaRequestStatus, type QuotaRequestsTable } from '../store/billing-tables.js';
import { moneyText } from './money-column.js';

/** Amounts in pico-dollars. */
export interface QuotaRequest {
  id: string;
  orgId: string;
  requestedHardLimitPico: bigint;
  /** The hard limit when the request was decided (null: unlimited, or not decided yet). */
  previousHardLimitPico: bigint | null;
  reason: string;
  status: QuotaRequestStatus;
  note: string | null;
  createdAt: number;
  decidedAt: number | null;
  /** The user who asked; null when the admin key did. */
  requestedBy: string | null;
}

export function newQuotaRequestId(): string {
  return `qr-${randomBytes(12).toString('hex')}`;
}

/** Writes what a step records besides (the audit log's entries) in the step's transaction. */
export type RecordStep = (tx: Kysely<any>, request: QuotaRequest) => Promise<void>;

/**
 * Stores a pending request, and what `record` writes, in one transaction. Resolves undefined when
 * the organization already has a pending one (a unique partial index decides, so concurrent
 * submissions cannot both succeed).
 */
export async function createQuotaRequest(
  store: BillingStore,
  r: { orgId: string; requestedHardLimitPico: bigint; reason: string; now: number; id?: string; requestedBy?: string | null },
  record?: RecordStep,
): Promise<QuotaRequest | undefined> {
  const row: QuotaRequestsTable = {
    id: r.id ?? newQuotaRequestId(),
    org_id: r.orgId,
    requested_hard_limit_pico: r.requestedHardLimitPico,
    previous_hard_limit_pico: null,
    reason: r.reason,
    status: 'pending',
    note: null,
    created_at: r.now,
    decided_at: null,
    requested_by: r.requestedBy ?? null,
  };
  return billingDb(store)
    .transaction()
    .execute(async (tx) => {
      const done = await tx
        .insertInto('quota_requests')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .execute();
      if (done.length !== 1) return undefined;
      const created = fromRow(row);
      await record?.(tx, created);
      return created;
    });
}

export async function getQuotaRequest(store: BillingStore, id: string): Promise<QuotaRequest | undefined> {
  const row = await selectRequests(billingDb(store)).where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function pendingQuotaRequestOf(store: BillingStore, orgId: string): Promise<QuotaRequest | undefined> {
  const row = await selectRequests(billingDb(store)).where('org_id', '=', orgId).where('status', '=', 'pending').executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export interface ListOptions {
  status?: QuotaRequestStatus;
  orgId?: string;
  limit: number;
  /** A request id: list the ones after it (older, newest first). */
  after?: string;
}

/** Newest first; fetches limit + 1 rows to tell whether there are more. */
export async function listQuotaRequests(store: BillingStore, o: ListOptions): Promise<{ data: QuotaRequest[]; hasMore: boolean } | undefined> {
  const db = billingDb(store);
  let q = selectRequests(db);
  if (o.status) q = q.where('status', '=', o.status);
  if (o.orgId) q = q.where('org_id', '=', o.orgId);
  if (o.after !== undefined) {
    const cursor = await db.selectFrom('quota_requests').select(['created_at', 'id']).where('id', '=', o.after).executeTakeFirst();
    if (!cursor) return undefined;
    const at = Number(cursor.created_at);
    q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', cursor.id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(o.limit + 1).execute();
  return { data: rows.slice(0, o.limit).map(fromRow), hasMore: rows.length > o.limit };
}

/** `org`: the organization's limits as the decision left them. */
export type Decision = { ok: true; request: QuotaRequest; org: OrgLimits | undefined } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'decided'; request: QuotaRequest };

/**
 * Approves or rejects a pending request, with what `record` writes, in one transaction. Approving
 * raises the organization's hard limit to the requested amount (never lowers it, and leaves an
 * unlimited organization unlimited).
 */
export async function decideQuotaRequest(
  store: BillingStore,
  id: string,
  decision: 'approved' | 'rejected',
  note: string | null,
  now: number,
  record?: RecordStep,
): Promise<Decision> {
  return billingDb(store)
    .transaction()
    .execute(async (tx): Promise<Decision> => {
      const req = await selectRequests(tx).where('id', '=', id).executeTakeFirst();
      if (!req) return { ok: false, reason: 'not_found' };
      if (req.status !== 'pending') return { ok: false, reason: 'decided', request: fromRow(req) };
      const org = await tx.selectFrom('organizations').select(moneyText('hard_limit_pico').as('hard')).where('id', '=', req.org_id).executeTakeFirst();
      const previous = toPicoOrNull(org?.hard);
      // The status condition makes the decision happen once: a concurrent decision that read
      // 'pending' too updates no row here (PostgreSQL re-checks the condition after the lock).
      const r = await tx
        .updateTable('quota_requests')
        .set({ status: decision, note, decided_at: now, previous_hard_limit_pico: previous })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) {
        const current = await selectRequests(tx).where('id', '=', id).executeTakeFirstOrThrow();
        return { ok: false, reason: 'decided', request: fromRow(current) };
      }
      if (decision === 'approved') {
        const requested = toPico(req.requested_hard_limit_pico);
        await tx
          .updateTable('organizations')
          .set({ hard_limit_pico: requested })
          .where('id', '=', req.org_id)
          .where('hard_limit_pico', 'is not', null)
          .where('hard_limit_pico', '<', requested)
          .execute();
      }
      const done = fromRow(await selectRequests(tx).where('id', '=', id).executeTakeFirstOrThrow());
      await record?.(tx, done);
      return { ok: true, request: done, org: await getOrgLimits({ db: tx, dialect: store.dialect }, req.org_id) };
    });
}

/** Every column, the money ones as text (exact beyond 2^53 on SQLite too). */
function selectRequests(db: Kysely<BillingDatabase>) {
  return db
    .selectFrom('quota_requests')
    .select(['id', 'org_id', 'reason', 'status', 'note', 'created_at', 'decided_at', 'requested_by'])
    .select([moneyText('requested_hard_limit_pico').as('requested_hard_limit_pico'), moneyText('previous_hard_limit_pico').as('previous_hard_limit_pico')]);
}

function fromRow(r: QuotaRequestsTable): QuotaRequest {
  return {
    id: r.id,
    orgId: r.org_id,
    requestedHardLimitPico: toPico(r.requested_hard_limit_pico),
    previousHardLimitPico: toPicoOrNull(r.previous_hard_limit_pico),
    reason: r.reason,
    status: r.status,
    note: r.note,
    createdAt: Number(r.created_at),
    decidedAt: toNumberOrNull(r.decided_at),
    requestedBy: r.requested_by,
  };
}

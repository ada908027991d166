/**
 * The audit log of changes the operator makes through `/admin/v1`: one helper for every route
 * that changes an organization's objects (its settings, members, keys, limits, billing and
 * quota requests), so that the organization's owners read them in
 * `GET /v1/organization/audit_logs` next to their own changes. The actor is the operator (or an
 * operator's console session), the time the store's clock; `details` follows OpenAI's shape
 * (`{id, data}` for a creation, `{id, changes_requested}` for an update, `{id}` for a deletion).
 *
 * ```ts
 * // an /admin/v1 handler (admin/routes.ts records what it returns):
 * return { body, audit: { orgId, type: 'user.added', objectId: userId, details: { id: userId, data: { role } } } };
 * // a route registered elsewhere (billing):
 * await recordOperatorChanges(deps.audit, ctx, { orgId, type: 'organization.updated', ... });
 * ```
 * Changes to no organization (a user, the status page) have no organization's log to go to.
 * @module
 */
import type { Kysely } from 'kysely';
import type { RequestContext } from '../http/context.js';
import type { Database } from '../store/schema.js';
import { operatorActor, type AuditEvent, type AuditRecorder } from '../organization/audit.js';

/** One change to one organization's objects. */
export type OperatorChange = AuditEvent & { orgId: string };

/**
 * Records `changes`, in order, as the operator's (after the change itself succeeded; with `trx`,
 * in the change's transaction, committed or rolled back with it).
 */
export async function recordOperatorChanges(
  audit: Pick<AuditRecorder, 'record'>,
  ctx: Pick<RequestContext, 'clientIp' | 'sessionUser'>,
  changes: OperatorChange | readonly OperatorChange[] | undefined,
  trx?: Kysely<Database>,
): Promise<void> {
  if (changes === undefined) return;
  const actor = operatorActor(ctx);
  for (const { orgId, ...e } of Array.isArray(changes) ? changes : [changes as OperatorChange]) await audit.record(actor, orgId, e, trx);
}

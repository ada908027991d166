/**
 * The audit log recorder: every change made through an admin API (`/v1/organization/*` with an
 * admin key, `/admin/v1` by the operator, the console) is one entry with its actor, time, object
 * and changed fields. Endpoints call `record` after (or, with a transaction, together with) the
 * change; the entry is shaped like OpenAI's audit log object when listed.
 *
 * ```ts
 * await deps.audit.record(caller.actor, caller.org.id, {
 *   type: 'project.updated', objectId: project.id, projectId: project.id,
 *   details: { id: project.id, changes_requested: { name: 'New name' } },
 * });
 * ```
 * @module
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { RequestContext } from '../http/context.js';
import type { Database, Store } from '../store/index.js';

/**
 * The actor as the audit log object shows it: an API key (an admin key acting for its owner),
 * a console session, or Tollgate's operator (`/admin/v1`), which OpenAI does not have.
 */
export type AuditActor =
  | { type: 'api_key'; api_key: { id: string; type: 'user'; user: { id: string; email: string } | null } }
  | { type: 'session'; session: { user: { id: string; email: string }; ip_address: string } }
  | { type: 'operator'; operator: { ip_address: string } };

/** One change. `details` becomes the value of the key named like `type` (OpenAI's shape). */
export interface AuditEvent {
  /** OpenAI's event type (`api_key.created`, `user.updated`, `invite.sent`, …). */
  type: string;
  /** The id of the object changed (`resource_ids[]` filters on it). */
  objectId: string;
  /** The project the change belongs to, when it is project-scoped. */
  projectId?: string | null;
  /** `{id, data}` for a creation, `{id, changes_requested}` for an update, `{id}` for a deletion. */
  details: Record<string, unknown>;
}

/** The id and e-mail the audit log filters on (`actor_ids[]`, `actor_emails[]`). */
function actorKeys(a: AuditActor): { id: string; email: string | null } {
  if (a.type === 'api_key') return { id: a.api_key.id, email: a.api_key.user?.email ?? null };
  if (a.type === 'session') return { id: a.session.user.id, email: a.session.user.email };
  return { id: 'operator', email: null };
}

export class AuditRecorder {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Appends the entry; with `trx` it commits or rolls back with the change itself. */
  async record(actor: AuditActor, orgId: string, e: AuditEvent, trx?: Kysely<Database>): Promise<void> {
    const { id, email } = actorKeys(actor);
    await this.store.auditLogs.insert(
      { orgId, type: e.type, effectiveAt: this.clock.now(), projectId: e.projectId ?? null, actorId: id, actorEmail: email?.toLowerCase() ?? null, actor, objectId: e.objectId, details: e.details },
      trx,
    );
  }
}

/**
 * The actor for a change the operator made through `/admin/v1`: the operator's user when a
 * console session made it, else the admin key's holder (`operator`).
 */
export function operatorActor(ctx: Pick<RequestContext, 'clientIp' | 'sessionUser'>): AuditActor {
  if (ctx.sessionUser) return { type: 'session', session: { user: ctx.sessionUser, ip_address: ctx.clientIp } };
  return { type: 'operator', operator: { ip_address: ctx.clientIp } };
}

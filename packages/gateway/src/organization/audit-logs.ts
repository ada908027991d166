/**
 * `GET /v1/organization/audit_logs`: the organization's changes, newest first, with OpenAI's
 * filters (`event_types[]`, `actor_ids[]`, `actor_emails[]`, `project_ids[]`, `resource_ids[]`,
 * `effective_at[gt|gte|lt|lte]` in Unix seconds) and paging (`limit`, `after`, `before`).
 * @module
 */
import { queryBoolean, queryInteger } from '../admin/input.js';
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import type { AuditLogRecord, Store } from '../store/index.js';
import type { OrgHandler } from './deps.js';
import { arrayParam, listBody, listQuery } from './list.js';
import { seconds } from './objects.js';

const BOUNDS = ['gt', 'gte', 'lt', 'lte'] as const;

/**
 * The audit log object: the event's details under a key named like its type (OpenAI's shape);
 * `project` is `{id, name}` with the project's name now (`projectNames`, by id), or `{id}` alone
 * for a project that is no longer there.
 */
export function auditLogObject(e: AuditLogRecord, projectNames: ReadonlyMap<string, string>) {
  const name = e.projectId ? projectNames.get(e.projectId) : undefined;
  return {
    object: 'organization.audit_log',
    id: e.id,
    type: e.type,
    effective_at: seconds(e.effectiveAt),
    ...(e.projectId ? { project: { id: e.projectId, ...(name !== undefined ? { name } : {}) } } : {}),
    actor: e.actor,
    [e.type]: e.details,
  };
}

function effectiveAt(q: URLSearchParams): Partial<Record<(typeof BOUNDS)[number], number>> | undefined {
  const out: Partial<Record<(typeof BOUNDS)[number], number>> = {};
  for (const b of BOUNDS) {
    const v = queryInteger(q, `effective_at[${b}]`);
    if (v !== undefined) out[b] = v * 1000;
  }
  return Object.keys(out).length ? out : undefined;
}

/** GET /v1/organization/audit_logs */
export const listAuditLogs: OrgHandler = async (ctx, caller, deps) => ({ body: await auditLogPage(ctx, deps.store, caller.org.id) });

/**
 * One page of `orgId`'s audit log as the query asks: for the organization's own admin API above and
 * for the operator's `GET /admin/v1/organizations/{org_id}/audit_logs`.
 */
export async function auditLogPage(ctx: RequestContext, store: Store, orgId: string): Promise<unknown> {
  const { q, page } = listQuery(ctx, ['before', 'event_types', 'actor_ids', 'actor_emails', 'project_ids', 'resource_ids', 'tenant_only', ...BOUNDS.map((b) => `effective_at[${b}]`)]);
  const before = q.get('before') || undefined;
  if (before !== undefined && page.after !== undefined) throw new ApiError('invalid_parameter_combination', { param: 'before', requires: 'after', requirement: 'absent' }, { param: 'before' });
  const tenantOnly = queryBoolean(q, 'tenant_only');
  const filter = {
    types: arrayParam(q, 'event_types'),
    actorIds: arrayParam(q, 'actor_ids'),
    actorEmails: arrayParam(q, 'actor_emails'),
    projectIds: arrayParam(q, 'project_ids'),
    resourceIds: arrayParam(q, 'resource_ids'),
    effectiveAt: effectiveAt(q),
  };
  // Tollgate has no tenant-level events: tenant_only=true lists none.
  if (tenantOnly) filter.types = ['tenant.*'];
  const cursorPage = { limit: page.limit, ...(page.after ? { after: page.after } : {}), ...(before ? { before } : {}) };
  const rows = await store.auditLogs.list(orgId, filter, cursorPage);
  const names = await store.projects.names(orgId, [...new Set(rows.items.flatMap((e) => (e.projectId ? [e.projectId] : [])))]);
  return listBody(rows, { limit: page.limit, ...(page.after ?? before ? { after: page.after ?? before } : {}) }, 'audit log', (e) => auditLogObject(e, names));
}

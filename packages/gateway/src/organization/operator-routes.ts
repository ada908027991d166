/**
 * The operator's side of organization administration (`/admin/v1`, the operator's admin key):
 *
 * ```
 * POST /admin/v1/organizations/{org_id}/admin_api_keys   {name, owner_user_id?}
 * GET  /admin/v1/organizations/{org_id}/audit_logs       the filters and paging of GET /v1/organization/audit_logs
 * ```
 * The answer is shaped like OpenAI's admin-key create response, with `value` shown once. The
 * key acts for `owner_user_id` (an owner of the organization), by default its earliest owner.
 * The audit log is the organization's own (its owners read the same entries); a deleted
 * organization's log stays readable, its deletion being the last entry.
 * @module
 */
import { Fields } from '../admin/input.js';
import { liveOrganization } from '../admin/lookups.js';
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import { issueAdminKey } from './admin-api-keys.js';
import { operatorActor } from './audit.js';
import { auditLogPage } from './audit-logs.js';
import type { OrgDeps } from './deps.js';

export interface OperatorOrgDeps extends OrgDeps {
  /** The operator's admin-key check (throws the catalog error). */
  requireAdmin: (ctx: RequestContext) => Promise<void>;
}

const notAMember = (orgId: string, userId: string) => new ApiError('resource_not_found', { resource: `member of ${orgId}`, id: userId }, { param: 'owner_user_id' });
const notAnOwner = (orgId: string, userId: string, role: string) =>
  new ApiError('resource_conflict', { message: `User ${userId} is a ${role} of organization ${orgId}; an admin key acts for an owner.` }, { param: 'owner_user_id' });

async function ownerFor(deps: OrgDeps, orgId: string, requested: string | undefined): Promise<string | null> {
  if (requested !== undefined) {
    const m = await deps.store.memberships.get(orgId, requested);
    if (!m) throw notAMember(orgId, requested);
    if (m.role !== 'owner') throw notAnOwner(orgId, requested, m.role);
    return requested;
  }
  const first = await deps.store.db
    .selectFrom('memberships')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('role', '=', 'owner')
    .orderBy('created_at')
    .orderBy('user_id')
    .executeTakeFirst();
  return first?.user_id ?? null;
}

export function registerOperatorOrganizationRoutes(router: Router, deps: OperatorOrgDeps): void {
  const publicUrl = deps.config.server.public_url;
  const route = (method: string, path: string, h: (ctx: RequestContext) => Promise<unknown>) =>
    router.on(method, path, async (ctx) => {
      try {
        await deps.requireAdmin(ctx);
        sendJson(ctx, 200, await h(ctx));
      } catch (e) {
        if (e instanceof ApiError) return sendError(ctx, e, publicUrl);
        throw e;
      }
    });
  route('POST', '/admin/v1/organizations/:org_id/admin_api_keys', async (ctx) => {
    const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['name', 'owner_user_id']);
    const name = f.string('name', { required: true });
    const ownerUserId = f.string('owner_user_id');
    const org = await liveOrganization(deps.store, ctx.params.org_id!);
    const owner = await ownerFor(deps, org.id, ownerUserId);
    // The owner removed or demoted between the check above and the insert: answered as after it.
    const ownerGone = async () => {
      const m = await deps.store.memberships.get(org.id, owner!);
      return m ? notAnOwner(org.id, owner!, m.role) : notAMember(org.id, owner!);
    };
    return issueAdminKey(deps, operatorActor(ctx), org.id, { name, ownerUserId: owner }, ownerGone);
  });
  route('GET', '/admin/v1/organizations/:org_id/audit_logs', async (ctx) => {
    const id = ctx.params.org_id!;
    if (!(await deps.store.organizations.get(id, { includeDeleted: true }))) throw new ApiError('resource_not_found', { resource: 'organization', id });
    return auditLogPage(ctx, deps.store, id);
  });
}

import { ApiError } from '../errors/api-error.js';
import { ConflictError, ROLES } from '../store/index.js';
import type { AdminHandler } from './deps.js';
import { Fields, queryParams } from './input.js';
import { existingUser, liveOrganization } from './lookups.js';
import { deletedObject, memberObject } from './objects.js';
import { listBody, pageRequest } from './paging.js';

/** POST /admin/v1/organizations/{org_id}/members {user_id, role} */
export const addMember: AdminHandler = async (ctx, deps) => {
  const orgId = ctx.params.org_id!;
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['user_id', 'role']);
  const userId = f.string('user_id', { required: true });
  const role = f.oneOf('role', ROLES, { required: true })!;
  await liveOrganization(deps.store, orgId);
  await existingUser(deps.store, userId);
  try {
    await deps.store.memberships.add(orgId, userId, role);
  } catch (e) {
    if (e instanceof ConflictError) throw new ApiError('resource_conflict', { message: e.message }, { param: 'user_id' });
    throw e;
  }
  const member = await deps.store.memberships.get(orgId, userId);
  if (!member) throw new ApiError('resource_not_found', { resource: `member of ${orgId}`, id: userId });
  deps.log?.info({ org_id: orgId, user_id: userId, role }, 'member added');
  return { body: memberObject(member), audit: { orgId, type: 'user.added', objectId: userId, details: { id: userId, data: { role } } } };
};

/** GET /admin/v1/organizations/{org_id}/members?limit&after */
export const listMembers: AdminHandler = async (ctx, deps) => {
  const orgId = ctx.params.org_id!;
  const req = pageRequest(queryParams(ctx, ['limit', 'after']));
  await liveOrganization(deps.store, orgId);
  return { body: listBody(await deps.store.memberships.list(orgId, req), req, `member of ${orgId}`, memberObject) };
};

/**
 * DELETE /admin/v1/organizations/{org_id}/members/{user_id}: the user's keys stop working at once,
 * and their admin keys of the organization are deleted with the membership (one audit entry each).
 */
export const removeMember: AdminHandler = async (ctx, deps) => {
  const orgId = ctx.params.org_id!;
  const userId = ctx.params.user_id!;
  await liveOrganization(deps.store, orgId);
  const r = await deps.store.memberships.remove(orgId, userId);
  if (r.outcome === 'not_found') throw new ApiError('resource_not_found', { resource: `member of ${orgId}`, id: userId });
  await deps.identity.invalidate({ kind: 'org', orgId });
  deps.log?.info({ org_id: orgId, user_id: userId, admin_keys_deleted: r.revokedAdminKeys.map((k) => k.id) }, 'member removed');
  const keyDeletions = r.revokedAdminKeys.map((k) => ({ orgId, type: 'api_key.deleted', objectId: k.id, details: { id: k.id } }));
  return { body: deletedObject('organization.user.deleted', userId), audit: [{ orgId, type: 'user.deleted', objectId: userId, details: { id: userId } }, ...keyDeletions] };
};

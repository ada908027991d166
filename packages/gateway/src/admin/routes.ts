/**
 * The admin API under /admin/v1: organizations, users, members, API keys, model access and
 * rate-limit overrides. Every route requires `Authorization: Bearer <admin key>`; errors come
 * from the catalog in the OpenAI envelope; lists use OpenAI's list shape with `limit`/`after`.
 *
 * ```
 * POST   /admin/v1/organizations                              {name, tier?}
 * GET    /admin/v1/organizations[/{org_id}]
 * PUT    /admin/v1/organizations/{org_id}                     {name?, tier?}
 * DELETE /admin/v1/organizations/{org_id}
 * GET    /admin/v1/tiers                                      the usage tiers an organization may have
 * GET    /admin/v1/organizations/{org_id}/models
 * PUT    /admin/v1/organizations/{org_id}/models              {allowed: [...] | null}
 * GET    /admin/v1/organizations/{org_id}/rate_limits[/{model}]
 * PUT    /admin/v1/organizations/{org_id}/rate_limits/{model} {max_requests_per_1_minute?, ...}
 * POST   /admin/v1/organizations/{org_id}/members             {user_id, role}
 * GET    /admin/v1/organizations/{org_id}/members
 * DELETE /admin/v1/organizations/{org_id}/members/{user_id}
 * POST   /admin/v1/users                                      {email, name}
 * GET    /admin/v1/users[/{user_id}]
 * POST   /admin/v1/keys                                       {organization_id, user_id, name, permissions?, scopes?, expires_at?}
 * GET    /admin/v1/keys[?organization_id=&user_id=]
 * GET    /admin/v1/keys/{key_id}
 * POST   /admin/v1/keys/{key_id}/revoke
 * GET    /admin/v1/keys/{key_id}/rate_limits
 * PUT    /admin/v1/keys/{key_id}/rate_limits/{model}              {max_requests_per_1_minute?, ...}
 * ```
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import type { Handler, Router } from '../http/router.js';
import { sendError, sendJson } from '../http/respond.js';
import { ConflictError } from '../store/index.js';
import { recordOperatorChanges } from './audit.js';
import { requireAdminKey } from './auth.js';
import type { AdminDeps, AdminHandler } from './deps.js';
import { createKey, getKey, listKeys, revokeKey } from './keys.js';
import { listKeyRateLimits, setKeyRateLimit } from './key-rate-limits.js';
import { addMember, listMembers, removeMember } from './members.js';
import { getModelAccess, setModelAccess } from './models.js';
import { createOrganization, deleteOrganization, getOrganization, listOrganizations, updateOrganization } from './organizations.js';
import { getRateLimit, listRateLimits, setRateLimit } from './rate-limits.js';
import { listTiers } from './tiers.js';
import { createUser, getUser, listUsers } from './users.js';

export type { AdminDeps } from './deps.js';

export const ADMIN_PREFIX = '/admin/v1';

/**
 * Wraps a handler: admin key first, then the handler, then the changes it reports go to the
 * organizations' audit logs; catalog errors are rendered here, anything else (the store is down,
 * a bug) propagates to the dispatcher, which logs it and answers 500.
 */
function adminRoute(deps: AdminDeps, handler: AdminHandler): Handler {
  const publicUrl = deps.config.server.public_url;
  return async (ctx) => {
    try {
      await (deps.requireAdmin ? deps.requireAdmin(ctx) : requireAdminKey(ctx, deps.adminKeyDigest, deps.identity.failures));
      const r = await handler(ctx, deps);
      await recordOperatorChanges(deps.audit, ctx, r.audit);
      sendJson(ctx, r.status ?? 200, r.body);
    } catch (e) {
      if (e instanceof ApiError) return sendError(ctx, e, publicUrl);
      if (e instanceof ConflictError) return sendError(ctx, new ApiError('resource_conflict', { message: e.message }), publicUrl);
      throw e;
    }
  };
}

/**
 * Mounts the routes and returns the admin-key check, for other stages' admin routes (billing):
 * it throws the catalog error (missing/invalid admin key, or 429 for a blocked address).
 */
export function registerAdminRoutes(router: Router, deps: AdminDeps): (ctx: RequestContext) => Promise<void> {
  const on = (method: string, path: string, h: AdminHandler) => router.on(method, ADMIN_PREFIX + path, adminRoute(deps, h));

  on('POST', '/organizations', createOrganization);
  on('GET', '/organizations', listOrganizations);
  on('GET', '/organizations/:org_id', getOrganization);
  on('PUT', '/organizations/:org_id', updateOrganization);
  on('DELETE', '/organizations/:org_id', deleteOrganization);
  on('GET', '/tiers', listTiers);
  on('GET', '/organizations/:org_id/models', getModelAccess);
  on('PUT', '/organizations/:org_id/models', setModelAccess);
  on('GET', '/organizations/:org_id/rate_limits', listRateLimits);
  on('GET', '/organizations/:org_id/rate_limits/:model', getRateLimit);
  on('PUT', '/organizations/:org_id/rate_limits/:model', setRateLimit);
  on('POST', '/organizations/:org_id/members', addMember);
  on('GET', '/organizations/:org_id/members', listMembers);
  on('DELETE', '/organizations/:org_id/members/:user_id', removeMember);

  on('POST', '/users', createUser);
  on('GET', '/users', listUsers);
  on('GET', '/users/:user_id', getUser);

  on('POST', '/keys', createKey);
  on('GET', '/keys', listKeys);
  on('GET', '/keys/:key_id', getKey);
  on('POST', '/keys/:key_id/revoke', revokeKey);
  on('GET', '/keys/:key_id/rate_limits', listKeyRateLimits);
  on('PUT', '/keys/:key_id/rate_limits/:model', setKeyRateLimit);

  return (ctx) => (deps.requireAdmin ? deps.requireAdmin(ctx) : requireAdminKey(ctx, deps.adminKeyDigest, deps.identity.failures));
}

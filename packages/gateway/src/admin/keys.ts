import { ApiError } from '../errors/api-error.js';
import { SCOPES, generateApiKey, isKnownScope } from '../identity/index.js';
import { KEY_PERMISSIONS, type KeyPermissions } from '../store/index.js';
import type { AdminHandler } from './deps.js';
import { Fields, badValue, missing, queryParams } from './input.js';
import { existingUser, liveOrganization } from './lookups.js';
import { keyObject } from './objects.js';
import { listBody, pageRequest } from './paging.js';
import { activeProject } from '../organization/project-archived.js';

/** The scopes of a restricted key: at least one, each a known scope (400 naming `scopes[i]`); deduplicated. */
export function knownScopes(scopes: readonly string[]): string[] {
  if (scopes.length === 0) throw new ApiError('empty_array', { param: 'scopes', min: 1 }, { param: 'scopes' });
  scopes.forEach((s, i) => {
    if (!isKnownScope(s)) throw badValue(`scopes[${i}]`, s, SCOPES.map((x) => `'${x}'`).join(', '));
  });
  return [...new Set(scopes)];
}

/** How many scopes a key's body may list (repeats included). */
export const MAX_SCOPES = SCOPES.length * 4;

/**
 * `permissions` (all | read_only | restricted; default all) and `scopes` (required with, and only
 * with, restricted; each a known scope), as a key's body gives them; scopes deduplicated.
 */
export function keyPermissionsFrom(f: Fields): { permissions: KeyPermissions; scopes: string[] } {
  const permissions = f.oneOf('permissions', KEY_PERMISSIONS) ?? 'all';
  const scopes = f.stringArray('scopes', { max: MAX_SCOPES });
  if (permissions === 'restricted') {
    if (scopes === undefined || scopes === null) throw missing('scopes');
    return { permissions, scopes: knownScopes(scopes) };
  }
  if (scopes !== undefined) throw new ApiError('invalid_parameter_combination', { param: 'scopes', requires: 'permissions', requirement: "'restricted'" }, { param: 'scopes' });
  return { permissions, scopes: [] };
}

const keyNotFound = (id: string) => new ApiError('resource_not_found', { resource: 'API key', id });

/**
 * POST /admin/v1/keys {organization_id, user_id, name, project_id?, permissions?, scopes?, expires_at?}
 * The key goes into `project_id` (an active project of the organization), else the Default project.
 * The answer carries the key itself (`key`) — the only time it is ever shown; only its HMAC is
 * stored.
 */
export const createKey: AdminHandler = async (ctx, deps) => {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['organization_id', 'user_id', 'name', 'project_id', 'permissions', 'scopes', 'expires_at']);
  const orgId = f.string('organization_id', { required: true });
  const userId = f.string('user_id', { required: true });
  const name = f.string('name', { required: true });
  const projectId = f.string('project_id');
  const { permissions, scopes } = keyPermissionsFrom(f);
  const nowSeconds = Math.floor(deps.clock.now() / 1000);
  const expiresAt = f.integer('expires_at', { nullable: true, min: nowSeconds + 1 });

  await liveOrganization(deps.store, orgId);
  await existingUser(deps.store, userId);
  if (!(await deps.store.memberships.get(orgId, userId))) {
    throw new ApiError('resource_conflict', { message: `User ${userId} is not a member of organization ${orgId}; add the user to the organization before creating a key.` }, { param: 'user_id' });
  }

  if (projectId !== undefined) {
    const project = await deps.store.projects.get(orgId, projectId);
    if (!project) throw new ApiError('resource_not_found', { resource: 'project', id: projectId }, { param: 'project_id' });
    activeProject(project, 'project_id');
  }

  const { key, redacted } = generateApiKey();
  const record = await deps.store.apiKeys.insert({
    orgId,
    ...(projectId !== undefined && { projectId }),
    userId,
    name,
    keyHash: await deps.identity.hashKey(key),
    redacted,
    permissions,
    scopes,
    expiresAt: expiresAt == null ? null : expiresAt * 1000,
  });
  deps.log?.info({ key_id: record.id, org_id: orgId, user_id: userId, key: redacted, permissions }, 'api key created');
  return {
    body: { ...keyObject(record), key },
    audit: { orgId, type: 'api_key.created', objectId: record.id, projectId: record.projectId, details: { id: record.id, data: { name, user_id: userId, permissions, scopes: record.scopes } } },
  };
};

/** GET /admin/v1/keys?organization_id&user_id&limit&after */
export const listKeys: AdminHandler = async (ctx, deps) => {
  const q = queryParams(ctx, ['organization_id', 'user_id', 'limit', 'after']);
  const req = pageRequest(q);
  const orgId = q.get('organization_id') || undefined;
  const userId = q.get('user_id') || undefined;
  // Keys of a deleted organization are still listed; an id that never existed is a 404.
  if (orgId !== undefined && !(await deps.store.organizations.get(orgId, { includeDeleted: true }))) {
    throw new ApiError('resource_not_found', { resource: 'organization', id: orgId }, { param: 'organization_id' });
  }
  return { body: listBody(await deps.store.apiKeys.list({ orgId, userId }, req), req, 'API key', keyObject) };
};

/** GET /admin/v1/keys/{key_id} */
export const getKey: AdminHandler = async (ctx, deps) => {
  const id = ctx.params.key_id!;
  const k = await deps.store.apiKeys.get(id);
  if (!k) throw keyNotFound(id);
  return { body: keyObject(k) };
};

/**
 * POST /admin/v1/keys/{key_id}/revoke — idempotent. When it returns, this instance refuses the
 * key and the others have been told; requests already past authentication finish.
 */
export const revokeKey: AdminHandler = async (ctx, deps) => {
  const id = ctx.params.key_id!;
  const wasActive = (await deps.store.apiKeys.get(id))?.status === 'active';
  const k = await deps.store.apiKeys.revoke(id);
  if (!k) throw keyNotFound(id);
  await deps.identity.invalidate({ kind: 'key', keyId: id });
  deps.log?.info({ key_id: id, org_id: k.orgId, key: k.redacted }, 'api key revoked');
  // Revoking a revoked key changes nothing: no entry.
  return { body: keyObject(k), ...(wasActive && { audit: { orgId: k.orgId, type: 'api_key.deleted', objectId: id, projectId: k.projectId, details: { id } } }) };
};

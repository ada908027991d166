import { ApiError } from '../errors/api-error.js';
import type { AdminDeps, AdminHandler } from './deps.js';
import { Fields, badValue, queryParams } from './input.js';
import { liveOrganization } from './lookups.js';
import { deletedObject, organizationObject } from './objects.js';
import { listBody, pageRequest } from './paging.js';

function checkTier(deps: AdminDeps, tier: string | undefined): void {
  if (tier !== undefined && !(tier in deps.config.tiers)) throw badValue('tier', tier, Object.keys(deps.config.tiers).map((t) => `'${t}'`).join(', '));
}

/** POST /admin/v1/organizations {name, tier?} */
export const createOrganization: AdminHandler = async (ctx, deps) => {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['name', 'tier']);
  const name = f.string('name', { required: true });
  const tier = f.string('tier');
  checkTier(deps, tier);
  const org = await deps.store.organizations.create({ name, tier: tier ?? deps.config.default_tier });
  deps.log?.info({ org_id: org.id, tier: org.tier }, 'organization created');
  return { body: organizationObject(org) };
};

/** GET /admin/v1/organizations?limit&after */
export const listOrganizations: AdminHandler = async (ctx, deps) => {
  const req = pageRequest(queryParams(ctx, ['limit', 'after']));
  return { body: listBody(await deps.store.organizations.list(req), req, 'organization', organizationObject) };
};

/** GET /admin/v1/organizations/{org_id} */
export const getOrganization: AdminHandler = async (ctx, deps) => {
  return { body: organizationObject(await liveOrganization(deps.store, ctx.params.org_id!)) };
};

/** PUT /admin/v1/organizations/{org_id} {name?, tier?} */
export const updateOrganization: AdminHandler = async (ctx, deps) => {
  const id = ctx.params.org_id!;
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['name', 'tier']);
  const name = f.string('name');
  const tier = f.string('tier');
  checkTier(deps, tier);
  await liveOrganization(deps.store, id);
  const org = await deps.store.organizations.update(id, { name, tier });
  if (!org) throw new ApiError('resource_not_found', { resource: 'organization', id });
  // The name and tier are part of every cached principal of the organization.
  await deps.identity.invalidate({ kind: 'org', orgId: id });
  deps.log?.info({ org_id: id, tier: org.tier }, 'organization updated');
  return { body: organizationObject(org) };
};

/** DELETE /admin/v1/organizations/{org_id}: soft delete; its keys stop working at once. */
export const deleteOrganization: AdminHandler = async (ctx, deps) => {
  const id = ctx.params.org_id!;
  if (!(await deps.store.organizations.softDelete(id))) throw new ApiError('resource_not_found', { resource: 'organization', id });
  await deps.identity.invalidate({ kind: 'org', orgId: id });
  deps.log?.info({ org_id: id }, 'organization deleted');
  return { body: deletedObject('organization.deleted', id) };
};

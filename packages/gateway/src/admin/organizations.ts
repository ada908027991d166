import { ApiError } from '../errors/api-error.js';
import type { OperatorChange } from './audit.js';
import type { AdminDeps, AdminHandler } from './deps.js';
import { Fields, badValue, queryParams, typeError } from './input.js';
import { EMAIL } from './users.js';
import { liveOrganization } from './lookups.js';
import { deletedObject, organizationObject, userObject } from './objects.js';
import { listBody, pageRequest } from './paging.js';
import { orgLimits } from '../limits/limit-layers.js';
import { withLimitSeeds } from '../usage/limit-seeds.js';

function checkTier(deps: AdminDeps, tier: string | undefined): void {
  // Own keys only: `in` would take 'constructor' or 'toString' (Object's) for a tier, which has no limits.
  if (tier !== undefined && !Object.hasOwn(deps.config.tiers, tier)) throw badValue('tier', tier, Object.keys(deps.config.tiers).map((t) => `'${t}'`).join(', '));
}

/** `owner`: `{email, name?}`: the organization's first owner (an existing user by e-mail, or a new one, then `name` is required). */
function readOwner(f: Fields): { email: string; name: string | undefined } | undefined {
  const raw = f.raw('owner');
  if (raw === undefined) return undefined;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw typeError('owner', 'an object', raw);
  const { email, name, ...rest } = raw as Record<string, unknown>;
  if (Object.keys(rest).length) throw new ApiError('unrecognized_argument', { names: `owner.${Object.keys(rest)[0]}` });
  if (typeof email !== 'string' || !EMAIL.test(email.trim())) throw badValue('owner.email', email, 'an email address');
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) throw typeError('owner.name', 'a non-empty string', name);
  return { email: email.trim().toLowerCase(), name: typeof name === 'string' ? name.trim() : undefined };
}

/** POST /admin/v1/organizations {name, tier?, owner?: {email, name?}} */
export const createOrganization: AdminHandler = async (ctx, deps) => {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['name', 'tier', 'owner']);
  const name = f.string('name', { required: true });
  const tier = f.string('tier');
  checkTier(deps, tier);
  const owner = readOwner(f);
  let user = owner && (await deps.store.users.getByEmail(owner.email));
  if (owner && !user && owner.name === undefined) throw new ApiError('missing_required_parameter', { param: 'owner.name' }, { param: 'owner.name' });
  const org = await deps.store.organizations.create({ name, tier: tier ?? deps.config.default_tier });
  if (owner) {
    user ??= await deps.store.users.create({ email: owner.email, name: owner.name! });
    await deps.store.memberships.add(org.id, user.id, 'owner');
  }
  deps.log?.info({ org_id: org.id, tier: org.tier, owner_user_id: user?.id }, 'organization created');
  const created: OperatorChange = { orgId: org.id, type: 'organization.created', objectId: org.id, details: { id: org.id, data: { name: org.name, tier: org.tier } } };
  const ownerAdded: OperatorChange[] = user ? [{ orgId: org.id, type: 'user.added', objectId: user.id, details: { id: user.id, data: { role: 'owner' } } }] : [];
  return { body: { ...organizationObject(org), ...(user ? { owner: userObject(user) } : {}) }, audit: [created, ...ownerAdded] };
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
  const was = await liveOrganization(deps.store, id);
  // A limit the new tier sets where the old one had none starts from what the organization used.
  const overrides = await deps.store.rateLimits.orgOverrides(id);
  const limitsIn = (t: string) => (m: string) => orgLimits(deps.config, t, m, overrides);
  const org = await withLimitSeeds(
    deps.limitSeeds,
    id,
    { kind: 'organization' },
    deps.config.models.map((m) => m.name),
    { before: limitsIn(was.tier), predicted: limitsIn(tier ?? was.tier), actual: (o) => limitsIn(o?.tier ?? was.tier) },
    async () => {
      const updated = await deps.store.organizations.update(id, { name, tier });
      // The name and tier are part of every cached principal of the organization.
      if (updated) await deps.identity.invalidate({ kind: 'org', orgId: id });
      return updated;
    },
  );
  if (!org) throw new ApiError('resource_not_found', { resource: 'organization', id });
  deps.log?.info({ org_id: id, tier: org.tier }, 'organization updated');
  const changes = { ...(name !== undefined && { name }), ...(tier !== undefined && { tier }) };
  return { body: organizationObject(org), audit: { orgId: id, type: 'organization.updated', objectId: id, details: { id, changes_requested: changes } } };
};

/** DELETE /admin/v1/organizations/{org_id}: soft delete; its keys stop working at once. */
export const deleteOrganization: AdminHandler = async (ctx, deps) => {
  const id = ctx.params.org_id!;
  if (!(await deps.store.organizations.softDelete(id))) throw new ApiError('resource_not_found', { resource: 'organization', id });
  await deps.identity.invalidate({ kind: 'org', orgId: id });
  deps.log?.info({ org_id: id }, 'organization deleted');
  return { body: deletedObject('organization.deleted', id), audit: { orgId: id, type: 'organization.deleted', objectId: id, details: { id } } };
};

import type { AdminHandler } from './deps.js';
import { Fields, badValue, missing } from './input.js';
import { liveOrganization } from './lookups.js';
import { modelsObject } from './objects.js';

/** GET /admin/v1/organizations/{org_id}/models */
export const getModelAccess: AdminHandler = async (ctx, deps) => {
  const org = await liveOrganization(deps.store, ctx.params.org_id!);
  return { body: modelsObject(org.id, await deps.store.modelAccess.get(org.id)) };
};

/** PUT /admin/v1/organizations/{org_id}/models {allowed: [...] | null} (null = every model) */
export const setModelAccess: AdminHandler = async (ctx, deps) => {
  const orgId = ctx.params.org_id!;
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['allowed']);
  const allowed = f.stringArray('allowed', { nullable: true });
  if (allowed === undefined) throw missing('allowed');
  const configured = deps.config.models.map((m) => m.name);
  allowed?.forEach((m, i) => {
    if (!configured.includes(m)) throw badValue(`allowed[${i}]`, m, configured.map((x) => `'${x}'`).join(', '));
  });
  await liveOrganization(deps.store, orgId);
  await deps.store.modelAccess.set(orgId, allowed);
  await deps.identity.invalidate({ kind: 'org', orgId });
  deps.log?.info({ org_id: orgId, allowed }, 'model access changed');
  return {
    body: modelsObject(orgId, await deps.store.modelAccess.get(orgId)),
    audit: { orgId, type: 'organization.updated', objectId: orgId, details: { id: orgId, changes_requested: { allowed_models: allowed } } },
  };
};

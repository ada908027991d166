/**
 * `/v1/organization/admin_api_keys`: create (the key is in the answer once, as `value`), list,
 * retrieve, delete. A deleted key is refused at its next request on every instance: admin keys
 * are looked up on every request, never cached.
 * @module
 */
import { Fields } from '../admin/input.js';
import { ApiError } from '../errors/api-error.js';
import { adminScope } from './auth.js';
import type { AuditActor } from './audit.js';
import { generateAdminKey } from './admin-key-format.js';
import type { OrgDeps, OrgHandler } from './deps.js';
import { found, listBody, listQuery, notFound, orderParam } from './list.js';
import { adminApiKeyObject, deletedObject } from './objects.js';

/** Longest `expires_in_seconds` accepted: ten years. */
const MAX_EXPIRY_SECONDS = 10 * 365 * 86_400;

/**
 * Creates an admin key of `orgId` owned by `ownerUserId`, records it in the audit log, and
 * returns the create response (with `value`, the only time the key is shown). Also used by the
 * operator API. The owner's standing is checked again where the key is stored, under the lock a
 * removal takes: when they stopped being an owner since the caller looked, `ownerGone` is thrown
 * and no key exists.
 */
export async function issueAdminKey(
  deps: OrgDeps,
  actor: AuditActor,
  orgId: string,
  input: { name: string; ownerUserId: string | null; expiresInSeconds?: number | undefined },
  ownerGone: () => ApiError | Promise<ApiError>,
) {
  const { key, redacted } = generateAdminKey();
  const expiresAt = input.expiresInSeconds === undefined ? null : deps.clock.now() + input.expiresInSeconds * 1000;
  const record = await deps.store.adminApiKeys.insert({ orgId, ownerUserId: input.ownerUserId, name: input.name, keyHash: await deps.identity.hashKey(key), redacted, expiresAt });
  if (!record) throw await ownerGone();
  await deps.audit.record(actor, orgId, { type: 'api_key.created', objectId: record.id, details: { id: record.id, data: { scopes: ['api.organization.admin'], name: record.name, kind: 'admin' } } });
  deps.log?.info({ admin_key_id: record.id, org_id: orgId, key: redacted }, 'admin api key created');
  return { ...adminApiKeyObject(record), value: key };
}

/** POST /v1/organization/admin_api_keys {name, expires_in_seconds?} */
export const createAdminApiKey: OrgHandler = async (ctx, caller, deps) => {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['name', 'expires_in_seconds']);
  const name = f.string('name', { required: true });
  const expiresInSeconds = f.integer('expires_in_seconds', { min: 1, max: MAX_EXPIRY_SECONDS }) ?? undefined;
  // The caller's owner left or was demoted while this request ran: refused as their key is now.
  const ownerGone = () => new ApiError('insufficient_permissions', { scopes: adminScope(ctx.method, ctx.path) });
  return { body: await issueAdminKey(deps, caller.actor, caller.org.id, { name, ownerUserId: caller.ownerUserId, expiresInSeconds }, ownerGone) };
};

/** GET /v1/organization/admin_api_keys?limit&after&order */
export const listAdminApiKeys: OrgHandler = async (ctx, caller, deps) => {
  const { q, page } = listQuery(ctx, ['order']);
  const order = orderParam(q, 'asc');
  return { body: listBody(await deps.store.adminApiKeys.list(caller.org.id, page, order), page, 'admin API key', adminApiKeyObject) };
};

/** GET /v1/organization/admin_api_keys/{key_id} */
export const getAdminApiKey: OrgHandler = async (ctx, caller, deps) => {
  const id = ctx.params.key_id!;
  return { body: adminApiKeyObject(await found('admin API key', id, deps.store.adminApiKeys.get(caller.org.id, id))) };
};

/** DELETE /v1/organization/admin_api_keys/{key_id} */
export const deleteAdminApiKey: OrgHandler = async (ctx, caller, deps) => {
  const id = ctx.params.key_id!;
  const k = await deps.store.adminApiKeys.delete(caller.org.id, id);
  if (!k) throw notFound('admin API key', id);
  await deps.audit.record(caller.actor, caller.org.id, { type: 'api_key.deleted', objectId: id, details: { id } });
  deps.log?.info({ admin_key_id: id, org_id: caller.org.id, key: k.redacted }, 'admin api key deleted');
  return { body: deletedObject('organization.admin_api_key.deleted', id) };
};

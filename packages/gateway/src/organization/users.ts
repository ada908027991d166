/**
 * `/v1/organization/users`: the organization's members (`organization.user`), their role
 * (`owner` | `reader`) and their removal. Removing a user (or making them a reader) reaches every
 * instance before the call returns: the organization's cached keys are invalidated over the same
 * Redis event path as a key revocation, so the user's keys are refused at their next request (a
 * new reader's in the projects they are not a member of; the Default project's and their own
 * projects' keys keep working, since readers use the API).
 *
 * Admin keys act with their owner's current standing (organization/auth.ts, looked up on every
 * request, never cached): a reader's are refused until they are an owner again, and removing a
 * user deletes their admin keys in the same transaction, each with its own `api_key.deleted`
 * audit entry.
 * @module
 */
import { Fields } from '../admin/input.js';
import { ApiError } from '../errors/api-error.js';
import { ROLES, type Member, type RevokedAdminKey, type Role } from '../store/index.js';
import type { AuditActor } from './audit.js';
import type { OrgDeps, OrgHandler } from './deps.js';
import { arrayParam, found, listBody, listQuery, notFound } from './list.js';
import { deletedObject, seconds } from './objects.js';

/** The organization roles OpenAI's Administration API sets: the store's, which are the same. */
export const ORG_ROLES = ROLES;

export function organizationUserObject(m: Member) {
  return { object: 'organization.user', id: m.userId, name: m.name, email: m.email, role: m.role, added_at: seconds(m.createdAt) };
}

const member = (deps: OrgDeps, orgId: string, userId: string): Promise<Member> => found('user', userId, deps.store.memberships.get(orgId, userId));

/** An organization keeps at least one owner: its last owner cannot leave or become a reader. */
async function changeKeepingAnOwner(deps: OrgDeps, orgId: string, userId: string, change: Role | 'removed', what: string): Promise<RevokedAdminKey[]> {
  const r = await deps.store.memberships.changeKeepingAnOwner(orgId, userId, change);
  if (r.outcome === 'not_found') throw notFound('user', userId);
  if (r.outcome === 'last_owner') {
    throw new ApiError('resource_conflict', { message: `User ${userId} is the last owner of the organization and cannot be ${what}; make another user an owner first.` });
  }
  return r.revokedAdminKeys;
}

/**
 * The audit entries and log lines of the admin keys a member's removal deleted (in its
 * transaction), made by the actor who removed them (the operator API returns the same entries from
 * its handler, admin/members.ts).
 */
export async function recordRevokedAdminKeys(deps: Pick<OrgDeps, 'audit' | 'log'>, actor: AuditActor, orgId: string, userId: string, keys: readonly RevokedAdminKey[]): Promise<void> {
  for (const k of keys) {
    await deps.audit.record(actor, orgId, { type: 'api_key.deleted', objectId: k.id, details: { id: k.id } });
    deps.log?.info({ admin_key_id: k.id, org_id: orgId, user_id: userId, key: k.redacted }, "admin api key deleted with its owner's membership");
  }
}

/** GET /v1/organization/users?limit&after&emails[] */
export const listUsers: OrgHandler = async (ctx, caller, deps) => {
  const { q, page } = listQuery(ctx, ['emails']);
  const emails = arrayParam(q, 'emails');
  return { body: listBody(await deps.store.memberships.list(caller.org.id, page, emails ? { emails } : {}), page, 'user', organizationUserObject) };
};

/** GET /v1/organization/users/{user_id} */
export const getUser: OrgHandler = async (ctx, caller, deps) => ({ body: organizationUserObject(await member(deps, caller.org.id, ctx.params.user_id!)) });

/**
 * What the official SDK's `users.update` may send besides `role`: a custom role's id (Tollgate has
 * no custom roles, so any id is a 404 naming `role_id`), and two profile fields it checks and does
 * not keep (the user object has neither).
 */
const USER_UPDATE_FIELDS = ['role', 'role_id', 'developer_persona', 'technical_level'];

/**
 * POST /v1/organization/users/{user_id} {role?, role_id?, developer_persona?, technical_level?}:
 * every field may be null or left out (the SDK's types); without a role the user is unchanged.
 */
export const updateUser: OrgHandler = async (ctx, caller, deps) => {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, USER_UPDATE_FIELDS, { optional: true });
  const role = f.oneOf('role', ORG_ROLES, { nullable: true });
  const roleId = f.string('role_id', { nullable: true });
  f.string('developer_persona', { nullable: true });
  f.string('technical_level', { nullable: true });
  const userId = ctx.params.user_id!;
  const current = await member(deps, caller.org.id, userId);
  if (roleId) throw notFound('role', roleId, 'role_id');
  if (role === undefined) return { body: organizationUserObject(current) };
  await changeKeepingAnOwner(deps, caller.org.id, userId, role, `made a ${role}`);
  const m = await member(deps, caller.org.id, userId);
  // The role is part of every cached principal of the organization: an owner's keys reach every
  // project, a reader's only the Default project and the projects they are a member of.
  await deps.identity.invalidate({ kind: 'org', orgId: caller.org.id });
  await deps.audit.record(caller.actor, caller.org.id, { type: 'user.updated', objectId: m.userId, details: { id: m.userId, changes_requested: { role } } });
  deps.log?.info({ org_id: caller.org.id, user_id: m.userId, role }, 'organization user updated');
  return { body: organizationUserObject(m) };
};

/** DELETE /v1/organization/users/{user_id}: the user's keys are refused at once, on every instance; their admin keys are deleted. */
export const deleteUser: OrgHandler = async (ctx, caller, deps) => {
  const userId = ctx.params.user_id!;
  const revoked = await changeKeepingAnOwner(deps, caller.org.id, userId, 'removed', 'removed');
  await deps.identity.invalidate({ kind: 'org', orgId: caller.org.id });
  await deps.audit.record(caller.actor, caller.org.id, { type: 'user.deleted', objectId: userId, details: { id: userId } });
  await recordRevokedAdminKeys(deps, caller.actor, caller.org.id, userId, revoked);
  deps.log?.info({ org_id: caller.org.id, user_id: userId }, 'organization user removed');
  return { body: deletedObject('organization.user.deleted', userId) };
};

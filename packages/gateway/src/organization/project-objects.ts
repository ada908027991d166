/**
 * The project objects of the Administration API, shaped as the official SDK declares them
 * (`openai/resources/admin/organization/projects/**`).
 * @module
 */
import type { ApiKeyRecord, Project, ProjectMember, ServiceAccount } from '../store/index.js';
import type { OrgDeps } from './deps.js';
import { seconds } from './objects.js';
import { mayUseProject } from './project-access.js';

/** `organization.project` */
export function projectObject(p: Project) {
  return { object: 'organization.project', id: p.id, name: p.name, created_at: seconds(p.createdAt), archived_at: seconds(p.archivedAt), status: p.status, external_key_id: p.externalKeyId };
}

/** `organization.project.user` */
export function projectUserObject(u: ProjectMember) {
  return { object: 'organization.project.user', id: u.userId, name: u.name, email: u.email, role: u.role, added_at: seconds(u.addedAt) };
}

/** `organization.project.service_account` */
export function serviceAccountObject(s: ServiceAccount) {
  return { object: 'organization.project.service_account', id: s.id, name: s.name, role: s.role, created_at: seconds(s.createdAt) };
}

/** Who owns a project key, as the key object shows it, and whether that owner can still use it. */
export interface KeyOwner {
  owner:
    | { type: 'user'; user: { id: string; email: string; name: string; created_at: number | null; role: string } }
    | { type: 'service_account'; service_account: { id: string; name: string; created_at: number | null; role: string } };
  access: 'active' | 'inactive';
}

/**
 * The owners of keys of one project, read in two queries. A user's access is active while they
 * are a member of the organization and, outside the Default project, of the project or an
 * organization owner (the rule authentication applies); a service account's while it exists.
 */
export async function keyOwners(deps: OrgDeps, project: Project, keys: readonly ApiKeyRecord[]): Promise<Map<string, KeyOwner>> {
  const ids = [...new Set(keys.map((k) => k.userId))];
  const out = new Map<string, KeyOwner>();
  if (ids.length === 0) return out;
  const db = deps.store.db;
  const [users, accounts] = await Promise.all([
    db
      .selectFrom('users as u')
      .leftJoin('memberships as m', (j) => j.onRef('m.user_id', '=', 'u.id').on('m.org_id', '=', project.orgId))
      .leftJoin('project_members as pm', (j) => j.onRef('pm.user_id', '=', 'u.id').on('pm.project_id', '=', project.id))
      .select(['u.id', 'u.email', 'u.name', 'u.created_at', 'm.role as org_role', 'pm.role as project_role'])
      .where('u.id', 'in', ids)
      .execute(),
    db.selectFrom('service_accounts').selectAll().where('id', 'in', ids).execute(),
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  for (const k of keys) {
    const a = accountById.get(k.userId);
    const u = userById.get(k.userId);
    out.set(
      k.id,
      keyOwnerOf(k, project.isDefault, {
        account: a && { name: a.name, role: a.role, createdAt: Number(a.created_at), deleted: a.deleted_at !== null },
        user: u && { email: u.email, name: u.name, createdAt: Number(u.created_at), orgRole: u.org_role ?? null, projectRole: u.project_role ?? null },
      }),
    );
  }
  return out;
}

/** What is known of a key's owner: its service account, or its user with their roles (null: none). */
interface OwnerFacts {
  account?: { name: string; role: string; createdAt: number; deleted: boolean } | undefined;
  user?: { email: string; name: string; createdAt: number; orgRole: string | null; projectRole: string | null } | undefined;
}

/** A key's owner as the key object shows it, in a project that `isDefault` or not. */
export function keyOwnerOf(k: ApiKeyRecord, isDefault: boolean, f: OwnerFacts): KeyOwner {
  const a = f.account;
  if (k.ownerType === 'service_account' && a) {
    return { owner: { type: 'service_account', service_account: { id: k.userId, name: a.name, created_at: seconds(a.createdAt), role: a.role } }, access: a.deleted ? 'inactive' : 'active' };
  }
  const u = f.user;
  const orgRole = u?.orgRole ?? null;
  const active = orgRole !== null && mayUseProject(isDefault, orgRole, u?.projectRole);
  return {
    owner: { type: 'user', user: { id: k.userId, email: u?.email ?? '', name: u?.name ?? '', created_at: u ? seconds(u.createdAt) : null, role: u?.projectRole ?? (orgRole === 'owner' ? 'owner' : 'member') } },
    access: active ? 'active' : 'inactive',
  };
}

/** `organization.project.api_key` */
export function projectApiKeyObject(k: ApiKeyRecord, o: KeyOwner) {
  return {
    object: 'organization.project.api_key' as const,
    id: k.id,
    name: k.name,
    redacted_value: k.redacted,
    created_at: seconds(k.createdAt),
    last_used_at: seconds(k.lastUsedAt),
    owner: o.owner,
    owner_project_access: o.access,
  };
}

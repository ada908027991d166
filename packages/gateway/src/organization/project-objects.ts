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
    if (k.ownerType === 'service_account' && a) {
      out.set(k.id, { owner: { type: 'service_account', service_account: { id: a.id, name: a.name, created_at: seconds(Number(a.created_at)), role: a.role } }, access: a.deleted_at === null ? 'active' : 'inactive' });
      continue;
    }
    const u = userById.get(k.userId);
    const orgRole = u?.org_role ?? null;
    const active = orgRole !== null && mayUseProject(project.isDefault, orgRole, u?.project_role);
    out.set(k.id, {
      owner: { type: 'user', user: { id: k.userId, email: u?.email ?? '', name: u?.name ?? '', created_at: u ? seconds(Number(u.created_at)) : null, role: u?.project_role ?? (orgRole === 'owner' ? 'owner' : 'member') } },
      access: active ? 'active' : 'inactive',
    });
  }
  return out;
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

/**
 * A member's own API keys in the console (OpenAI's Administration API has no endpoint for a
 * user's key; service-account keys come from the project's service accounts):
 *
 * ```
 * GET    /console/api/projects            → list of the projects the member may make keys in
 * GET    /console/api/api_keys?limit&after&owner_project_access&include_archived
 *   → the organization's keys, newest first, each with its project
 * POST   /console/api/api_keys            {name, project_id?, permissions?: all|read_only|restricted, scopes?}
 *   → organization.project.api_key + {value}   (the secret, shown this once; only its HMAC is stored)
 * DELETE /console/api/api_keys/{key_id}   → organization.project.api_key.deleted (the member's own key)
 * ```
 * A key goes into `project_id` (default: the Default project), which must be an active project
 * of the session's organization that the user may use: the Default project, one they are a
 * member of, or any for an owner — the rule authentication applies to the key afterwards.
 * Readers may create keys (readers use the API) and revoke their own; revoking anyone else's is
 * an owner's change through the Administration API. Both are recorded in the audit log as the
 * user's. The list is the console's API keys page in one request a page, however many projects
 * the organization has: what `GET /v1/organization/projects/{id}/api_keys` shows of each of its
 * active projects (live keys whose owner may use them; readers read those lists too), with that
 * list's `owner_project_access` and the project list's `include_archived` (the Usage page names
 * every live key, of archived projects too, whoever may use it).
 * @module
 */
import { Fields, badValue, queryBoolean, queryParams } from '../admin/input.js';
import { listBody, pageRequest } from '../admin/paging.js';
import { keyPermissionsFrom } from '../admin/keys.js';
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { generateApiKey } from '../identity/index.js';
import { deletedObject } from '../organization/objects.js';
import { keyOwnerOf, keyOwners, projectApiKeyObject, projectObject } from '../organization/project-objects.js';
import type { Project, ProjectRole, Role, Store } from '../store/index.js';
import { mayUseProject } from '../organization/project-access.js';
import type { ConsoleHandler } from './deps.js';
import { activeProject } from '../organization/project-archived.js';

/** Whether a member with organization role `role` and project role `projectRole` may make keys in `p`: an active project they may use. */
const mayUse = (p: Project, role: Role, projectRole: ProjectRole | undefined): boolean => p.status === 'active' && mayUseProject(p.isDefault, role, projectRole);

const sessionActor = (ctx: RequestContext, user: { id: string; email: string }) => ({ type: 'session' as const, session: { user: { id: user.id, email: user.email }, ip_address: ctx.clientIp } });

/** Every active project of an organization, in creation order. */
async function activeProjects(store: Store, orgId: string): Promise<Project[]> {
  const out: Project[] = [];
  for (let after: string | undefined; ; ) {
    const page = await store.projects.list(orgId, { includeArchived: false }, { limit: 500, ...(after === undefined ? {} : { after }) });
    out.push(...page.items);
    if (!page.hasMore || page.items.length === 0) return out;
    after = page.items[page.items.length - 1]!.id;
  }
}

/**
 * GET /console/api/projects: the active projects the signed-in member may make keys in, in
 * creation order, each an `organization.project` with `is_default` and `role` (the member's role
 * in the project; null where they are not a member of it: the Default project, which every
 * member reaches, or any project for an organization owner).
 */
export const listKeyProjects: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.requireMember(ctx);
  const [projects, roles] = await Promise.all([activeProjects(deps.store, s.org.id), deps.store.projectMembers.rolesOf(s.org.id, s.user.id)]);
  const data = projects.filter((p) => mayUse(p, s.role, roles.get(p.id))).map((p) => ({ ...projectObject(p), is_default: p.isDefault, role: roles.get(p.id) ?? null }));
  return { body: { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: false } };
};

const ACCESS = ['active', 'inactive', 'any'] as const;

/**
 * GET /console/api/api_keys?limit&after&owner_project_access&include_archived: the session's
 * organization's live keys, newest first, a page at a time (`limit` 1..100, default 20; `after` a
 * key id), each an `organization.project.api_key` with Tollgate's `project: {id, name}`. By
 * default those of its active projects whose owner may still use them; `owner_project_access`
 * (`active`, `inactive`, `any`) as the project lists take it, `include_archived=true` the keys of
 * archived projects too.
 */
export const listOrgApiKeys: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.requireMember(ctx);
  const q = queryParams(ctx, ['limit', 'after', 'owner_project_access', 'include_archived']);
  const req = pageRequest(q);
  const access = q.get('owner_project_access') ?? 'active';
  if (!(ACCESS as readonly string[]).includes(access)) throw badValue('owner_project_access', access, "'active', 'inactive', 'any'");
  const filter = { access: access as (typeof ACCESS)[number], includeArchived: queryBoolean(q, 'include_archived') ?? false };
  const page = await deps.store.apiKeys.listInOrg(s.org.id, filter, req);
  return {
    body: listBody(page, req, 'API key', (u) => ({
      ...projectApiKeyObject(u.key, keyOwnerOf(u.key, u.project.isDefault, { user: u.user ?? undefined, account: u.serviceAccount ?? undefined })),
      project: { id: u.project.id, name: u.project.name },
    })),
  };
};

export const createOwnApiKey: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.requireMember(ctx);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['name', 'project_id', 'permissions', 'scopes']);
  const name = f.string('name', { required: true, max: 200 });
  const projectId = f.string('project_id');
  const { permissions, scopes } = keyPermissionsFrom(f);
  const { store } = deps;
  const project = projectId === undefined ? await store.projects.defaultOf(s.org.id) : await store.projects.get(s.org.id, projectId);
  const usable = project && mayUseProject(project.isDefault, s.role, await store.projectMembers.get(project.id, s.user.id).then((m) => m?.role));
  if (!project || !usable) throw new ApiError('resource_not_found', { resource: 'project', id: projectId ?? 'default' }, { param: 'project_id' });
  activeProject(project, 'project_id');

  const { key, redacted } = generateApiKey();
  const record = await store.apiKeys.insert({ orgId: s.org.id, projectId: project.id, userId: s.user.id, name, keyHash: await deps.identity.hashKey(key), redacted, permissions, scopes, expiresAt: null });
  await deps.org.audit.record(sessionActor(ctx, s.user), s.org.id, { type: 'api_key.created', objectId: record.id, projectId: project.id, details: { id: record.id, data: { scopes, name, permissions } } });
  deps.log?.info({ key_id: record.id, org_id: s.org.id, user_id: s.user.id, key: redacted }, 'console: api key created');
  const owner = (await keyOwners(deps.org, project, [record])).get(record.id)!;
  return { body: { ...projectApiKeyObject(record, owner), value: key } };
};

/**
 * DELETE /console/api/api_keys/{key_id}: revokes a live key of the session's organization that
 * the signed-in user owns (refused at its next request everywhere). Any other key, a service
 * account's included, is 404 here whatever the role: an owner revokes those through
 * `DELETE /v1/organization/projects/{project_id}/api_keys/{key_id}`.
 */
export const revokeOwnApiKey: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.requireMember(ctx);
  const id = ctx.params.key_id!;
  const k = await deps.store.apiKeys.get(id);
  if (!k || k.orgId !== s.org.id || k.ownerType !== 'user' || k.userId !== s.user.id || k.status !== 'active') {
    throw new ApiError('resource_not_found', { resource: 'API key', id });
  }
  await deps.store.apiKeys.revoke(k.id);
  await deps.identity.invalidate({ kind: 'key', keyId: k.id });
  await deps.org.audit.record(sessionActor(ctx, s.user), s.org.id, { type: 'api_key.deleted', objectId: k.id, projectId: k.projectId, details: { id: k.id } });
  deps.log?.info({ key_id: k.id, org_id: s.org.id, user_id: s.user.id }, 'console: own api key revoked');
  return { body: deletedObject('organization.project.api_key.deleted', k.id) };
};

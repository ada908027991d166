/**
 * `/v1/organization/projects`: create, list (`include_archived`), retrieve, update, archive; and
 * a project's users, service accounts and API keys. Every change is in the audit log, and every
 * change that takes access away (archiving, removing a user, deleting a service account or a
 * key) is an identity invalidation: refused at the next request on every instance.
 *
 * ```
 * POST   /projects                              {name, external_key_id?, geography?}
 * GET    /projects?include_archived&limit&after
 * GET    /projects/{project_id}
 * POST   /projects/{project_id}                 {name?, external_key_id?, geography?}  (null: name kept, external_key_id removed)
 * POST   /projects/{project_id}/archive
 * GET|POST            /projects/{project_id}/users            {user_id | email, role}
 * GET|POST|DELETE     /projects/{project_id}/users/{user_id}  {role}
 * GET|POST            /projects/{project_id}/service_accounts {name, create_service_account_only?}
 * GET|POST|DELETE     /projects/{project_id}/service_accounts/{service_account_id}  {name?, role?}
 * POST                /projects/{project_id}/service_accounts/{service_account_id}/api_keys  {name?, scopes?}
 * GET                 /projects/{project_id}/api_keys?owner_project_access
 * GET|DELETE          /projects/{project_id}/api_keys/{key_id}
 * ```
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { Fields, badValue, queryBoolean } from '../admin/input.js';
import type { RequestContext } from '../http/context.js';
import { knownScopes, MAX_SCOPES } from '../admin/keys.js';
import { generateApiKey } from '../identity/index.js';
import { PROJECT_ROLES, type KeyPermissions, type Page, type PageRequest, type Project, type Store } from '../store/index.js';
import type { OrgCaller, OrgDeps, OrgHandler } from './deps.js';
import { found, listBody, listQuery, notFound } from './list.js';
import { deletedObject } from './objects.js';
import { activeProject } from './project-archived.js';
import { keyOwners, projectApiKeyObject, projectObject, projectUserObject, serviceAccountObject } from './project-objects.js';

/**
 * The project in the path, of the caller's organization; else 404. Archived ones are read (GET)
 * as any other; a request that changes anything in one (any other method) is refused with
 * project_archived, before its body is read.
 */
export async function pathProject(deps: OrgDeps, caller: OrgCaller, ctx: RequestContext): Promise<Project> {
  const id = ctx.params.project_id!;
  const p = await found('project', id, deps.store.projects.get(caller.org.id, id));
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') activeProject(p);
  return p;
}

/** Changes that take access away, or limits: every instance re-reads the organization at its next request. */
export const announce = (deps: OrgDeps, orgId: string): Promise<void> => deps.identity.invalidate({ kind: 'org', orgId });

/**
 * A plain list of a project's objects (`limit`, `after`) as OpenAI's list object: the project
 * in the path must be the caller's; `noun` names the object a stale `after` does not find.
 */
function projectList<T>(noun: string, list: (store: Store, projectId: string, page: PageRequest) => Promise<Page<T>>, toObject: (x: T) => { id: string }): OrgHandler {
  return async (ctx, caller, deps) => {
    const p = await pathProject(deps, caller, ctx);
    const { page } = listQuery(ctx);
    return { body: listBody(await list(deps.store, p.id, page), page, noun, toObject) };
  };
}

const PROJECT_FIELDS = ['name', 'external_key_id', 'geography'];

/** POST /projects */
export const createProject: OrgHandler = async (ctx, caller, deps) => {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, PROJECT_FIELDS);
  const name = f.string('name', { required: true });
  const externalKeyId = f.string('external_key_id', { nullable: true }) ?? null;
  f.string('geography', { nullable: true });
  const p = await deps.store.projects.create(caller.org.id, { name, externalKeyId });
  // An instance that was asked about this id before (OpenAI-Project) and remembered it as unknown forgets that.
  await deps.identity.invalidate({ kind: 'org', orgId: caller.org.id, projectId: p.id });
  await deps.audit.record(caller.actor, caller.org.id, { type: 'project.created', objectId: p.id, projectId: p.id, details: { id: p.id, data: { name, external_key_id: externalKeyId } } });
  return { body: projectObject(p) };
};

/** GET /projects?include_archived */
export const listProjects: OrgHandler = async (ctx, caller, deps) => {
  const { q, page } = listQuery(ctx, ['include_archived']);
  const includeArchived = queryBoolean(q, 'include_archived') ?? false;
  return { body: listBody(await deps.store.projects.list(caller.org.id, { includeArchived }, page), page, 'project', projectObject) };
};

/** GET /projects/{project_id} */
export const getProject: OrgHandler = async (ctx, caller, deps) => ({ body: projectObject(await pathProject(deps, caller, ctx)) });

/** POST /projects/{project_id} */
export const updateProject: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, PROJECT_FIELDS);
  // The SDK types each as nullable: a null name keeps the name, a null external_key_id removes it.
  const name = f.string('name', { nullable: true }) ?? undefined;
  const externalKeyId = f.string('external_key_id', { nullable: true });
  f.string('geography', { nullable: true });
  const updated = (await deps.store.projects.update(caller.org.id, p.id, { ...(name !== undefined && { name }), ...(externalKeyId !== undefined && { externalKeyId }) }))!;
  const changes = { ...(name !== undefined && { name }), ...(externalKeyId !== undefined && { external_key_id: externalKeyId }) };
  await deps.audit.record(caller.actor, caller.org.id, { type: 'project.updated', objectId: p.id, projectId: p.id, details: { id: p.id, changes_requested: changes } });
  return { body: projectObject(updated) };
};

/**
 * POST /projects/{project_id}/archive — its keys are refused at once; the Default project stays.
 * An archived project is not archived again: project_archived, as any change to it.
 */
export const archiveProject: OrgHandler = async (ctx, caller, deps) => {
  const { id } = await pathProject(deps, caller, ctx);
  const r = await deps.store.projects.archive(caller.org.id, id);
  if (r === undefined) throw notFound('project', id);
  if (r === 'default') throw new ApiError('resource_conflict', { message: 'The Default project cannot be archived.' });
  await announce(deps, caller.org.id);
  await deps.audit.record(caller.actor, caller.org.id, { type: 'project.archived', objectId: id, projectId: id, details: { id } });
  return { body: projectObject(r) };
};

// ---- users ----

const projectUser = (deps: OrgDeps, project: Project, userId: string) => found('project user', userId, deps.store.projectMembers.get(project.id, userId));

/** GET /projects/{project_id}/users */
export const listProjectUsers = projectList('project user', (store, projectId, page) => store.projectMembers.list(projectId, page), projectUserObject);

/** POST /projects/{project_id}/users {user_id | email, role}: the user must be a member of the organization. */
export const addProjectUser: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['user_id', 'email', 'role']);
  const role = f.oneOf('role', PROJECT_ROLES, { required: true })!;
  const userId = f.string('user_id', { nullable: true }) ?? undefined;
  const email = f.string('email', { nullable: true }) ?? undefined;
  if (userId === undefined && email === undefined) throw new ApiError('missing_required_parameter', { param: 'user_id' }, { param: 'user_id' });
  const user = userId !== undefined ? await deps.store.users.get(userId) : await deps.store.users.getByEmail(email!);
  const member = user && (await deps.store.memberships.get(caller.org.id, user.id));
  if (!user || !member) throw notFound('user', userId ?? email!, userId !== undefined ? 'user_id' : 'email');
  const added = await deps.store.projectMembers.add(p.id, user.id, role);
  await announce(deps, caller.org.id);
  await deps.audit.record(caller.actor, caller.org.id, { type: 'user.added', objectId: user.id, projectId: p.id, details: { id: user.id, data: { role } } });
  return { body: projectUserObject(added) };
};

/** GET /projects/{project_id}/users/{user_id} */
export const getProjectUser: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  return { body: projectUserObject(await projectUser(deps, p, ctx.params.user_id!)) };
};

/** POST /projects/{project_id}/users/{user_id} {role?}: the SDK types the role as optional and nullable; without one the user is unchanged. */
export const updateProjectUser: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const u = await projectUser(deps, p, ctx.params.user_id!);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['role'], { optional: true });
  const role = f.oneOf('role', PROJECT_ROLES, { nullable: true });
  if (role === undefined) return { body: projectUserObject(u) };
  const updated = (await deps.store.projectMembers.setRole(p.id, u.userId, role))!;
  await announce(deps, caller.org.id);
  await deps.audit.record(caller.actor, caller.org.id, { type: 'user.updated', objectId: u.userId, projectId: p.id, details: { id: u.userId, changes_requested: { role } } });
  return { body: projectUserObject(updated) };
};

/** DELETE /projects/{project_id}/users/{user_id} — the user's keys of the project stop at once. */
export const removeProjectUser: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const userId = ctx.params.user_id!;
  if (!(await deps.store.projectMembers.remove(p.id, userId))) throw notFound('project user', userId);
  await announce(deps, caller.org.id);
  await deps.audit.record(caller.actor, caller.org.id, { type: 'user.deleted', objectId: userId, projectId: p.id, details: { id: userId } });
  return { body: deletedObject('organization.project.user.deleted', userId) };
};

// ---- service accounts ----

const serviceAccount = (deps: OrgDeps, project: Project, id: string) => found('service account', id, deps.store.serviceAccounts.get(project.id, id));

/**
 * Makes a key of the service account (`sk-svcacct-…`; only its HMAC is stored), logged and audited
 * as every API key's creation is; answers it as OpenAI does, with its value, the only time it is shown.
 */
async function issueServiceAccountKey(deps: OrgDeps, caller: OrgCaller, p: Project, accountId: string, k: { name: string; permissions: KeyPermissions; scopes: string[] }) {
  const { key, redacted } = generateApiKey('service_account');
  const record = await deps.store.apiKeys.insert({ orgId: caller.org.id, projectId: p.id, ownerType: 'service_account', userId: accountId, ...k, keyHash: await deps.identity.hashKey(key), redacted, expiresAt: null });
  deps.log?.info({ key_id: record.id, org_id: caller.org.id, project_id: p.id, service_account_id: accountId, key: redacted }, 'service account key created');
  // The key is an API key like any other: its creation is logged as theirs is (OpenAI's
  // `service_account.created` names the account and its role only, never its key).
  await deps.audit.record(caller.actor, caller.org.id, {
    type: 'api_key.created',
    objectId: record.id,
    projectId: p.id,
    details: { id: record.id, data: { scopes: record.scopes, name: record.name, permissions: record.permissions, service_account_id: accountId } },
  });
  return { object: 'organization.project.service_account.api_key' as const, id: record.id, name: record.name, created_at: Math.floor(record.createdAt / 1000), value: key };
}

/** GET /projects/{project_id}/service_accounts */
export const listServiceAccounts = projectList('service account', (store, projectId, page) => store.serviceAccounts.list(projectId, page), serviceAccountObject);

/**
 * POST /projects/{project_id}/service_accounts {name, create_service_account_only?} — the
 * answer carries the account's first key (`api_key.value`), the only time it is shown, and role
 * `member`; with `create_service_account_only` no key (`api_key: null`) and role `none`.
 */
export const createServiceAccount: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['name', 'create_service_account_only']);
  const name = f.string('name', { required: true });
  const only = f.boolean('create_service_account_only') ?? false;
  // Alone, it has no role in the project yet: OpenAI's `none` (the SDK's ServiceAccountCreateResponse).
  const account = await deps.store.serviceAccounts.create(caller.org.id, p.id, name, only ? 'none' : 'member');
  await deps.audit.record(caller.actor, caller.org.id, { type: 'service_account.created', objectId: account.id, projectId: p.id, details: { id: account.id, data: { role: account.role } } });
  const apiKey = only ? null : await issueServiceAccountKey(deps, caller, p, account.id, { name: 'Secret Key', permissions: 'all', scopes: [] });
  return { body: { ...serviceAccountObject(account), api_key: apiKey } };
};

/** GET /projects/{project_id}/service_accounts/{service_account_id} */
export const getServiceAccount: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  return { body: serviceAccountObject(await serviceAccount(deps, p, ctx.params.service_account_id!)) };
};

/**
 * POST /projects/{project_id}/service_accounts/{service_account_id} {name?, role?: member|owner} —
 * without either the account is answered as it is.
 */
export const updateServiceAccount: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const account = await serviceAccount(deps, p, ctx.params.service_account_id!);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['name', 'role'], { optional: true });
  const name = f.string('name');
  const role = f.oneOf('role', PROJECT_ROLES);
  if (name === undefined && role === undefined) return { body: serviceAccountObject(account) };
  const changes = { ...(name !== undefined && { name }), ...(role !== undefined && { role }) };
  const updated = await found('service account', account.id, deps.store.serviceAccounts.update(p.id, account.id, changes));
  await deps.audit.record(caller.actor, caller.org.id, { type: 'service_account.updated', objectId: account.id, projectId: p.id, details: { id: account.id, changes_requested: changes } });
  return { body: serviceAccountObject(updated) };
};

/**
 * POST /projects/{project_id}/service_accounts/{service_account_id}/api_keys {name?, scopes?} —
 * another key of the account, its value shown once. Without `scopes` the key may do everything
 * (as the account's first key); with them it is restricted to those (each a known scope).
 */
export const createServiceAccountKey: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const account = await serviceAccount(deps, p, ctx.params.service_account_id!);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['name', 'scopes'], { optional: true });
  const name = f.string('name') ?? 'Secret Key';
  const scopes = f.stringArray('scopes', { max: MAX_SCOPES });
  const permissions = scopes === undefined ? ('all' as const) : ('restricted' as const);
  return { body: await issueServiceAccountKey(deps, caller, p, account.id, { name, permissions, scopes: scopes ? knownScopes(scopes) : [] }) };
};

/** DELETE /projects/{project_id}/service_accounts/{service_account_id} — its keys stop at once. */
export const deleteServiceAccount: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const id = ctx.params.service_account_id!;
  if (!(await deps.store.serviceAccounts.delete(p.id, id))) throw notFound('service account', id);
  await deps.store.apiKeys.revokeOwnedBy(id);
  await announce(deps, caller.org.id);
  await deps.audit.record(caller.actor, caller.org.id, { type: 'service_account.deleted', objectId: id, projectId: p.id, details: { id } });
  return { body: deletedObject('organization.project.service_account.deleted', id) };
};

// ---- API keys ----

/** A live API key of the project in the path; else 404. */
export async function projectKey(deps: OrgDeps, project: Project, id: string) {
  const k = await deps.store.apiKeys.get(id);
  if (!k || k.projectId !== project.id || k.status !== 'active') throw notFound('API key', id);
  return k;
}

/** GET /projects/{project_id}/api_keys?owner_project_access=active|inactive|any (live keys; default active). */
export const listProjectApiKeys: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const { q, page } = listQuery(ctx, ['owner_project_access']);
  const access = q.get('owner_project_access') ?? 'active';
  if (!['active', 'inactive', 'any'].includes(access)) throw badValue('owner_project_access', access, "'active', 'inactive', 'any'");
  const keys = await deps.store.apiKeys.list({ projectId: p.id, status: 'active' }, page);
  const owners = await keyOwners(deps, p, keys.items);
  const objects = keys.items.map((k) => projectApiKeyObject(k, owners.get(k.id)!));
  const filtered = access === 'any' ? objects : objects.filter((o) => o.owner_project_access === access);
  return { body: listBody({ ...keys, items: filtered }, page, 'API key', (o) => o) };
};

/** GET /projects/{project_id}/api_keys/{key_id} */
export const getProjectApiKey: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const k = await projectKey(deps, p, ctx.params.key_id!);
  const owners = await keyOwners(deps, p, [k]);
  return { body: projectApiKeyObject(k, owners.get(k.id)!) };
};

/** DELETE /projects/{project_id}/api_keys/{key_id} — refused at its next request everywhere. */
export const deleteProjectApiKey: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const k = await projectKey(deps, p, ctx.params.key_id!);
  await deps.store.apiKeys.revoke(k.id);
  await deps.identity.invalidate({ kind: 'key', keyId: k.id });
  await deps.audit.record(caller.actor, caller.org.id, { type: 'api_key.deleted', objectId: k.id, projectId: p.id, details: { id: k.id } });
  return { body: deletedObject('organization.project.api_key.deleted', k.id) };
};

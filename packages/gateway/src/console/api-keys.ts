/**
 * A member creates an API key of their own in the console (OpenAI's Administration API has no
 * endpoint for a user's key; service-account keys come from the project's service accounts):
 *
 * ```
 * POST /console/api/api_keys   {name, project_id?, permissions?: all|read_only|restricted, scopes?}
 *   → organization.project.api_key + {value}   (the secret, shown this once; only its HMAC is stored)
 * ```
 * The key goes into `project_id` (default: the Default project), which must be an active project
 * of the session's organization that the user may use: the Default project, one they are a
 * member of, or any for an owner — the rule authentication applies to the key afterwards.
 * Readers may create keys (readers use the API). Recorded in the audit log as the user's.
 * @module
 */
import { Fields } from '../admin/input.js';
import { keyPermissionsFrom } from '../admin/keys.js';
import { ApiError } from '../errors/api-error.js';
import { generateApiKey } from '../identity/index.js';
import { keyOwners, projectApiKeyObject } from '../organization/project-objects.js';
import type { ConsoleHandler } from './deps.js';

export const createOwnApiKey: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.requireMember(ctx);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['name', 'project_id', 'permissions', 'scopes']);
  const name = f.string('name', { required: true, max: 200 });
  const projectId = f.string('project_id');
  const { permissions, scopes } = keyPermissionsFrom(f);
  const { store } = deps;
  const project = projectId === undefined ? await store.projects.defaultOf(s.org.id) : await store.projects.get(s.org.id, projectId);
  const usable = project && project.status === 'active' && (project.isDefault || s.role === 'owner' || (await store.projectMembers.get(project.id, s.user.id)) !== undefined);
  if (!project || !usable) throw new ApiError('resource_not_found', { resource: 'project', id: projectId ?? 'default' }, { param: 'project_id' });

  const { key, redacted } = generateApiKey();
  const record = await store.apiKeys.insert({ orgId: s.org.id, projectId: project.id, userId: s.user.id, name, keyHash: await deps.identity.hashKey(key), redacted, permissions, scopes, expiresAt: null });
  const actor = { type: 'session' as const, session: { user: { id: s.user.id, email: s.user.email }, ip_address: ctx.clientIp } };
  await deps.org.audit.record(actor, s.org.id, { type: 'api_key.created', objectId: record.id, projectId: project.id, details: { id: record.id, data: { scopes, name, permissions } } });
  deps.log?.info({ key_id: record.id, org_id: s.org.id, user_id: s.user.id, key: redacted }, 'console: api key created');
  const owner = (await keyOwners(deps.org, project, [record])).get(record.id)!;
  return { body: { ...projectApiKeyObject(record, owner), value: key } };
};

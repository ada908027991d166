/**
 * The organization's own Administration API (`/v1/organization/*`, admin keys) and the
 * operator's routes that serve it (`/admin/v1/organizations/{org_id}/admin_api_keys`).
 *
 * ```ts
 * const org = registerOrganizationApi(router, deps);   // mounts every endpoint below
 * org.on('GET', '/projects', listProjects);           // more endpoints, same auth and envelope
 * ```
 *
 * ```
 * POST   /v1/organization/admin_api_keys            {name, expires_in_seconds?}
 * GET    /v1/organization/admin_api_keys[/{key_id}]
 * DELETE /v1/organization/admin_api_keys/{key_id}
 * GET    /v1/organization/users[/{user_id}]              ?emails[]
 * POST   /v1/organization/users/{user_id}                {role: owner|reader}
 * DELETE /v1/organization/users/{user_id}
 * POST   /v1/organization/invites                        {email, role: owner|reader, projects?: [{id, role: member|owner}]}
 * GET    /v1/organization/invites[/{invite_id}]
 * DELETE /v1/organization/invites/{invite_id}
 * POST   /v1/invites/accept                              {token, name?}   (the invitee; no admin key)
 * GET    /v1/organization/usage/completions              ?start_time&end_time&bucket_width&group_by[]&models[]&project_ids[]&api_key_ids[]&user_ids[]&batch&limit&page
 * GET    /v1/organization/usage/embeddings               (the same but `batch`; group_by[] without batch and service_tier)
 * GET    /v1/organization/usage/{moderations|images|audio_speeches|audio_transcriptions|vector_stores|code_interpreter_sessions}   (empty buckets: no such traffic)
 * GET    /v1/organization/costs                          ?start_time&end_time&group_by[]=project_id|line_item|api_key_id&project_ids[]&api_key_ids[]&limit&page
 * GET    /v1/organization/requests/{request_id}          (Tollgate's: the ledger's record of one request)
 * GET    /v1/organization/rate_limits                    (Tollgate's: the organization's per-model limits with remaining_*)
 * GET|POST /v1/organization/spend_alerts              {threshold_amount, currency, interval, notification_channel}
 * GET|POST|DELETE /v1/organization/spend_alerts/{alert_id}
 * GET|POST|DELETE /v1/organization/projects/{project_id}/spend_alerts[/{alert_id}]   (the same, one project)
 * GET|POST|DELETE /v1/organization/ip_allowlist       {allowed_ips: [CIDR, ...]}   (Tollgate's paths: OpenAI has none)
 * GET|POST|DELETE /v1/organization/projects/{project_id}/ip_allowlist
 * GET|POST|DELETE /v1/organization/projects/{project_id}/api_keys/{key_id}/ip_allowlist
 * GET    /v1/organization/audit_logs                     ?event_types[]&actor_ids[]&actor_emails[]&project_ids[]&resource_ids[]&effective_at[gt|gte|lt|lte]&before
 * ```
 * @module
 */
import type { Router } from '../http/router.js';
import * as L from './project-limits.js';
import * as P from './projects.js';
import { createAdminApiKey, deleteAdminApiKey, getAdminApiKey, listAdminApiKeys } from './admin-api-keys.js';
import { listAuditLogs } from './audit-logs.js';
import type { OrgDeps } from './deps.js';
import { getRequest } from './requests.js';
import { keyIpAllowlist, orgIpAllowlist, projectIpAllowlist } from './ip-allowlists.js';
import { orgSpendAlerts, projectSpendAlerts } from './spend-alerts.js';
import { costs, unservedUsage, usageCompletions, usageEmbeddings } from './usage.js';
import { UNSERVED_USAGE } from '../usage/index.js';
import { createInvite, deleteInvite, getInvite, listInvites, registerInviteAccept } from './invites.js';
import { deleteUser, getUser, listUsers, updateUser } from './users.js';
import { organizationRouter, type OrgRouter } from './routes.js';

export type { OrgDeps, OrgCaller, OrgHandler, OrgResult } from './deps.js';
export type { OrgRouter } from './routes.js';
export { AuditRecorder, operatorActor, type AuditActor, type AuditEvent } from './audit.js';
export { ADMIN_KEY_PREFIX, isWellFormedAdminKey } from './admin-key-format.js';
export { registerOperatorOrganizationRoutes } from './operator-routes.js';

/** Projects, their users, service accounts, keys, rate limits, model permissions; the spend limits and spend alerts; the IP allowlists. */
function registerProjectApi(org: OrgRouter): void {
  const p = '/projects/:project_id';
  org.on('POST', '/projects', P.createProject);
  org.on('GET', '/projects', P.listProjects);
  org.on('GET', p, P.getProject);
  org.on('POST', p, P.updateProject);
  org.on('POST', `${p}/archive`, P.archiveProject);
  org.on('GET', `${p}/users`, P.listProjectUsers);
  org.on('POST', `${p}/users`, P.addProjectUser);
  org.on('GET', `${p}/users/:user_id`, P.getProjectUser);
  org.on('POST', `${p}/users/:user_id`, P.updateProjectUser);
  org.on('DELETE', `${p}/users/:user_id`, P.removeProjectUser);
  org.on('GET', `${p}/service_accounts`, P.listServiceAccounts);
  org.on('POST', `${p}/service_accounts`, P.createServiceAccount);
  org.on('GET', `${p}/service_accounts/:service_account_id`, P.getServiceAccount);
  org.on('POST', `${p}/service_accounts/:service_account_id`, P.updateServiceAccount);
  org.on('POST', `${p}/service_accounts/:service_account_id/api_keys`, P.createServiceAccountKey);
  org.on('DELETE', `${p}/service_accounts/:service_account_id`, P.deleteServiceAccount);
  org.on('GET', `${p}/api_keys`, P.listProjectApiKeys);
  org.on('GET', `${p}/api_keys/:key_id`, P.getProjectApiKey);
  org.on('DELETE', `${p}/api_keys/:key_id`, P.deleteProjectApiKey);
  org.on('GET', '/rate_limits', L.listOrgRateLimits);
  org.on('GET', `${p}/rate_limits`, L.listProjectRateLimits);
  org.on('POST', `${p}/rate_limits/:rate_limit_id`, L.updateProjectRateLimit);
  org.on('GET', `${p}/model_permissions`, L.getModelPermissions);
  org.on('POST', `${p}/model_permissions`, L.setModelPermissions);
  org.on('DELETE', `${p}/model_permissions`, L.deleteModelPermissions);
  org.on('GET', `${p}/spend_limit`, L.getProjectSpendLimit);
  org.on('POST', `${p}/spend_limit`, L.setProjectSpendLimit);
  org.on('DELETE', `${p}/spend_limit`, L.deleteProjectSpendLimit);
  for (const [path, h] of [[`${p}/spend_alerts`, projectSpendAlerts], ['/spend_alerts', orgSpendAlerts]] as const) {
    org.on('GET', path, h.list);
    org.on('POST', path, h.create);
    org.on('GET', `${path}/:alert_id`, h.retrieve);
    org.on('POST', `${path}/:alert_id`, h.update);
    org.on('DELETE', `${path}/:alert_id`, h.remove);
  }
  for (const [path, h] of [['/ip_allowlist', orgIpAllowlist], [`${p}/ip_allowlist`, projectIpAllowlist], [`${p}/api_keys/:key_id/ip_allowlist`, keyIpAllowlist]] as const) {
    org.on('GET', path, h.get);
    org.on('POST', path, h.set);
    org.on('DELETE', path, h.remove);
  }
  org.on('GET', '/spend_limit', L.getOrgSpendLimit);
  org.on('POST', '/spend_limit', L.setOrgSpendLimit);
  org.on('DELETE', '/spend_limit', L.deleteOrgSpendLimit);
}

export function registerOrganizationApi(router: Router, deps: OrgDeps): OrgRouter {
  const org = organizationRouter(router, deps);
  org.on('POST', '/admin_api_keys', createAdminApiKey);
  org.on('GET', '/admin_api_keys', listAdminApiKeys);
  org.on('GET', '/admin_api_keys/:key_id', getAdminApiKey);
  org.on('DELETE', '/admin_api_keys/:key_id', deleteAdminApiKey);
  org.on('GET', '/users', listUsers);
  org.on('GET', '/users/:user_id', getUser);
  org.on('POST', '/users/:user_id', updateUser);
  org.on('DELETE', '/users/:user_id', deleteUser);
  org.on('POST', '/invites', createInvite);
  org.on('GET', '/invites', listInvites);
  org.on('GET', '/invites/:invite_id', getInvite);
  org.on('DELETE', '/invites/:invite_id', deleteInvite);
  org.on('GET', '/audit_logs', listAuditLogs);
  org.on('GET', '/usage/completions', usageCompletions);
  org.on('GET', '/usage/embeddings', usageEmbeddings);
  for (const kind of UNSERVED_USAGE) org.on('GET', `/usage/${kind}`, unservedUsage(kind));
  org.on('GET', '/costs', costs);
  org.on('GET', '/requests/:request_id', getRequest);
  registerProjectApi(org);
  registerInviteAccept(router, deps);
  return org;
}

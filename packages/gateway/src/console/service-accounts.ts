/**
 * The organization's service accounts in the console, in one list however many projects it has
 * (the Administration API lists them project by project):
 *
 * ```
 * GET /console/api/service_accounts?limit&after&include_archived
 *   → the organization's live service accounts, newest first, each with its project
 * ```
 * What `GET /v1/organization/projects/{id}/service_accounts` shows of each of its active projects
 * (of archived ones too with `include_archived=true`), each an
 * `organization.project.service_account` with Tollgate's `project: {id, name}`. Any member reads
 * it, as readers read the project lists. The Usage page names service accounts with it.
 * @module
 */
import { queryBoolean, queryParams } from '../admin/input.js';
import { listBody, pageRequest } from '../admin/paging.js';
import { serviceAccountObject } from '../organization/project-objects.js';
import type { ConsoleHandler } from './deps.js';

/** GET /console/api/service_accounts?limit&after&include_archived (`limit` 1..100, default 20; `after` an account id). */
export const listOrgServiceAccounts: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.requireMember(ctx);
  const q = queryParams(ctx, ['limit', 'after', 'include_archived']);
  const req = pageRequest(q);
  const page = await deps.store.serviceAccounts.listInOrg(s.org.id, { includeArchived: queryBoolean(q, 'include_archived') ?? false }, req);
  return { body: listBody(page, req, 'service account', (a) => ({ ...serviceAccountObject(a), project: { id: a.projectId, name: a.projectName } })) };
};

/**
 * The names of a looked-up request's project and API key, from the Administration API's own
 * objects: the project (GET /v1/organization/projects/{id}) and the key
 * (GET …/projects/{id}/api_keys/{key_id}), two reads in parallel. Of the key, its name and
 * redacted value (`sk-...abcd`), never its secret. A key the project no longer has was revoked
 * (read as an answer, getOptional: no failed request in the browser's console); anything else
 * that cannot be read leaves the ids alone, and the request still shows.
 */
import { api, getOptional } from '../../lib/api';
import { projectPath, type Project, type ProjectApiKey } from '../../lib/org-api';
import type { RequestRecord } from './support-report';

export interface RequestNames {
  project?: { name: string; archived: boolean };
  key?: { name: string; redacted: string } | 'revoked';
  /** A name could not be read (not for a revoked key): its id is shown alone. */
  failed: boolean;
}

export async function requestNames(r: RequestRecord): Promise<RequestNames> {
  // Recorded before the ledger kept the project: no path to either object.
  if (r.project_id === null) return { failed: false };
  const [project, key] = await Promise.allSettled([
    api<Project>('GET', projectPath(r.project_id)),
    getOptional<ProjectApiKey>(projectPath(r.project_id, `/api_keys/${encodeURIComponent(r.api_key_id)}`)),
  ]);
  const names: RequestNames = { failed: false };
  if (project.status === 'fulfilled') names.project = { name: project.value.name, archived: project.value.status === 'archived' };
  else names.failed = true;
  if (key.status === 'fulfilled' && key.value) names.key = { name: key.value.name, redacted: key.value.redacted_value };
  // The project is there and its key is not: the key was revoked (the API keeps live keys only).
  else if (names.project && key.status === 'fulfilled') names.key = 'revoked';
  else names.failed = true;
  return names;
}

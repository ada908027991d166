/**
 * An archived project can be read, never changed. OpenAI: "Archived projects cannot be used or
 * updated"; a change to one is answered "Project '…' is archived. You can only update an active
 * project." (invalid_request_error, code project_archived). Every path that changes a project or
 * adds to it (its users, service accounts, keys, limits, alerts, allowlists; an invite into it)
 * goes through here. An invite accepted after one of its projects was archived leaves that project
 * out (ProjectMemberRepo.addIfActiveAndAbsent), as the invite itself is not refused.
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import type { Project } from '../store/index.js';

/** Throws project_archived when `p` is archived; `param` names the field that named it, if any. */
export function activeProject(p: Project, param?: string): void {
  if (p.status !== 'active') throw new ApiError('project_archived', { project_id: p.id }, param ? { param } : {});
}

/** The per-model limits OpenAI's rate-limit objects carry, and how the console names them. */
import type { MessageKey } from '../i18n/messages';
import { listAll } from './api';
import type { LimitField, OwnLimits } from './limit-changes';
import { ORG, projectPath } from './org-api';

export const LIMIT_FIELDS = [
  { field: 'max_requests_per_1_minute', remaining: 'remaining_requests_per_1_minute', label: 'limits.rpm' },
  { field: 'max_tokens_per_1_minute', remaining: 'remaining_tokens_per_1_minute', label: 'limits.tpm' },
  { field: 'max_requests_per_1_day', remaining: 'remaining_requests_per_1_day', label: 'limits.rpd' },
  { field: 'max_tokens_per_1_day', remaining: 'remaining_tokens_per_1_day', label: 'limits.tpd' },
] as const satisfies readonly { field: LimitField; remaining: string; label: MessageKey }[];

export { limitChanges, type LimitField } from './limit-changes';
export type RemainingField = (typeof LIMIT_FIELDS)[number]['remaining'];

/**
 * A rate-limit row (OpenAI's `project.rate_limit`, or Tollgate's `organization.rate_limit`). The
 * gateway adds what is left of each limit right now (`remaining_*`, null where there is no limit);
 * an older gateway leaves them out.
 */
export type RateLimit = { id: string; model: string } & Record<LimitField, number | null> & Partial<Record<RemainingField, number | null>>;

/**
 * A project's row (`project.rate_limit`): each value is the one in effect, the project's own for
 * the fields in `overridden_fields`, the organization's (`organization_limits`) for the others.
 */
export type ProjectRateLimit = RateLimit & OwnLimits;

export const projectRateLimits = (projectId: string): Promise<ProjectRateLimit[]> => listAll<ProjectRateLimit>(projectPath(projectId, '/rate_limits'));

/** The organization's own limits per model with what is left of them (GET /v1/organization/rate_limits). */
export const orgRateLimits = (): Promise<RateLimit[]> => listAll<RateLimit>(`${ORG}/rate_limits`);

/** A limit as people read it: 12,000 in their language; no limit as "—". */
export const formatLimit = (v: number | null | undefined, lang: string): string => (v === null || v === undefined ? '—' : v.toLocaleString(lang));

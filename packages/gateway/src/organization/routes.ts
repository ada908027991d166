/**
 * The Administration API under `/v1/organization`, OpenAI's paths and objects, called with an
 * organization admin key (`sk-admin-…`; the official SDK: `new OpenAI({ adminAPIKey, baseURL })`,
 * then `client.admin.organization...`). Every handler sees only the admin key's organization;
 * errors come from the catalog in OpenAI's envelope; lists use OpenAI's list shape
 * (`object: "list"`, `data`, `first_id`, `last_id`, `has_more`; query `limit`, `after`).
 * A path Tollgate does not serve answers OpenAI's 404 (`Invalid URL`), as any unknown path does.
 * @module
 */
import { optionalRead } from '../admin/input.js';
import { ApiError } from '../errors/api-error.js';
import { sendError, sendJson, sendNoContent } from '../http/respond.js';
import type { Handler, Router } from '../http/router.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';
import { ConflictError } from '../store/index.js';
import { authenticateAdminKey } from './auth.js';
import { ORG_PREFIX, type OrgDeps, type OrgHandler } from './deps.js';

/** Where endpoints of the Administration API are mounted: `path` is relative to /v1/organization. */
export interface OrgRouter {
  on(method: string, path: string, handler: OrgHandler): void;
}

/**
 * Wraps a handler: admin key first, then the handler; catalog errors are rendered here, anything
 * else (the store is down, a bug) propagates to the dispatcher (503 for an outage, else 500).
 *
 * Tollgate's `?optional=true` on any GET (the console's reads of what may not exist: a spend
 * limit none was set for, a key since revoked, a request id that names nothing): where the plain
 * read answers 404 `resource_not_found` for what its path names (not for a parameter's value), it
 * answers 204 with no body, so the browser logs no failed request. Without it every caller gets
 * the 404 as before.
 */
function orgRoute(deps: OrgDeps, touches: RepeatingFailureLog, handler: OrgHandler): Handler {
  const publicUrl = deps.config.server.public_url;
  return async (ctx) => {
    try {
      const caller = (await deps.sessionCaller?.(ctx)) ?? (await authenticateAdminKey(ctx, deps, touches));
      const optional = optionalRead(ctx);
      const r = await handler(ctx, caller, deps).catch((e: unknown) => {
        if (optional && e instanceof ApiError && e.entry.id === 'resource_not_found' && !e.param) return undefined;
        throw e;
      });
      if (r === undefined) sendNoContent(ctx);
      else sendJson(ctx, r.status ?? 200, r.body);
    } catch (e) {
      if (e instanceof ApiError) return sendError(ctx, e, publicUrl);
      if (e instanceof ConflictError) return sendError(ctx, new ApiError('resource_conflict', { message: e.message }), publicUrl);
      throw e;
    }
  };
}

export function organizationRouter(router: Router, deps: OrgDeps): OrgRouter {
  // One for every route of this API (one per process): the admin keys' last_used_at writes.
  const touches = new RepeatingFailureLog(deps.log, deps.clock, { job: 'admin key last_used_at writes', message: 'writing admin key last_used_at failed' });
  return {
    on(method, path, handler) {
      router.on(method, ORG_PREFIX + path, orgRoute(deps, touches, handler));
    },
  };
}

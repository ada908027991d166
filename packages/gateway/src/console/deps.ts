/**
 * What the console's routes share, and the wrapper every `/console/api` route runs in.
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import { ApiError } from '../errors/api-error.js';
import type { CredentialsFile } from '../first-start-credentials.js';
import type { RequestContext } from '../http/context.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Handler, Router } from '../http/router.js';
import type { Identity } from '../identity/index.js';
import type { OrgDeps } from '../organization/deps.js';
import { ConflictError, type Store } from '../store/index.js';
import type { AccountRepo } from './accounts.js';
import { sessionObject, type ConsoleAuth } from './auth.js';
import type { LoginLimiter } from './login-limiter.js';
import type { SessionRepo } from './sessions.js';

export interface ConsoleDeps {
  store: Store;
  config: Config;
  clock: Clock;
  identity: Identity;
  auth: ConsoleAuth;
  accounts: AccountRepo;
  sessions: SessionRepo;
  limiter: LoginLimiter;
  /** The Administration API's dependencies (invite acceptance, audit log). */
  org: OrgDeps;
  /** The first-start credentials file (the setup link is removed from it once used). */
  credentialsFile: CredentialsFile;
  log?: Logger;
}

export interface ConsoleResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ConsoleHandler = (ctx: RequestContext, deps: ConsoleDeps) => Promise<ConsoleResult>;

/** Wraps a handler: no caching of any answer, catalog errors rendered, 204 without a body. */
export function consoleRoute(deps: ConsoleDeps, handler: ConsoleHandler): Handler {
  const publicUrl = deps.config.server.public_url;
  return async (ctx) => {
    ctx.headers['cache-control'] = 'no-store';
    try {
      const r = await handler(ctx, deps);
      if (r.status === 204) {
        ctx.res.writeHead(204, { ...ctx.headers, ...r.headers }).end();
        return;
      }
      sendJson(ctx, r.status ?? 200, r.body, r.headers);
    } catch (e) {
      if (e instanceof ApiError) return sendError(ctx, e, publicUrl);
      if (e instanceof ConflictError) return sendError(ctx, new ApiError('resource_conflict', { message: e.message }), publicUrl);
      throw e;
    }
  };
}

/** Mounts console handlers under `/console/api`. */
export function consoleApi(router: Router, deps: ConsoleDeps): (method: string, path: string, h: ConsoleHandler) => void {
  return (method, path, h) => router.on(method, `/console/api${path}`, consoleRoute(deps, h));
}

/** The organization a user signs in to: their earliest membership of a live organization. */
export async function primaryOrgId(store: Store, userId: string): Promise<string | null> {
  const r = await store.db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .select('m.org_id')
    .where('m.user_id', '=', userId)
    .where('o.deleted_at', 'is', null)
    .orderBy('m.created_at')
    .orderBy('m.org_id')
    .executeTakeFirst();
  return r?.org_id ?? null;
}

/**
 * Starts a session for a user who just proved who they are. The session the request's cookie
 * named (if any) is ended first and a new token is issued, so a token planted before sign-in is
 * never the signed-in one (session fixation). `expiresAt`: the replaced session's absolute expiry,
 * kept when the user did not prove who they are again (moving to another organization).
 */
export async function startSession(ctx: RequestContext, deps: ConsoleDeps, userId: string, orgId?: string | null, expiresAt?: number): Promise<ConsoleResult> {
  const old = deps.auth.cookieToken(ctx);
  if (old) await deps.sessions.deleteByToken(old);
  const org = orgId === undefined ? await primaryOrgId(deps.store, userId) : orgId;
  const { token, session } = await deps.sessions.create(userId, org, ctx.clientIp, expiresAt);
  const signedIn = await deps.auth.load(token, session);
  if (!signedIn) throw new ApiError('not_signed_in');
  const ttlMs = session.expiresAt - session.createdAt;
  return { body: sessionObject(signedIn), headers: { 'set-cookie': deps.auth.setCookie(token, ttlMs) } };
}

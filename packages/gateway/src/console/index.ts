/**
 * The web console's server side: accounts, sessions, first-run setup, invites, two-factor
 * sign-in, single sign-on, and the built app's files. docs/console.md has the contract and the
 * security model.
 *
 * ```ts
 * const console = createConsole({ store, config, clock, identity, org, credentialsFile, redis, log });
 * console.register(router, requireAdminKey);     // /console/api/*, POST /admin/v1/users/{id}/password
 * const requireAdmin = console.adminCheck(requireAdminKey);   // session of an operator, else the admin key
 * ```
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import type { CredentialsFile } from '../first-start-credentials.js';
import type { RequestContext } from '../http/context.js';
import type { Router } from '../http/router.js';
import type { Identity } from '../identity/index.js';
import type { OrgDeps } from '../organization/deps.js';
import type { RedisClient } from '../redis-client.js';
import type { Store } from '../store/index.js';
import { AccountRepo } from './accounts.js';
import { createOwnApiKey, listKeyProjects, listOrgApiKeys, revokeOwnApiKey } from './api-keys.js';
import { listOrgServiceAccounts } from './service-accounts.js';
import { ConsoleAuth } from './auth.js';
import { consoleApi, type ConsoleDeps, type ConsoleHandler } from './deps.js';
import { inviteHandlers } from './invite-routes.js';
import { LoginLimiter } from './login-limiter.js';
import { OidcSignIn } from './oidc.js';
import { registerOperatorConsoleRoutes } from './operator-routes.js';
import { basePathOf } from './paths.js';
import { sessionHandlers } from './session-routes.js';
import { SessionRepo } from './sessions.js';
import { createSetupLink } from './setup.js';
import { consoleStatic, DEFAULT_CONSOLE_DIST } from './static.js';
import { totpHandlers } from './totp-routes.js';

export interface ConsoleOptions {
  store: Store;
  config: Config;
  clock: Clock;
  identity: Identity;
  org: OrgDeps;
  credentialsFile: CredentialsFile;
  redis?: RedisClient;
  log?: Logger;
  /** The built app (default packages/console/dist). */
  distDir?: string;
  /** The environment (the OIDC client secret's variable) and the HTTP client for the provider. */
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

export interface Console {
  readonly auth: ConsoleAuth;
  readonly accounts: AccountRepo;
  readonly basePath: string;
  /** Mounts `/console/api/*` and the operator's password route (behind `requireAdmin`). */
  register(router: Router, requireAdmin: (ctx: RequestContext) => Promise<void>): void;
  /** The admin check every `/admin/v1` route uses: an operator's session, else `requireAdminKey`. */
  adminCheck(requireAdminKey: (ctx: RequestContext) => Promise<void>): (ctx: RequestContext) => Promise<void>;
  /** Serves the built app for GET requests no route matched (true when answered). */
  serveStatic: (ctx: RequestContext) => Promise<boolean>;
  /** First start: writes the one-time setup link to the credentials file when no operator exists. */
  createSetupLink(): Promise<string | undefined>;
}

const s = sessionHandlers;
const t = totpHandlers;
/** Everything under /console/api (docs/console.md). */
const ROUTES: Record<string, ConsoleHandler> = {
  'GET /config': s.config,
  'POST /session': s.signIn,
  'GET /session': s.getSession,
  'DELETE /session': s.signOut,
  'POST /session/revoke_all': s.signOutEverywhere,
  'POST /session/organization': s.switchOrganization,
  'GET /organizations': s.myOrganizations,
  'POST /setup': s.setup,
  'POST /password': s.changePassword,
  'GET /invites/:token': inviteHandlers.getInvite,
  'POST /invites/accept': inviteHandlers.acceptInvite,
  'POST /totp/setup': t.setup,
  'POST /totp/enable': t.enable,
  'DELETE /totp': t.disable,
  'GET /organization/settings': t.getSettings,
  'POST /organization/settings': t.setSettings,
  'GET /projects': listKeyProjects,
  'GET /api_keys': listOrgApiKeys,
  'GET /service_accounts': listOrgServiceAccounts,
  'POST /api_keys': createOwnApiKey,
  'DELETE /api_keys/:key_id': revokeOwnApiKey,
};

export function createConsole(o: ConsoleOptions): Console {
  const c = o.config.console;
  const basePath = basePathOf(o.config.server.public_url);
  const accounts = new AccountRepo(o.store, o.clock);
  const sessions = new SessionRepo(o.store, o.clock, c.session_ttl_hours * 3_600_000, c.session_idle_minutes * 60_000);
  const auth = new ConsoleAuth({ store: o.store, accounts, sessions, clock: o.clock, basePath, secure: o.config.server.public_url.startsWith('https:'), ...(o.log ? { log: o.log } : {}) });
  const limiter = new LoginLimiter({ perEmail: c.login_attempts.per_email, perIp: c.login_attempts.per_ip, windowMs: c.login_attempts.window_seconds * 1000 }, o.clock, {
    ...(o.redis ? { redis: o.redis } : {}),
    prefix: o.config.redis?.key_prefix ?? 'tollgate:',
    ...(o.log ? { log: o.log } : {}),
  });
  const deps: ConsoleDeps = { store: o.store, config: o.config, clock: o.clock, identity: o.identity, auth, accounts, sessions, limiter, org: o.org, credentialsFile: o.credentialsFile, ...(o.log ? { log: o.log } : {}) };
  return {
    auth,
    accounts,
    basePath,
    register(router, requireAdmin) {
      const on = consoleApi(router, deps);
      for (const [route, handler] of Object.entries(ROUTES)) {
        const [method, path] = route.split(' ') as [string, string];
        on(method, path, handler);
      }
      registerOperatorConsoleRoutes(router, deps, requireAdmin);
      if (c.oidc) new OidcSignIn(c.oidc, deps, o.env ?? process.env, o.fetch ?? fetch).register(router);
    },
    adminCheck(requireAdminKey) {
      return async (ctx) => {
        if (!(await auth.operator(ctx))) await requireAdminKey(ctx);
      };
    },
    serveStatic: consoleStatic({
      distDir: o.distDir ?? DEFAULT_CONSOLE_DIST,
      basePath,
      signedIn: async (ctx) => (await auth.current(ctx)) !== undefined,
      formOrigins: c.oidc ? [new URL(c.oidc.issuer).origin] : [],
    }),
    createSetupLink: () => createSetupLink(o.store, accounts, o.config.server.public_url, o.credentialsFile),
  };
}

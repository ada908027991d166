/**
 * The console's sign-in API (docs/console.md has the contract):
 *
 * ```
 * GET    /console/api/config                  public: base path, SSO, whether first-run setup is pending
 * POST   /console/api/session                 {email, password, totp_code?} → Session + cookie
 * GET    /console/api/session                 → Session, or 401 not_signed_in
 * GET    /console/api/session?optional=true   → Session, or 204 signed out (the app's own check)
 * DELETE /console/api/session                 → 204 (this session ends)
 * POST   /console/api/session/revoke_all      → 204 (every session of the user ends)
 * POST   /console/api/setup                   {token, email, name, password} → Session + cookie (first owner)
 * POST   /console/api/password                {current_password, new_password} → Session + new cookie
 * ```
 * @module
 */
import { Fields, optionalRead } from '../admin/input.js';
import { EMAIL } from '../admin/users.js';
import { badValue } from '../admin/input.js';
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { ConflictError } from '../store/index.js';
import { sessionObject } from './auth.js';
import { startSession, type ConsoleDeps, type ConsoleHandler } from './deps.js';
import { basePathOf } from './paths.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';
import { consumeSetupToken, setupPending } from './setup.js';
import { checkSecondFactor } from './totp-routes.js';

const body = (ctx: RequestContext, deps: ConsoleDeps, allowed: readonly string[]) => Fields.fromBody(ctx, deps.config.server.max_body_bytes, allowed);

const config: ConsoleHandler = async (_ctx, deps) => {
  const oidc = deps.config.console.oidc;
  return {
    body: {
      base_path: basePathOf(deps.config.server.public_url),
      oidc: { enabled: oidc !== null, name: oidc?.name ?? null },
      setup_required: await setupPending(deps.store),
    },
  };
};

/**
 * POST /console/api/session. The same 401 for an unknown email and a wrong password (and the
 * same work: a dummy hash is verified); the attempt is counted, and a blocked email or address
 * refused, before the password is looked at (login-limiter.ts). A missing second factor is not a failure, a wrong one is.
 */
const signIn: ConsoleHandler = async (ctx, deps) => {
  const f = await body(ctx, deps, ['email', 'password', 'totp_code']);
  const email = f.string('email', { required: true, max: 320 }).trim().toLowerCase();
  const password = f.string('password', { required: true, max: 1024 });
  const code = f.string('totp_code', { max: 64 });
  await deps.limiter.attempt(email, ctx.clientIp);
  const user = await deps.store.users.getByEmail(email);
  const account = user ? await deps.accounts.get(user.id) : undefined;
  if (!(await verifyPassword(account?.passwordHash, password)) || !user || !account) {
    deps.log?.info({ ip: ctx.clientIp }, 'console sign-in failed');
    throw new ApiError('invalid_credentials');
  }
  if (account.totpEnabled) {
    try {
      await checkSecondFactor(deps, account, code);
    } catch (e) {
      // Only a wrong code keeps the attempt: a missing one is the form asking for it.
      if (!(e instanceof ApiError && e.entry.id === 'invalid_totp_code')) await deps.limiter.release(email, ctx.clientIp);
      throw e;
    }
  }
  await deps.limiter.succeeded(email, ctx.clientIp);
  deps.log?.info({ user_id: user.id }, 'console sign-in');
  return startSession(ctx, deps, user.id);
};

/**
 * GET /console/api/session: the session, or 401 `not_signed_in`. With `?optional=true` (the app's
 * check on every page load) being signed out is an answer, not an error: 204 and no body, so a
 * signed-out visitor's browser logs no failed request. Other query parameters are ignored, as
 * they always were.
 */
const getSession: ConsoleHandler = async (ctx, deps) => {
  const optional = optionalRead(ctx);
  const s = await deps.auth.current(ctx);
  if (!s) {
    if (optional) return { status: 204 };
    throw new ApiError('not_signed_in');
  }
  return { body: sessionObject(s) };
};

/** DELETE /console/api/session: ends this session (CSRF-checked: a forged sign-out is refused too). */
const signOut: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.require(ctx);
  await deps.sessions.delete(s.session.id);
  return { status: 204, headers: { 'set-cookie': deps.auth.clearCookie() } };
};

const signOutEverywhere: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.require(ctx);
  const ended = await deps.sessions.deleteForUser(s.user.id);
  deps.log?.info({ user_id: s.user.id, sessions: ended }, 'console: signed out everywhere');
  return { status: 204, headers: { 'set-cookie': deps.auth.clearCookie() } };
};

/**
 * POST /console/api/setup {token, email, name, password}: the first owner. Everything is checked
 * before the token is used, so a mistyped password does not burn the link.
 */
const setup: ConsoleHandler = async (ctx, deps) => {
  const f = await body(ctx, deps, ['token', 'email', 'name', 'password']);
  const token = f.string('token', { required: true, max: 200 });
  const email = f.string('email', { required: true, max: 320 }).trim().toLowerCase();
  const name = f.string('name', { required: true, max: 200 });
  const password = f.string('password', { required: true, max: 1024 });
  if (!EMAIL.test(email)) throw badValue('email', email, 'an email address');
  checkPasswordPolicy(password);
  const passwordHash = await hashPassword(password);
  if (!(await consumeSetupToken(deps.store, token))) throw new ApiError('invalid_setup_token');
  const { store } = deps;
  let user = await store.users.getByEmail(email);
  if (!user) {
    try {
      user = await store.users.create({ email, name });
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      user = (await store.users.getByEmail(email))!;
    }
  }
  // An account that exists already (the first start's admin@localhost, "Administrator") is taken
  // over by the person setting up: it gets the name they typed.
  if (user.name !== name) await store.users.setName(user.id, name);
  const first = (await store.organizations.list({ limit: 1 })).items[0] ?? (await store.organizations.create({ name: 'Default Organization', tier: deps.config.default_tier }));
  await store.memberships.addIfAbsent(first.id, user.id, 'owner');
  await deps.accounts.update(user.id, { password_hash: passwordHash, operator: 1 });
  try {
    deps.credentialsFile.save({ TOLLGATE_CONSOLE_SETUP_URL: undefined });
  } catch (e) {
    deps.log?.warn({ err: e }, 'could not remove the used setup link from the credentials file');
  }
  deps.log?.info({ user_id: user.id, org_id: first.id }, 'console: first owner created with the setup link');
  return startSession(ctx, deps, user.id, first.id);
};

/** POST /console/api/password {current_password, new_password}: every other session ends. */
const changePassword: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.require(ctx);
  const f = await body(ctx, deps, ['current_password', 'new_password']);
  const current = f.string('current_password', { required: true, max: 1024 });
  const next = f.string('new_password', { required: true, max: 1024 });
  if (!(await deps.limiter.guarded(s.user.email, ctx.clientIp, () => verifyPassword(s.account?.passwordHash, current)))) throw new ApiError('invalid_credentials', {}, { param: 'current_password' });
  checkPasswordPolicy(next, 'new_password');
  await deps.accounts.update(s.user.id, { password_hash: await hashPassword(next) });
  await deps.sessions.deleteForUser(s.user.id);
  return startSession(ctx, deps, s.user.id, s.session.orgId);
};

/**
 * GET /console/api/organizations: the live organizations the signed-in user is a member of, with
 * their role in each (earliest membership first), so a member of several can choose one.
 */
const myOrganizations: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.require(ctx);
  const rows = await deps.store.db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .select(['o.id', 'o.name', 'm.role'])
    .where('m.user_id', '=', s.user.id)
    .where('o.deleted_at', 'is', null)
    .orderBy('m.created_at')
    .orderBy('m.org_id')
    .execute();
  return { body: { object: 'list', data: rows.map((r) => ({ object: 'console.organization', id: r.id, name: r.name, role: r.role })) } };
};

/**
 * POST /console/api/session/organization {organization_id}: the session moves to another of the
 * user's organizations (a member of several, e.g. after accepting an invite from another one,
 * would otherwise only ever sign in to the earliest). A new session is started for it, as at
 * sign-in (new token and CSRF token) but with the same absolute expiry, so moving back and forth
 * never extends a session past it; an organization the user is not a member of is the same 404
 * as one that does not exist.
 */
const switchOrganization: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.require(ctx);
  const f = await body(ctx, deps, ['organization_id']);
  const orgId = f.string('organization_id', { required: true, max: 200 });
  const org = await deps.store.organizations.get(orgId);
  if (!org || !(await deps.store.memberships.get(org.id, s.user.id))) throw new ApiError('resource_not_found', { resource: 'organization', id: orgId }, { param: 'organization_id' });
  // Not a sign-in: the new session ends when the one it replaces would have (its absolute expiry).
  return startSession(ctx, deps, s.user.id, org.id, s.session.expiresAt);
};

/** The handlers, by route (mounted in index.ts). */
export const sessionHandlers = { config, signIn, getSession, signOut, signOutEverywhere, setup, changePassword, myOrganizations, switchOrganization };

/**
 * Who a console request is: the session named by its cookie, checked on every request (a session
 * ended anywhere, a removed membership, a changed role take effect at once). A session acts as its
 * user with the user's organization role, on the same endpoints an admin key uses, and never with
 * more power than the API gives: owners may do what an admin key does, readers read what is not
 * billing, cost, spend, limits, admin keys or the audit log, and change nothing but invite other
 * readers (as OpenAI's Reader, who uses the API with keys of their own: console/api-keys.ts, and
 * may invite readers: organization/invites.ts checks the invite). Every state change made with a
 * session carries `X-CSRF-Token` (a browser sends the cookie to any site's form; only our page
 * can read the token).
 * @module
 */
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors/api-error.js';
import { header, type RequestContext } from '../http/context.js';
import { adminScope } from '../organization/auth.js';
import type { OrgCaller } from '../organization/deps.js';
import type { Organization, Role, Store, User } from '../store/index.js';
import type { Account, AccountRepo } from './accounts.js';
import { csrfMatches, csrfTokenFor, SESSION_COOKIE, type SessionRecord, type SessionRepo } from './sessions.js';

export const CSRF_HEADER = 'x-csrf-token';

/** A request's live session with everything the checks need. */
export interface SignedIn {
  token: string;
  session: SessionRecord;
  user: User;
  account: Account | undefined;
  org: Organization | undefined;
  /** The user's role in `org` (undefined: no organization, an operator only). */
  role: Role | undefined;
  operator: boolean;
}

/** The `Session` object of the contract (docs/console.md). */
export function sessionObject(s: SignedIn) {
  return {
    object: 'console.session',
    user: { id: s.user.id, email: s.user.email, name: s.user.name, role: s.role ?? null, totp_enabled: s.account?.totpEnabled ?? false },
    organization: s.org ? { id: s.org.id, name: s.org.name } : null,
    operator: s.operator,
    csrf_token: csrfTokenFor(s.token),
    expires_at: Math.floor(s.session.expiresAt / 1000),
  };
}

const isRead = (method: string) => method === 'GET' || method === 'HEAD';

/**
 * Paths under /v1/organization a reader may read: not billing (costs, spend limits and spend
 * alerts), not limits (rate limits), not credentials (admin keys), not the audit log.
 */
function readerMayRead(path: string): boolean {
  const rel = path.slice('/v1/organization'.length);
  if (/^\/(costs|spend_limit|spend_alerts|rate_limits|admin_api_keys|audit_logs)(\/|$)/.test(rel)) return false;
  if (/^\/projects\/[^/]+\/(rate_limits|spend_limit|spend_alerts)(\/|$)/.test(rel)) return false;
  return true;
}

/** The one change a reader may ask for: an invite (of a reader; organization/invites.ts checks that). */
const readerMayWrite = (method: string, path: string): boolean => method === 'POST' && path === '/v1/organization/invites';

export interface ConsoleAuthDeps {
  store: Store;
  accounts: AccountRepo;
  sessions: SessionRepo;
  clock: Clock;
  /** The console's base path (`/`, or the public URL's path + `/`): the cookie's Path. */
  basePath: string;
  /** Cookies get `Secure` when the public URL is https. */
  secure: boolean;
  log?: Logger;
}

export class ConsoleAuth {
  constructor(readonly deps: ConsoleAuthDeps) {}

  /** The session token in the request's cookie, if any. */
  cookieToken(ctx: RequestContext): string | undefined {
    const raw = header(ctx, 'cookie');
    if (!raw) return undefined;
    return parseCookies(raw)[SESSION_COOKIE] || undefined;
  }

  /** `Set-Cookie` for a new session token. */
  setCookie(token: string, maxAgeMs: number): string {
    return serializeCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: this.deps.secure, path: this.deps.basePath, maxAge: Math.floor(maxAgeMs / 1000) });
  }

  /** `Set-Cookie` that removes the session cookie. */
  clearCookie(): string {
    return serializeCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: this.deps.secure, path: this.deps.basePath, maxAge: 0 });
  }

  /** The request's live session, or undefined (no cookie, or it names no live session). */
  async current(ctx: RequestContext): Promise<SignedIn | undefined> {
    const token = this.cookieToken(ctx);
    if (!token) return undefined;
    const session = await this.deps.sessions.find(token);
    if (!session) return undefined;
    return this.load(token, session);
  }

  /** Loads the user, account, organization and role behind a session; undefined when the user is gone. */
  async load(token: string, session: SessionRecord): Promise<SignedIn | undefined> {
    const { store } = this.deps;
    const user = await store.users.get(session.userId);
    if (!user) return undefined;
    const account = await this.deps.accounts.get(user.id);
    const org = session.orgId ? await store.organizations.get(session.orgId) : undefined;
    const member = org ? await store.memberships.get(org.id, user.id) : undefined;
    return { token, session, user, account, org: member ? org : undefined, role: member?.role, operator: account?.operator ?? false };
  }

  /** The session, or 401 `not_signed_in`; for a state change, also the CSRF check (403). */
  async require(ctx: RequestContext): Promise<SignedIn> {
    const s = await this.current(ctx);
    if (!s) throw new ApiError('not_signed_in');
    this.checkCsrf(ctx, s);
    ctx.sessionUser = { id: s.user.id, email: s.user.email };
    return s;
  }

  checkCsrf(ctx: RequestContext, s: SignedIn): void {
    if (!isRead(ctx.method) && !csrfMatches(s.token, header(ctx, CSRF_HEADER))) throw new ApiError('invalid_csrf_token');
  }

  /** Refuses a session whose organization requires two-factor sign-in it has not set up. */
  async checkTotpPolicy(s: SignedIn): Promise<void> {
    if (s.org && !s.account?.totpEnabled && (await this.deps.accounts.requiresTotp(s.org.id))) throw new ApiError('totp_setup_required');
  }

  /** A session of a member of its organization (401 no_organization otherwise) that meets the organization's two-factor policy. */
  async requireMember(ctx: RequestContext): Promise<SignedIn & { org: Organization; role: Role }> {
    const s = await this.require(ctx);
    if (!s.org || !s.role) throw new ApiError('no_organization');
    await this.checkTotpPolicy(s);
    return s as SignedIn & { org: Organization; role: Role };
  }

  /**
   * `/v1/organization/*` with a session: the caller as the admin-key path builds it, acting as
   * the user. Undefined when the request has an Authorization header or no session cookie (the
   * admin key decides). Readers are refused what the policy above keeps from them (403), and
   * reach the rest with `role: 'reader'`.
   */
  async orgCaller(ctx: RequestContext): Promise<OrgCaller | undefined> {
    if (header(ctx, 'authorization') !== undefined || !this.cookieToken(ctx)) return undefined;
    const s = await this.requireMember(ctx);
    const reader = s.role !== 'owner';
    if (reader && !(isRead(ctx.method) ? readerMayRead(ctx.path) : readerMayWrite(ctx.method, ctx.path))) {
      throw new ApiError('role_not_permitted', { scopes: adminScope(ctx.method, ctx.path) });
    }
    return {
      org: s.org,
      keyId: s.session.id,
      ownerUserId: s.user.id,
      actor: { type: 'session', session: { user: { id: s.user.id, email: s.user.email }, ip_address: ctx.clientIp } },
      role: reader ? 'reader' : 'owner',
    };
  }

  /** The organization of an owner's session (401 signed out, 403 for a reader or without CSRF on a change). */
  async ownerOrgOf(ctx: RequestContext): Promise<string> {
    const s = await this.requireMember(ctx);
    if (s.role !== 'owner') throw new ApiError('role_not_permitted', { scopes: isRead(ctx.method) ? 'api.management.read' : 'api.management.write' });
    return s.org.id;
  }

  /**
   * `/admin/v1/*` with a session: true when an operator's session admitted the request; false
   * when the admin key decides (an Authorization header, or no session cookie). A non-operator's
   * session is refused 403.
   */
  async operator(ctx: RequestContext): Promise<boolean> {
    if (header(ctx, 'authorization') !== undefined || !this.cookieToken(ctx)) return false;
    const s = await this.require(ctx);
    if (!s.operator) throw new ApiError('operator_required', { email: s.user.email });
    await this.checkTotpPolicy(s);
    return true;
  }
}

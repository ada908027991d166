/**
 * OpenID Connect sign-in (`openid-client`), when `console.oidc` is configured:
 *
 * ```
 * GET /console/api/oidc/start[?invite=<token>]   → 302 to the provider (code flow, PKCE S256, state, nonce)
 * GET /console/api/oidc/callback?code&state      → 302 to the console, signed in; on failure
 *                                                   302 to <base>login?error=<catalog code>
 * ```
 * The state, nonce and PKCE verifier travel in a short-lived HTTP-only cookie sealed with
 * AES-256-GCM (seal.ts), so nothing is stored between the two requests. The provider must vouch
 * for an email (`email`, not `email_verified: false`); a member (or operator) with that email is
 * signed in; with an invite token from the start, the invite for that same email is accepted
 * first (the invitee joins without a password). Nobody else is let in: SSO does not create
 * accounts on its own. A sign-in through the provider does not ask for the console's TOTP code
 * (the provider is where its second factor lives); an organization's 2FA requirement still holds.
 * @module
 */
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import * as oidc from 'openid-client';
import { ApiError } from '../errors/api-error.js';
import { header, type RequestContext } from '../http/context.js';
import type { Router } from '../http/router.js';
import { acceptInviteToken, inviteByToken } from '../organization/invites.js';
import type { OidcConfig } from './config.js';
import { startSession, type ConsoleDeps } from './deps.js';
import { openSecret, sealKey, sealSecret } from './seal.js';

const STATE_COOKIE = 'tollgate_oidc';
const STATE_TTL_S = 600;

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  invite?: string;
  /** When the sign-in started (ms): the cookie is refused after STATE_TTL_S. */
  at: number;
}

const failed = (reason: string) => new ApiError('oidc_sign_in_failed', { reason });

export class OidcSignIn {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly cfg: OidcConfig,
    private readonly deps: ConsoleDeps,
    private readonly env: Record<string, string | undefined>,
    private readonly fetchImpl: typeof fetch,
  ) {}

  private get redirectUri(): string {
    return `${this.deps.config.server.public_url}/console/api/oidc/callback`;
  }

  private get cookiePath(): string {
    return `${this.deps.auth.deps.basePath}console/api/oidc`;
  }

  /** The provider's metadata, discovered once (again after a failure). */
  private discover(): Promise<oidc.Configuration> {
    const secret = this.cfg.client_secret_env ? this.env[this.cfg.client_secret_env] : undefined;
    const insecure = this.cfg.issuer.startsWith('http:');
    this.configuration ??= oidc
      .discovery(new URL(this.cfg.issuer), this.cfg.client_id, secret, secret ? undefined : oidc.None(), {
        [oidc.customFetch]: (url, options) => this.fetchImpl(url, options as RequestInit),
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      })
      .catch((e: unknown) => {
        this.configuration = undefined;
        this.deps.log?.warn({ err: e, issuer: this.cfg.issuer }, 'console: OIDC discovery failed');
        throw failed('the identity provider cannot be reached. Try again later.');
      });
    return this.configuration;
  }

  /** GET /console/api/oidc/start: the provider's authorization URL, and the sealed state cookie. */
  async start(ctx: RequestContext): Promise<{ location: string; cookie: string }> {
    const config = await this.discover();
    const invite = new URLSearchParams(ctx.rawQuery).get('invite') ?? undefined;
    const pending: Pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), at: this.deps.clock.now(), ...(invite ? { invite } : {}) };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    const sealed = sealSecret(await sealKey(this.deps.identity, 'oidc state key'), JSON.stringify(pending));
    return { location: url.href, cookie: this.stateCookie(sealed, STATE_TTL_S) };
  }

  private stateCookie(value: string, maxAge: number): string {
    return serializeCookie(STATE_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: this.deps.auth.deps.secure, path: this.cookiePath, maxAge });
  }

  /** GET /console/api/oidc/callback: checks the provider's answer and signs the user in. */
  async callback(ctx: RequestContext): Promise<string> {
    const raw = parseCookies(header(ctx, 'cookie') ?? '')[STATE_COOKIE];
    const opened = raw ? openSecret(await sealKey(this.deps.identity, 'oidc state key'), raw) : undefined;
    const pending = opened ? (JSON.parse(opened) as Pending) : undefined;
    if (!pending || this.deps.clock.now() - pending.at > STATE_TTL_S * 1000) throw failed('the sign-in took too long or was started in another browser. Start again.');
    const config = await this.discover();
    const current = new URL(`${this.redirectUri}${ctx.rawQuery ? `?${ctx.rawQuery}` : ''}`);
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
      claims = tokens.claims();
    } catch (e) {
      this.deps.log?.info({ err: (e as Error).message }, 'console: OIDC callback refused');
      throw failed('the identity provider\'s answer did not check out. Start again.');
    }
    const email = typeof claims?.email === 'string' ? claims.email.trim().toLowerCase() : undefined;
    if (!email || claims?.email_verified === false) throw failed('the identity provider did not vouch for an email address.');

    let orgId: string | null | undefined;
    if (pending.invite) {
      const invite = await inviteByToken(this.deps.org, pending.invite);
      if (!invite || invite.email !== email) throw failed(`the invite is not for ${email}.`);
      const name = typeof claims?.name === 'string' && claims.name.trim() ? claims.name.trim() : email;
      orgId = (await acceptInviteToken(this.deps.org, pending.invite, name, ctx.clientIp)).invite.orgId;
    }
    const user = await this.deps.store.users.getByEmail(email);
    const account = user ? await this.deps.accounts.get(user.id) : undefined;
    const member = user ? await this.deps.store.db.selectFrom('memberships').select('org_id').where('user_id', '=', user.id).executeTakeFirst() : undefined;
    if (!user || (!member && !account?.operator)) throw failed(`no member of this gateway has the email ${email}; ask an owner for an invite.`);
    const r = await startSession(ctx, this.deps, user.id, orgId);
    this.deps.log?.info({ user_id: user.id }, 'console sign-in (OIDC)');
    return r.headers!['set-cookie']!;
  }

  /** Mounts the two routes. Both answer with redirects, as a browser navigates to them. */
  register(router: Router): void {
    const base = this.deps.auth.deps.basePath;
    const redirect = (ctx: RequestContext, location: string, cookies: string[]) => {
      ctx.res.writeHead(302, { location, 'set-cookie': cookies, 'cache-control': 'no-store', 'content-length': '0', 'x-request-id': ctx.id }).end();
    };
    const onError = (ctx: RequestContext, e: unknown) => {
      if (!(e instanceof ApiError)) throw e;
      redirect(ctx, `${base}login?error=${encodeURIComponent(e.entry.code ?? e.entry.id)}`, [this.stateCookie('', 0)]);
    };
    router.on('GET', '/console/api/oidc/start', async (ctx) => {
      try {
        const { location, cookie } = await this.start(ctx);
        redirect(ctx, location, [cookie]);
      } catch (e) {
        onError(ctx, e);
      }
    });
    router.on('GET', '/console/api/oidc/callback', async (ctx) => {
      try {
        redirect(ctx, base, [await this.callback(ctx), this.stateCookie('', 0)]);
      } catch (e) {
        onError(ctx, e);
      }
    });
  }
}

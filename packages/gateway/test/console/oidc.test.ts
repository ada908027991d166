/**
 * Single sign-on against a tiny OpenID Connect provider run by the test (discovery, authorize,
 * token with a client secret and PKCE, RS256 ID tokens, JWKS): the member whose email the
 * provider vouches for is signed in; an invitee joins through SSO; strangers and forged answers
 * are sent back to the login page with the catalog code.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { Browser } from './browser.js';

const CLIENT_ID = 'tollgate-console';
const CLIENT_SECRET = 'provider-secret-0123456789';

/** The provider: the email it vouches for is `provider.email`. */
async function startProvider() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string; challenge: string; redirect: string }>();
  const state = { email: '', issuer: '' };
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, state.issuer);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: state.issuer,
        authorization_endpoint: `${state.issuer}/authorize`,
        token_endpoint: `${state.issuer}/token`,
        jwks_uri: `${state.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== CLIENT_ID || q.get('code_challenge_method') !== 'S256') return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('hex');
      codes.set(code, { nonce: q.get('nonce')!, challenge: q.get('code_challenge')!, redirect: q.get('redirect_uri')! });
      res.writeHead(302, { location: `${q.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(q.get('state')!)}` }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        // client_secret_basic or client_secret_post, as the metadata offers both.
        const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString().split(':').map(decodeURIComponent) : undefined;
        const [id, secret] = basic ?? [form.get('client_id'), form.get('client_secret')];
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (id !== CLIENT_ID || secret !== CLIENT_SECRET) return json(401, { error: 'invalid_client' });
        if (!grant || grant.redirect !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return json(400, { error: 'invalid_grant' });
        const now = Math.floor(Date.now() / 1000);
        const claims = { iss: state.issuer, sub: `sub-${state.email}`, aud: CLIENT_ID, iat: now, exp: now + 300, nonce: grant.nonce, email: state.email, email_verified: true, name: 'SSO Person' };
        const input = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64(claims)}`;
        const idToken = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
        json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('console single sign-on (OIDC)', () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let gw: TestGateway;
  let ownerEmail: string;

  beforeAll(async () => {
    provider = await startProvider();
    gw = await startTestGateway(
      { console: { oidc: { issuer: provider.state.issuer, client_id: CLIENT_ID, client_secret_env: 'TEST_OIDC_SECRET', name: 'Test SSO' } } },
      { env: { TEST_OIDC_SECRET: CLIENT_SECRET } },
    );
    ownerEmail = (await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email;
  });
  afterAll(async () => {
    await gw.close();
    await provider.close();
  });

  /** Start → provider → callback, as a browser follows the redirects; the last answer and the browser. */
  async function ssoSignIn(query = '', tamper?: (callback: URL) => void) {
    const start = await fetch(`${gw.url}/console/api/oidc/start${query}`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const stateCookie = start.headers.getSetCookie().find((c) => c.startsWith('tollgate_oidc='))!;
    expect(stateCookie).toMatch(/HttpOnly/i);
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe('http://gateway.test/console/api/oidc/callback');
    tamper?.(callback);
    const r = await fetch(`${gw.url}${callback.pathname}${callback.search}`, { redirect: 'manual', headers: { cookie: stateCookie.split(';')[0]! } });
    const b = new Browser(gw.url);
    const session = r.headers.getSetCookie().find((c) => c.startsWith('tollgate_session=') && !/max-age=0/i.test(c));
    if (session) b.cookie = session.split(';')[0];
    return { r, b };
  }

  it('is announced in the config and signs in the member the provider vouches for', async () => {
    expect((await (await fetch(`${gw.url}/console/api/config`)).json()).oidc).toEqual({ enabled: true, name: 'Test SSO' });
    provider.state.email = ownerEmail;
    const { r, b } = await ssoSignIn();
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/');
    const me = await b.call('GET', '/console/api/session');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: gw.userId, email: ownerEmail, role: 'owner' });
  });

  it('an invitee joins through SSO without a password', async () => {
    const owner = (await ssoSignIn()).b;
    await owner.call('GET', '/console/api/session');
    const email = `sso-invitee-${Date.now()}@test.local`;
    const invite = await owner.call('POST', '/v1/organization/invites', { email, role: 'reader' });
    expect(invite.status).toBe(200);
    provider.state.email = email;
    const { r, b } = await ssoSignIn(`?invite=${invite.body.token}`);
    expect(r.headers.get('location')).toBe('/');
    expect((await b.call('GET', '/console/api/session')).body.user).toMatchObject({ email, role: 'reader', name: 'SSO Person' });
    provider.state.email = ownerEmail;
  });

  it('refuses a stranger and a forged state, back to the login page with the catalog code', async () => {
    provider.state.email = 'stranger@elsewhere.test';
    const stranger = await ssoSignIn();
    expect(stranger.r.status).toBe(302);
    expect(stranger.r.headers.get('location')).toBe('/login?error=oidc_sign_in_failed');
    expect(stranger.b.cookie).toBeUndefined();
    provider.state.email = ownerEmail;
    const forged = await ssoSignIn('', (u) => u.searchParams.set('state', 'not-the-state'));
    expect(forged.r.headers.get('location')).toBe('/login?error=oidc_sign_in_failed');
    expect(forged.b.cookie).toBeUndefined();
    const noCookie = await fetch(`${gw.url}/console/api/oidc/callback?code=x&state=y`, { redirect: 'manual' });
    expect(noCookie.headers.get('location')).toBe('/login?error=oidc_sign_in_failed');
  });
});

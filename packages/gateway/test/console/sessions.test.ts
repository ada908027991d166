/**
 * Console sign-in against a real gateway over HTTP: passwords the operator sets, sessions in an
 * HTTP-only cookie, CSRF on every change, sign-in limits, session fixation, roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { Browser } from './browser.js';

const PASSWORD = 'correct horse battery staple';

describe('console sessions', () => {
  let gw: TestGateway;
  let ownerEmail: string;

  beforeAll(async () => {
    gw = await startTestGateway({ console: { login_attempts: { per_email: 3, per_ip: 1000, window_seconds: 600 } } });
    ownerEmail = (await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email;
    const set = await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password: PASSWORD });
    expect(set.status).toBe(200);
  });
  afterAll(() => gw.close());

  it('signs in with the password the operator set, in an HTTP-only SameSite cookie, and signs out', async () => {
    const b = new Browser(gw.url);
    expect((await b.call('GET', '/console/api/session')).status).toBe(401);
    const r = await b.signIn(ownerEmail, PASSWORD);
    expect(r.status).toBe(200);
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith('tollgate_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(r.body.user).toMatchObject({ id: gw.userId, email: ownerEmail, role: 'owner', totp_enabled: false });
    expect(r.body.organization.id).toBe(gw.orgId);
    expect(r.body.operator).toBe(false);
    expect(r.body.csrf_token).toEqual(expect.any(String));

    const me = await b.call('GET', '/console/api/session');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(ownerEmail);
    // The session works on the Administration API the SDK uses, as this owner.
    const users = await b.call('GET', '/v1/organization/users');
    expect(users.status).toBe(200);
    expect(users.body.data.map((u: { email: string }) => u.email)).toContain(ownerEmail);

    const out = await b.call('DELETE', '/console/api/session');
    expect(out.status).toBe(204);
    expect(b.cookie).toBeUndefined();
    const after = await b.call('GET', '/console/api/session');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('not_signed_in');
  });

  it('a member of two organizations lists them and moves the session to the other one (a new session); not to one they are not in', async () => {
    const other = await gw.admin('POST', '/admin/v1/organizations', { name: 'Second Org' });
    expect((await gw.admin('POST', `/admin/v1/organizations/${other.body.id}/members`, { user_id: gw.userId, role: 'reader' })).status).toBe(200);
    const stranger = await gw.admin('POST', '/admin/v1/organizations', { name: 'Not Mine' });
    const b = new Browser(gw.url);
    expect((await b.signIn(ownerEmail, PASSWORD)).body.organization.id).toBe(gw.orgId);
    const mine = await b.call('GET', '/console/api/organizations');
    expect(mine.status).toBe(200);
    expect(mine.body.data).toEqual([
      { object: 'console.organization', id: gw.orgId, name: expect.any(String), role: 'owner' },
      { object: 'console.organization', id: other.body.id, name: 'Second Org', role: 'reader' },
    ]);
    const before = { cookie: b.cookie, csrf: b.csrf };
    // A change: the CSRF token is required.
    expect((await b.call('POST', '/console/api/session/organization', { organization_id: other.body.id }, { csrf: false })).status).toBe(403);
    const moved = await b.call('POST', '/console/api/session/organization', { organization_id: other.body.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ organization: { id: other.body.id, name: 'Second Org' }, user: { role: 'reader' } });
    expect(b.cookie).not.toBe(before.cookie);
    expect(b.csrf).not.toBe(before.csrf);
    // The old session ended; the new one acts in the other organization, with the role there.
    const stale = new Browser(gw.url);
    stale.cookie = before.cookie;
    expect((await stale.call('GET', '/console/api/session')).status).toBe(401);
    expect((await b.call('GET', '/v1/organization/users')).body.data.map((u: { id: string }) => u.id)).toEqual([gw.userId]);
    expect((await b.call('GET', '/v1/organization/costs?start_time=1700000000')).status).toBe(403);
    const refused = await b.call('POST', '/console/api/session/organization', { organization_id: stranger.body.id });
    expect(refused.status).toBe(404);
    expect(refused.body.error).toMatchObject({ code: 'resource_not_found', param: 'organization_id' });
    expect((await b.call('POST', '/console/api/session/organization', { organization_id: gw.orgId })).body.organization.id).toBe(gw.orgId);
  });

  it('answers the console\'s own check (optional=true) with 204 when signed out, the session when signed in; without it, 401 as before', async () => {
    const b = new Browser(gw.url);
    const out = await b.call('GET', '/console/api/session?optional=true');
    expect(out.status).toBe(204);
    expect(out.body).toBeUndefined();
    expect(out.headers.get('cache-control')).toBe('no-store');
    // A cookie that names no session is signed out too.
    const stale = await b.call('GET', '/console/api/session?optional=true', undefined, { headers: { cookie: 'tollgate_session=not-a-session' } });
    expect(stale.status).toBe(204);
    // Other callers: unchanged (optional=false, or any other parameter, is the plain check).
    for (const path of ['/console/api/session', '/console/api/session?optional=false', '/console/api/session?_=1']) {
      const r = await b.call('GET', path);
      expect(r.status, path).toBe(401);
      expect(r.body.error.code, path).toBe('not_signed_in');
    }
    const bad = await b.call('GET', '/console/api/session?optional=yes');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_value', param: 'optional' });

    expect((await b.signIn(ownerEmail, PASSWORD)).status).toBe(200);
    const me = await b.call('GET', '/console/api/session?optional=true');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ object: 'console.session', user: { email: ownerEmail }, csrf_token: b.csrf });
  });

  it('answers an unknown email exactly as a wrong password', async () => {
    const wrong = await new Browser(gw.url).signIn(ownerEmail, 'not the password at all');
    const unknown = await new Browser(gw.url).signIn('nobody-here@test.local', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_credentials', type: 'invalid_request_error', message: 'Wrong email or password.' });
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('limits failed sign-ins per email: 429 with retry-after, even for the right password', async () => {
    const tenant = await gw.newTenant('limited');
    const email = (await gw.admin('GET', `/admin/v1/users/${tenant.userId}`)).body.email;
    await gw.admin('POST', `/admin/v1/users/${tenant.userId}/password`, { password: PASSWORD });
    const b = new Browser(gw.url);
    for (let i = 0; i < 3; i++) expect((await b.signIn(email, `wrong guess ${i} ....`)).status).toBe(401);
    const blocked = await b.signIn(email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_login_attempts');
    expect(blocked.body.error.message).toMatch(/^Too many sign-in attempts\. Please try again in \d+m/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(b.cookie).toBeUndefined();
    // Another email from the same address is not blocked by this one's failures.
    expect((await b.signIn(ownerEmail, PASSWORD)).status).toBe(200);
  });

  // The attempt is counted before the (slow) password check: guesses sent at once cannot all pass
  // a check made before any of them failed.
  it.each([
    ['in memory', {}],
    ['over Redis', { redisPrefix: true as const }],
  ])('admits exactly the limit of concurrent guesses at one email (%s)', async (_, opts) => {
    const g = await startTestGateway({ console: { login_attempts: { per_email: 3, per_ip: 1000, window_seconds: 600 } } }, opts);
    try {
      const email = (await g.admin('GET', `/admin/v1/users/${g.userId}`)).body.email;
      await g.admin('POST', `/admin/v1/users/${g.userId}/password`, { password: PASSWORD });
      const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => new Browser(g.url).signIn(email, `wrong guess ${i} ....`)));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(57);
    } finally {
      await g.close();
    }
  }, 120_000);

  it('gives the attempt of a right password back: signing in again and again is never blocked', async () => {
    const g = await startTestGateway({ console: { login_attempts: { per_email: 2, per_ip: 2, window_seconds: 600 } } });
    try {
      const email = (await g.admin('GET', `/admin/v1/users/${g.userId}`)).body.email;
      await g.admin('POST', `/admin/v1/users/${g.userId}/password`, { password: PASSWORD });
      for (let i = 0; i < 5; i++) expect((await new Browser(g.url).signIn(email, PASSWORD)).status).toBe(200);
    } finally {
      await g.close();
    }
  }, 60_000);

  it('refuses a state change without the CSRF token (403) and changes nothing', async () => {
    const b = new Browser(gw.url);
    await b.signIn(ownerEmail, PASSWORD);
    const email = `csrf-${Date.now()}@test.local`;
    const none = await b.call('POST', '/v1/organization/invites', { email, role: 'reader' }, { csrf: false });
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('invalid_csrf_token');
    const forged = await b.call('POST', '/v1/organization/invites', { email, role: 'reader' }, { csrf: 'x'.repeat(43) });
    expect(forged.status).toBe(403);
    const invites = await b.call('GET', '/v1/organization/invites');
    expect(invites.body.data.map((i: { email: string }) => i.email)).not.toContain(email);
    // A forged sign-out is refused too; the session lives on.
    expect((await b.call('DELETE', '/console/api/session', undefined, { csrf: false })).status).toBe(403);
    expect((await b.call('GET', '/console/api/session')).status).toBe(200);
    // With the token the same change is made.
    expect((await b.call('POST', '/v1/organization/invites', { email, role: 'reader' })).status).toBe(200);
  });

  it('refuses session fixation: sign-in issues a new token and ends the one the browser had', async () => {
    const attacker = new Browser(gw.url);
    await attacker.signIn(ownerEmail, PASSWORD);
    const planted = attacker.cookie!;
    const victim = new Browser(gw.url);
    victim.cookie = planted;
    const r = await victim.signIn(ownerEmail, PASSWORD);
    expect(r.status).toBe(200);
    expect(victim.cookie).toBeDefined();
    expect(victim.cookie).not.toBe(planted);
    expect((await attacker.call('GET', '/console/api/session')).status).toBe(401);
    expect((await victim.call('GET', '/console/api/session')).status).toBe(200);
    // A made-up value planted before sign-in is not kept either.
    const made = new Browser(gw.url);
    made.cookie = `tollgate_session=tgs_${'A'.repeat(43)}`;
    await made.signIn(ownerEmail, PASSWORD);
    expect(made.cookie).not.toBe(`tollgate_session=tgs_${'A'.repeat(43)}`);
  });

  it('signs out everywhere', async () => {
    const a = new Browser(gw.url);
    const c = new Browser(gw.url);
    await a.signIn(ownerEmail, PASSWORD);
    await c.signIn(ownerEmail, PASSWORD);
    expect((await a.call('POST', '/console/api/session/revoke_all')).status).toBe(204);
    expect((await a.call('GET', '/console/api/session')).status).toBe(401);
    expect((await c.call('GET', '/console/api/session')).status).toBe(401);
  });

  it('a password the operator resets ends the sessions and the new one signs in', async () => {
    const t = await gw.newTenant('reset');
    const email = (await gw.admin('GET', `/admin/v1/users/${t.userId}`)).body.email;
    await gw.admin('POST', `/admin/v1/users/${t.userId}/password`, { password: PASSWORD });
    const b = new Browser(gw.url);
    expect((await b.signIn(email, PASSWORD)).status).toBe(200);
    const reset = await gw.admin('POST', `/admin/v1/users/${t.userId}/password`, { password: 'a brand new passphrase' });
    expect(reset.body).toMatchObject({ object: 'user', id: t.userId, email });
    expect((await b.call('GET', '/console/api/session')).status).toBe(401);
    expect((await new Browser(gw.url).signIn(email, PASSWORD)).status).toBe(401);
    expect((await new Browser(gw.url).signIn(email, 'a brand new passphrase')).status).toBe(200);
    const short = await gw.admin('POST', `/admin/v1/users/${t.userId}/password`, { password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatchObject({ code: 'password_too_weak', param: 'password' });
    const unknown = await gw.admin('POST', '/admin/v1/users/user_nope/password', { password: PASSWORD });
    expect(unknown.status).toBe(404);
    const noKey = await fetch(`${gw.url}/admin/v1/users/${t.userId}/password`, { method: 'POST', body: JSON.stringify({ password: PASSWORD }) });
    expect(noKey.status).toBe(401);
  });

  it('a non-operator session is refused on /admin/v1; the session is never more than the API gives', async () => {
    const b = new Browser(gw.url);
    await b.signIn(ownerEmail, PASSWORD);
    const r = await b.call('GET', '/admin/v1/organizations');
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('operator_required');
    const other = await gw.newTenant('other-org');
    // The owner's session sees its own organization only.
    const keys = await b.call('GET', `/v1/organization/projects`);
    expect(keys.status).toBe(200);
    const users = await b.call('GET', '/v1/organization/users');
    expect(users.body.data.map((u: { id: string }) => u.id)).not.toContain(other.userId);
  });
});

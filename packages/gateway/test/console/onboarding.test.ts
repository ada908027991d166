/**
 * Getting people into the console over HTTP: the one-time setup link of the first start, invites
 * accepted in the console (the new member then signs in), roles (a reader never sees billing),
 * an operator's session on /admin/v1, and two-factor sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { TOTP } from 'otpauth';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { Browser } from './browser.js';

const PASSWORD = 'correct horse battery staple';

/** What an authenticator app shows now for a secret. */
const totpCodeAt = (secret: string, now: number) => new TOTP({ secret }).generate({ timestamp: now });

/** The setup link line of the first-start credentials file (undefined when absent). */
const setupLinkIn = (file: string) => /^TOLLGATE_CONSOLE_SETUP_URL=(.*)$/m.exec(readFileSync(file, 'utf8'))?.[1];

describe('console onboarding', () => {
  let gw: TestGateway;
  let ownerEmail: string;
  let owner: Browser;

  beforeAll(async () => {
    gw = await startTestGateway();
    ownerEmail = (await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email;
    await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password: PASSWORD });
    owner = new Browser(gw.url);
    expect((await owner.signIn(ownerEmail, PASSWORD)).status).toBe(200);
  });
  afterAll(() => gw.close());

  async function invite(email: string, role: 'owner' | 'reader'): Promise<string> {
    const r = await owner.call('POST', '/v1/organization/invites', { email, role });
    expect(r.status).toBe(200);
    return r.body.token as string;
  }

  it('the setup link written at first start makes the first owner, an operator, once', async () => {
    const before = await new Browser(gw.url).call('GET', '/console/api/config');
    expect(before.body).toEqual({ base_path: '/', oidc: { enabled: false, name: null }, setup_required: false });
    const url = await gw.gateway.services.console.createSetupLink();
    expect(url).toMatch(/^http:\/\/gateway\.test\/setup#token=tgsetup_/);
    // Written to the owner-only credentials file, not printed.
    expect(setupLinkIn(gw.gateway.services.credentialsFile.path())).toBe(url);
    expect(gw.logs()).not.toContain(url!.split('#token=')[1]);
    expect((await new Browser(gw.url).call('GET', '/console/api/config')).body.setup_required).toBe(true);
    const token = url!.split('#token=')[1]!;

    const b = new Browser(gw.url);
    const weak = await b.call('POST', '/console/api/setup', { token, email: 'first@owner.test', name: 'First', password: 'short' });
    expect(weak.status).toBe(400);
    // A refused attempt does not use the link up.
    const made = await b.call('POST', '/console/api/setup', { token, email: 'first@owner.test', name: 'First Owner', password: PASSWORD });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ user: { email: 'first@owner.test', role: 'owner' }, operator: true });
    const again = await new Browser(gw.url).call('POST', '/console/api/setup', { token, email: 'second@owner.test', name: 'Second', password: PASSWORD });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_setup_token');
    expect((await new Browser(gw.url).call('GET', '/console/api/config')).body.setup_required).toBe(false);
    expect(setupLinkIn(gw.gateway.services.credentialsFile.path())).toBeUndefined();
    // No second link while an operator exists.
    expect(await gw.gateway.services.console.createSetupLink()).toBeUndefined();

    // The operator's session opens /admin/v1 (with the CSRF token for changes), as the admin key does.
    const orgs = await b.call('GET', '/admin/v1/organizations');
    expect(orgs.status).toBe(200);
    expect((await b.call('POST', '/admin/v1/organizations', { name: 'made-by-session' }, { csrf: false })).status).toBe(403);
    const org = await b.call('POST', '/admin/v1/organizations', { name: 'made-by-session' });
    expect(org.status).toBe(200);
    // And a sign-in with the password works later.
    expect((await new Browser(gw.url).signIn('first@owner.test', PASSWORD)).status).toBe(200);
  });

  it("the setup link taking over an account that exists (the first start's admin@localhost) gives it the name typed", async () => {
    const fresh = await startTestGateway();
    try {
      const made = await fresh.admin('POST', '/admin/v1/users', { email: 'admin@localhost', name: 'Administrator' });
      const token = (await fresh.gateway.services.console.createSetupLink())!.split('#token=')[1]!;
      const b = new Browser(fresh.url);
      const r = await b.call('POST', '/console/api/setup', { token, email: 'Admin@Localhost', name: 'Ada Lovelace', password: PASSWORD });
      expect(r.status).toBe(200);
      expect(r.body.user).toMatchObject({ id: made.body.id, email: 'admin@localhost', name: 'Ada Lovelace', role: 'owner' });
      expect((await fresh.admin('GET', `/admin/v1/users/${made.body.id}`)).body.name).toBe('Ada Lovelace');
      expect((await b.call('GET', '/console/api/session')).body.user.name).toBe('Ada Lovelace');
    } finally {
      await fresh.close();
    }
  });

  it('an address on a single-label host (the first start\'s admin@localhost, an intranet name) is an e-mail address; a malformed one is not', async () => {
    for (const email of ['admin@localhost', 'ops@intranet', 'a.b+c@mail.example.com']) {
      const made = await gw.admin('POST', '/admin/v1/users', { email, name: email });
      expect(made.status, email).toBe(200);
    }
    for (const email of ['nobody', 'a@', '@b', 'a@b.', 'a@.b', 'a b@c.d', 'a@@b']) {
      const refused = await gw.admin('POST', '/admin/v1/users', { email, name: 'x' });
      expect(refused.status, email).toBe(400);
      expect(refused.body.error.param).toBe('email');
    }
  });

  it('an invite accepted in the console makes a member who then signs in', async () => {
    const email = `invitee-${Date.now()}@test.local`;
    const token = await invite(email, 'owner');
    const b = new Browser(gw.url);
    const shown = await b.call('GET', `/console/api/invites/${token}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ email, role: 'owner', organization: { id: gw.orgId }, status: 'pending', existing_account: false });
    expect(shown.body.expires_at).toEqual(expect.any(Number));

    const accepted = await b.call('POST', '/console/api/invites/accept', { token, name: 'New Member', password: PASSWORD });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ user: { email, role: 'owner' }, organization: { id: gw.orgId } });
    expect((await b.call('GET', '/console/api/session')).status).toBe(200);
    expect((await b.call('POST', '/console/api/invites/accept', { token, name: 'Again', password: PASSWORD })).status).toBe(409);

    const later = new Browser(gw.url);
    expect((await later.signIn(email, PASSWORD)).status).toBe(200);
    // The audit log names the session's user as the actor of the owner's change.
    const log = await owner.call('GET', '/v1/organization/audit_logs?event_types[]=invite.sent');
    const sent = log.body.data.find((e: any) => e['invite.sent']?.data?.email === email);
    expect(sent.actor).toMatchObject({ type: 'session', session: { user: { id: gw.userId, email: ownerEmail } } });
  });

  it('a reader signs in but is refused billing, limits, costs and changes (403, OpenAI wording)', async () => {
    const email = `reader-${Date.now()}@test.local`;
    const token = await invite(email, 'reader');
    const reader = new Browser(gw.url);
    const r = await reader.call('POST', '/console/api/invites/accept', { token, name: 'Reader', password: PASSWORD });
    expect(r.body.user.role).toBe('reader');
    const costs = await reader.call('GET', '/v1/organization/costs?start_time=1700000000');
    expect(costs.status).toBe(403);
    expect(costs.body.error.message).toMatch(/^You have insufficient permissions for this operation\. Missing scopes: api\.usage\.read\./);
    expect((await reader.call('GET', '/v1/organization/spend_limit')).status).toBe(403);
    const project = (await owner.call('GET', '/v1/organization/projects')).body.data[0].id;
    expect((await reader.call('GET', `/v1/organization/projects/${project}/rate_limits`)).status).toBe(403);
    // Spend alerts are billing (amounts, and who is told), like the spend limits.
    const alert = { threshold_amount: 500, currency: 'USD', interval: 'month', notification_channel: { type: 'email', recipients: ['ops@test.local'] } };
    const orgAlert = await owner.call('POST', '/v1/organization/spend_alerts', alert);
    const projectAlert = await owner.call('POST', `/v1/organization/projects/${project}/spend_alerts`, alert);
    expect([orgAlert.status, projectAlert.status]).toEqual([200, 200]);
    for (const path of [
      '/v1/organization/spend_alerts',
      `/v1/organization/spend_alerts/${orgAlert.body.id}`,
      `/v1/organization/projects/${project}/spend_alerts`,
      `/v1/organization/projects/${project}/spend_alerts/${projectAlert.body.id}`,
    ]) {
      const refused = await reader.call('GET', path);
      expect(refused.status, path).toBe(403);
      expect(refused.body.error.message, path).toMatch(/^You have insufficient permissions for this operation\. Missing scopes: api\.management\.read\./);
    }
    expect((await reader.call('GET', '/v1/organization/rate_limits')).status).toBe(403);
    const change = await reader.call('POST', '/v1/organization/invites', { email: 'x@test.local', role: 'owner' });
    expect(change.status).toBe(403);
    expect(change.body.error.message).toContain('Missing scopes: api.management.write');
    expect((await reader.call('DELETE', `/v1/organization/users/${gw.userId}`)).status).toBe(403);
    // What a reader may see.
    expect((await reader.call('GET', '/v1/organization/users')).status).toBe(200);
    expect((await reader.call('GET', '/v1/organization/projects')).status).toBe(200);
    // The owner sees the costs.
    expect((await owner.call('GET', '/v1/organization/costs?start_time=1700000000')).status).toBe(200);
  });

  it('a member removed from the organization loses the session at once', async () => {
    const email = `removed-${Date.now()}@test.local`;
    const token = await invite(email, 'owner');
    const m = new Browser(gw.url);
    const r = await m.call('POST', '/console/api/invites/accept', { token, name: 'Soon Gone', password: PASSWORD });
    expect((await m.call('GET', '/v1/organization/users')).status).toBe(200);
    expect((await owner.call('DELETE', `/v1/organization/users/${r.body.user.id}`)).status).toBe(200);
    const after = await m.call('GET', '/v1/organization/users');
    expect(after.status).toBe(401);
  });

  it('two-factor sign-in: set up, required at sign-in, recovery codes work once, owners can require it', async () => {
    const email = `totp-${Date.now()}@test.local`;
    const token = await invite(email, 'owner');
    const b = new Browser(gw.url);
    await b.call('POST', '/console/api/invites/accept', { token, name: 'Careful', password: PASSWORD });
    const setup = await b.call('POST', '/console/api/totp/setup');
    expect(setup.status).toBe(200);
    expect(setup.body.otpauth_url).toContain(`secret=${setup.body.secret}`);
    expect((await b.call('POST', '/console/api/totp/enable', { code: '000000' === totpCodeAt(setup.body.secret, Date.now()) ? '111111' : '000000' })).status).toBe(401);
    const enabled = await b.call('POST', '/console/api/totp/enable', { code: totpCodeAt(setup.body.secret, Date.now()) });
    expect(enabled.status).toBe(200);
    const codes: string[] = enabled.body.recovery_codes;
    expect(codes).toHaveLength(10);

    const c = new Browser(gw.url);
    const missing = await c.signIn(email, PASSWORD);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('totp_required');
    expect(c.cookie).toBeUndefined();
    expect((await c.signIn(email, PASSWORD, '12345')).body.error.code).toBe('invalid_totp_code');
    // Each code works once (the enabling one included): the next 30-second step's code, which
    // the gateway accepts for clock drift, is one not used yet.
    const ok = await c.signIn(email, PASSWORD, totpCodeAt(setup.body.secret, Date.now() + 30_000));
    expect(ok.status).toBe(200);
    expect(ok.body.user.totp_enabled).toBe(true);
    expect((await new Browser(gw.url).signIn(email, PASSWORD, codes[0])).status).toBe(200);
    expect((await new Browser(gw.url).signIn(email, PASSWORD, codes[0])).status).toBe(401);

    // Required by the owner: a member without a second factor is sent to set one up.
    const email2 = `no-totp-${Date.now()}@test.local`;
    const m = new Browser(gw.url);
    await m.call('POST', '/console/api/invites/accept', { token: await invite(email2, 'owner'), name: 'Plain', password: PASSWORD });
    expect((await m.call('POST', '/console/api/organization/settings', { require_totp: true })).status).toBe(200);
    const refused = await m.call('GET', '/v1/organization/users');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('totp_setup_required');
    expect((await c.call('GET', '/v1/organization/users')).status).toBe(200);
    expect((await c.call('POST', '/console/api/organization/settings', { require_totp: false })).status).toBe(200);
    expect((await m.call('GET', '/v1/organization/users')).status).toBe(200);
  });
});

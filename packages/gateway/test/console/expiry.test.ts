/** Console sessions end by time: after the idle period without a request, and at the absolute expiry. */
import { FakeClock } from 'tollgate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { Browser } from './browser.js';

const PASSWORD = 'correct horse battery staple';

describe('console session expiry', () => {
  const clock = new FakeClock(Date.now());
  let gw: TestGateway;
  let email: string;

  beforeAll(async () => {
    gw = await startTestGateway({ console: { session_ttl_hours: 1, session_idle_minutes: 10 } }, { clock });
    email = (await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email;
    await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password: PASSWORD });
  });
  afterAll(() => gw.close());

  it('ends after the idle period without a request', async () => {
    const b = new Browser(gw.url);
    expect((await b.signIn(email, PASSWORD)).status).toBe(200);
    await clock.advance(9 * 60_000);
    expect((await b.call('GET', '/console/api/session')).status).toBe(200);
    // That request counted as activity: another 9 minutes are fine, 10 idle ones are not.
    await clock.advance(9 * 60_000);
    expect((await b.call('GET', '/console/api/session')).status).toBe(200);
    await clock.advance(10 * 60_000);
    const r = await b.call('GET', '/console/api/session');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('not_signed_in');
  });

  it('ends at the absolute expiry however active it is', async () => {
    const b = new Browser(gw.url);
    expect((await b.signIn(email, PASSWORD)).status).toBe(200);
    for (let i = 0; i < 6; i++) {
      await clock.advance(9 * 60_000);
      expect((await b.call('GET', '/console/api/session')).status).toBe(200);
    }
    await clock.advance(7 * 60_000);
    expect((await b.call('GET', '/console/api/session')).status).toBe(401);
  });

  it('keeps its absolute expiry when it moves to another organization', async () => {
    const other = await gw.admin('POST', '/admin/v1/organizations', { name: 'Second Org' });
    expect((await gw.admin('POST', `/admin/v1/organizations/${other.body.id}/members`, { user_id: gw.userId, role: 'reader' })).status).toBe(200);
    const b = new Browser(gw.url);
    expect((await b.signIn(email, PASSWORD)).status).toBe(200);
    // Moving between the two organizations every 9 minutes is activity, not a new sign-in.
    for (let i = 0; i < 6; i++) {
      await clock.advance(9 * 60_000);
      const moved = await b.call('POST', '/console/api/session/organization', { organization_id: i % 2 === 0 ? other.body.id : gw.orgId });
      expect(moved.status).toBe(200);
    }
    await clock.advance(7 * 60_000);
    expect((await b.call('GET', '/console/api/session')).status).toBe(401);
  });
});

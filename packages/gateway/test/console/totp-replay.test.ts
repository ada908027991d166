/**
 * A two-factor code works once: the code that turned 2FA on cannot sign in, a code used to sign
 * in cannot sign in again within its validity, an older code is refused once a newer one was
 * used, and of several sign-ins sent at once with one fresh code exactly one gets a session —
 * on SQLite and on PostgreSQL (the check is one conditional update in the database, which every
 * instance shares). The gateway runs on a fake clock, so each 30-second step is exact.
 */
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { Browser } from './browser.js';

const PASSWORD = 'correct horse battery staple';
const STEP = 30_000;

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`TOTP codes are single-use (${database})`, () => {
    // The middle of a 30-second step, so that "now" and the codes it names are unambiguous.
    const clock = new FakeClock(Math.floor(Date.now() / STEP) * STEP + STEP / 2);
    let gw: TestGateway;
    let email: string;
    let secret: string;
    const code = (offsetSteps = 0) => new TOTP({ secret }).generate({ timestamp: clock.now() + offsetSteps * STEP });
    const signIn = (c: string) => new Browser(gw.url).signIn(email, PASSWORD, c);

    beforeAll(async () => {
      // Generous sign-in limits: this file counts codes, not guesses.
      gw = await startTestGateway({ console: { login_attempts: { per_email: 100, per_ip: 100 } } }, { clock, database });
      email = (await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email;
      await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password: PASSWORD });
      const owner = new Browser(gw.url);
      expect((await owner.signIn(email, PASSWORD)).status).toBe(200);
      secret = (await owner.call('POST', '/console/api/totp/setup')).body.secret;
      expect((await owner.call('POST', '/console/api/totp/enable', { code: code() })).status).toBe(200);
    });
    afterAll(() => gw?.close());

    it('the code that turned 2FA on, and a code already used, are refused like wrong ones', async () => {
      const enabling = await signIn(code());
      expect(enabling.status).toBe(401);
      expect(enabling.body.error.code).toBe('invalid_totp_code');

      await clock.advance(STEP);
      const first = await signIn(code());
      expect(first.status).toBe(200);
      const replay = await signIn(code());
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe('invalid_totp_code');
      // The step before is still within the drift allowed, but older than a code used: refused.
      expect((await signIn(code(-1))).status).toBe(401);
      // The next step's code (an authenticator a little ahead) is new: accepted once.
      expect((await signIn(code(1))).status).toBe(200);
      expect((await signIn(code(1))).status).toBe(401);
    });

    it('of eight sign-ins sent at once with one fresh code, exactly one gets a session', async () => {
      await clock.advance(3 * STEP);
      const fresh = code();
      const answers = await Promise.all(Array.from({ length: 8 }, () => signIn(fresh)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
      for (const a of answers.filter((x) => x.status === 401)) expect(a.body.error.code).toBe('invalid_totp_code');
      // Recovery codes are untouched by this: still single-use on their own.
      await clock.advance(STEP);
      expect((await signIn(code())).status).toBe(200);
    });
  });
}

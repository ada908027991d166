/** The `smtp:` section: off by default, set from the file or the environment, its password never in a message. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from 'tollgate';
import { problems } from './problems.js';

const PASSWORD = 'pa55-w0rd-xyz';

describe('smtp config', () => {
  it('is off unless smtp.url is set', () => {
    expect(parseConfig({}).smtp).toBeNull();
    expect(parseConfig({ smtp: { from: 'tollgate@example.com' } }).smtp).toBeNull();
    expect(parseConfig({ smtp: { url: null } }).smtp).toBeNull();
  });

  it('takes the URL, From and timeout from the file', () => {
    expect(parseConfig({ smtp: { url: `smtps://mailer:${PASSWORD}@mail.example.com:465`, from: 'Tollgate <tollgate@example.com>', timeout_ms: 3000 } }).smtp).toEqual({
      url: `smtps://mailer:${PASSWORD}@mail.example.com:465`,
      from: 'Tollgate <tollgate@example.com>',
      timeout_ms: 3000,
    });
  });

  it('TOLLGATE_SMTP_URL and TOLLGATE_SMTP_FROM override the file; an empty TOLLGATE_SMTP_URL turns mail off', () => {
    const env = { TOLLGATE_SMTP_URL: 'smtp://mail.internal:587', TOLLGATE_SMTP_FROM: 'gw@example.org' };
    expect(parseConfig({ smtp: { url: 'smtp://other:25', from: 'x@example.com' } }, env).smtp).toEqual({ url: 'smtp://mail.internal:587', from: 'gw@example.org', timeout_ms: 10_000 });
    expect(parseConfig({ smtp: { url: 'smtp://other:25', from: 'x@example.com' } }, { TOLLGATE_SMTP_URL: '' }).smtp).toBeNull();
  });

  it('names what is wrong, with the password of a wrong URL masked', () => {
    expect(problems({ smtp: { url: 'smtp://mail.example.com' } })).toEqual(['smtp.from: required when smtp.url is set (the From address of the e-mails)']);
    expect(problems({ smtp: { url: 'smtp://mail.example.com', from: 'not an address' } })).toEqual([
      'smtp.from: expected an address (tollgate@example.com or Tollgate <tollgate@example.com>), got "not an address"',
    ]);
    const wrong = problems({}, { TOLLGATE_SMTP_URL: `http://mailer:${PASSWORD}@mail.example.com`, TOLLGATE_SMTP_FROM: 'gw@example.org' });
    expect(wrong).toEqual(['TOLLGATE_SMTP_URL: expected smtp://[user:password@]host[:port] or smtps://…, got "http://***@mail.example.com"']);
    expect(JSON.stringify(problems({ smtp: { url: `smtp:/mailer:${PASSWORD}@host`, from: 'a@b.co' } }))).not.toContain(PASSWORD);
    expect(problems({ smtp: { url: 'smtp://mail.example.com', from: 'a@b.co', timeout_ms: 5 } })).toEqual(['smtp.timeout_ms: expected an integer >= 100 and <= 2147483647 (about 24.8 days, the longest a timer can wait), got 5']);
  });
});

/**
 * The mailer on its own, with a transport standing in for the mail server: what it hands the
 * transport, and that a failure whose message quotes the SMTP credentials is logged with them masked.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig } from 'tollgate';
import { createLogger } from '../../src/logger.js';
import { createMailer, type MailTransport } from '../../src/mail/mailer.js';

const PASSWORD = 'p@ss w0rd/secret';
const smtp = parseConfig({ smtp: { url: `smtps://mailer:${encodeURIComponent(PASSWORD)}@mail.example.com:465`, from: 'Tollgate <tollgate@example.com>' } }).smtp;

function capture() {
  let text = '';
  const log = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    }),
  );
  return { log, text: () => text };
}

describe('mailer', () => {
  it('hands the transport the message from smtp.from and resolves true', async () => {
    const sent: unknown[] = [];
    const transport: MailTransport = { sendMail: async (m) => void sent.push(m) };
    const mailer = createMailer(smtp, { transport });
    expect(await mailer.send({ to: 'a@example.com', subject: 'S', text: 'T' }, {})).toBe(true);
    expect(sent).toEqual([{ from: 'Tollgate <tollgate@example.com>', to: 'a@example.com', subject: 'S', text: 'T' }]);
  });

  it('a failure resolves false and is logged with the URL and the password masked, raw or encoded', async () => {
    const { log, text } = capture();
    const transport: MailTransport = {
      sendMail: () => Promise.reject(Object.assign(new Error(`login refused for smtps://mailer:${encodeURIComponent(PASSWORD)}@mail.example.com (password ${PASSWORD})`), { code: 'EAUTH', responseCode: 535 })),
    };
    const mailer = createMailer(smtp, { log, transport });
    expect(await mailer.send({ to: 'a@example.com', subject: 'S', text: 'T' }, { invite_id: 'invite-1' })).toBe(false);
    const line = JSON.parse(text().trim());
    expect(line).toMatchObject({ msg: 'e-mail not sent', invite_id: 'invite-1', smtp: 'smtps://***@mail.example.com:465', err: { code: 'EAUTH', response_code: 535 } });
    expect(line.err.message).toBe('login refused for smtps://***@mail.example.com (password ***)');
    expect(text()).not.toContain(PASSWORD);
    expect(text()).not.toContain(encodeURIComponent(PASSWORD));
    expect(text()).not.toContain('a@example.com');
  });

  it('without smtp.url: nothing is sent and send resolves null', async () => {
    const mailer = createMailer(null, { transport: { sendMail: () => Promise.reject(new Error('must not be called')) } });
    expect(mailer.enabled).toBe(false);
    expect(await mailer.send({ to: 'a@example.com', subject: 'S', text: 'T' }, {})).toBeNull();
  });
});

/**
 * Sends Tollgate's e-mails over SMTP (`smtp:` in tollgate.yaml). A send never throws: it
 * resolves true (the server accepted the message), false (it failed; logged without the URL's
 * credentials), or null (no SMTP configured), so that what triggered it (an invite, a decision)
 * succeeds whatever the mail server does, and can say whether the e-mail went out.
 * @module
 */
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import { redactText } from '../config/redact-url.js';
import type { SmtpConfig } from './config.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** What sends a message: nodemailer's SMTP transport, or a test's stand-in. */
export interface MailTransport {
  sendMail(message: MailMessage & { from: string }): Promise<unknown>;
  close?(): void;
}

export interface Mailer {
  /** False when smtp.url is unset. */
  readonly enabled: boolean;
  /**
   * Sends `message`. `about` goes into the log line of a failure (ids, never the recipient's
   * address or the message). Resolves null when SMTP is off.
   */
  send(message: MailMessage, about: Record<string, unknown>): Promise<boolean | null>;
  close(): void;
}

/** The mailer when `smtp.url` is unset: nothing is sent, nothing is said. */
export const noMail: Mailer = { enabled: false, send: () => Promise.resolve(null), close: () => {} };

export function createMailer(smtp: SmtpConfig | null, deps: { log?: Logger | undefined; transport?: MailTransport | undefined }): Mailer {
  if (!smtp) return noMail;
  const transport: MailTransport =
    deps.transport ??
    // One connection per message: invites and decisions are rare, and no idle connection is held.
    createTransport({ url: smtp.url, connectionTimeout: smtp.timeout_ms, greetingTimeout: smtp.timeout_ms, socketTimeout: smtp.timeout_ms, logger: false });
  const scrub = secretScrubber(smtp.url);
  return {
    enabled: true,
    async send(message, about) {
      try {
        await transport.sendMail({ from: smtp.from, ...message });
        return true;
      } catch (e) {
        const err = e as { code?: unknown; responseCode?: unknown; message?: unknown };
        deps.log?.warn(
          {
            ...about,
            smtp: redactText(smtp.url),
            err: { code: typeof err.code === 'string' ? err.code : undefined, response_code: typeof err.responseCode === 'number' ? err.responseCode : undefined, message: scrub(String(err.message ?? e)) },
          },
          'e-mail not sent',
        );
        return false;
      }
    },
    close: () => transport.close?.(),
  };
}

/**
 * Masks the URL's user and password wherever they appear in a text (an error message could
 * quote them back), raw and URL-decoded, and any URL's credentials.
 */
function secretScrubber(url: string): (text: string) => string {
  let secrets: string[] = [];
  try {
    const u = new URL(url);
    secrets = [u.password, decodeURIComponent(u.password), u.username, decodeURIComponent(u.username)].filter((s) => s.length >= 3);
  } catch {
    // The config checked the URL; an unparsable one has nothing to mask here.
  }
  secrets.sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((t, s) => t.split(s).join('***'), text.replace(/\b(smtps?:\/\/)[^@/\s]*@/gi, '$1***@'));
}

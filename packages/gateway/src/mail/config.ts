/**
 * The `smtp:` section of tollgate.yaml: outgoing e-mail (invites, quota-request decisions).
 * Off unless `url` is set; the section then resolves to null.
 *
 * ```yaml
 * smtp:
 *   url: smtps://user:password@mail.example.com:465   # or smtp://…:587 (STARTTLS when offered); TOLLGATE_SMTP_URL
 *   from: Tollgate <tollgate@example.com>             # TOLLGATE_SMTP_FROM
 *   timeout_ms: 10000                                 # connecting, the greeting, and each step of a send
 * ```
 * The URL's password is a secret: a wrong URL is reported with it masked (fields.ts `show`), and
 * nothing logs the URL.
 * @module
 */
import { z } from 'zod';
import { durationMs, expected, section, show, text } from '../config/fields.js';
import { hasUnencodedCredentials, UNENCODED_PASSWORD } from '../config/url-fields.js';

const URL_SHAPE = 'smtp://[user:password@]host[:port] or smtps://…';
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function isSmtpUrl(v: string): boolean {
  if (!/^smtps?:\/\//i.test(v)) return false;
  try {
    return new URL(v).hostname !== '';
  } catch {
    return false;
  }
}

const urlError = expected(URL_SHAPE);

const smtpUrl = () =>
  z
    .string({ error: urlError })
    .refine((v) => !hasUnencodedCredentials(v), { error: UNENCODED_PASSWORD, abort: true })
    .refine(isSmtpUrl, { error: urlError, abort: true });

/** `addr@example.com` or `Name <addr@example.com>`. */
const fromAddress = () =>
  text().refine((v) => ADDRESS.test(/<([^<>]*)>\s*$/.exec(v)?.[1] ?? v.trim()), {
    error: (iss) => `expected an address (tollgate@example.com or Tollgate <tollgate@example.com>), got ${show(iss.input)}`,
    abort: true,
  });

export const smtpSchema = section({
  url: smtpUrl().nullable().default(null),
  from: fromAddress().nullable().default(null),
  timeout_ms: durationMs(100).default(10_000),
})
  .superRefine((s, ctx) => {
    if (s.url && !s.from) ctx.addIssue({ code: 'custom', path: ['from'], message: 'required when smtp.url is set (the From address of the e-mails)' });
  })
  .transform((s) => (s.url && s.from ? { url: s.url, from: s.from, timeout_ms: s.timeout_ms } : null));

/** Outgoing mail as configured; null: no e-mail is sent. */
export type SmtpConfig = NonNullable<z.output<typeof smtpSchema>>;

/**
 * The `console:` section of tollgate.yaml: sessions, sign-in limits, and single sign-on.
 *
 * ```yaml
 * console:
 *   session_ttl_hours: 168          # a session ends this long after sign-in
 *   session_idle_minutes: 720       # ... or after this long without a request
 *   login_attempts: { per_email: 5, per_ip: 30, window_seconds: 900 }
 *   oidc:                           # OpenID Connect sign-in; off unless issuer is set
 *     issuer: https://id.example.com
 *     client_id: tollgate
 *     client_secret_env: TOLLGATE_OIDC_CLIENT_SECRET   # the secret itself stays in the environment
 *     name: Example SSO             # the button's label
 * ```
 * @module
 */
import type { z } from 'zod';
import { envName, int, section, text } from '../config/fields.js';
import { webUrl } from '../config/url-fields.js';

const oidc = section({
  issuer: webUrl().optional(),
  client_id: text().optional(),
  /** Environment variable holding the client secret, which must then be set (null: a public client, PKCE only). */
  client_secret_env: envName().nullable().default(null),
  /** The button's label. */
  name: text().default('Single sign-on'),
})
  .superRefine((o, ctx) => {
    if ((o.issuer === undefined) !== (o.client_id === undefined)) ctx.addIssue({ code: 'custom', message: 'set both issuer and client_id, or neither' });
  })
  .transform((o) => (o.issuer !== undefined && o.client_id !== undefined ? { issuer: o.issuer.replace(/\/+$/, ''), client_id: o.client_id, client_secret_env: o.client_secret_env, name: o.name } : null));

export const consoleSchema = section({
  session_ttl_hours: int({ min: 1 }).default(168),
  session_idle_minutes: int({ min: 1 }).default(720),
  /** Failed sign-ins allowed per email and per client address in each window. */
  login_attempts: section({ per_email: int({ min: 1 }).default(5), per_ip: int({ min: 1 }).default(30), window_seconds: int({ min: 1 }).default(900) }),
  /** OpenID Connect sign-in; null unless issuer and client_id are set. */
  oidc,
});

export type ConsoleConfig = z.output<typeof consoleSchema>;
export type OidcConfig = NonNullable<ConsoleConfig['oidc']>;

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
import type { Reader } from '../config/reader.js';

export interface OidcConfig {
  issuer: string;
  client_id: string;
  /** Environment variable holding the client secret (null: a public client, PKCE only). */
  client_secret_env: string | null;
  name: string;
}

export interface ConsoleConfig {
  session_ttl_hours: number;
  session_idle_minutes: number;
  /** Failed sign-ins allowed per email and per client address in each window. */
  login_attempts: { per_email: number; per_ip: number; window_seconds: number };
  oidc: OidcConfig | null;
}

export function readConsoleConfig(c: Reader): ConsoleConfig {
  c.rejectUnknown(['session_ttl_hours', 'session_idle_minutes', 'login_attempts', 'oidc']);
  const la = c.child('login_attempts');
  la.rejectUnknown(['per_email', 'per_ip', 'window_seconds']);
  const o = c.child('oidc');
  o.rejectUnknown(['issuer', 'client_id', 'client_secret_env', 'name']);
  const issuer = o.string('issuer', null);
  const clientId = o.string('client_id', null);
  if ((issuer === null) !== (clientId === null)) c.problems.push(`${o.path}: set both issuer and client_id, or neither`);
  if (issuer !== null && !/^https?:\/\//.test(issuer)) c.problems.push(`${o.path}.issuer: expected an http(s) URL, got ${JSON.stringify(issuer)}`);
  return {
    session_ttl_hours: c.number('session_ttl_hours', 168, { min: 1, integer: true }),
    session_idle_minutes: c.number('session_idle_minutes', 720, { min: 1, integer: true }),
    login_attempts: {
      per_email: la.number('per_email', 5, { min: 1, integer: true }),
      per_ip: la.number('per_ip', 30, { min: 1, integer: true }),
      window_seconds: la.number('window_seconds', 900, { min: 1, integer: true }),
    },
    oidc:
      issuer !== null && clientId !== null
        ? { issuer: issuer.replace(/\/+$/, ''), client_id: clientId, client_secret_env: o.string('client_secret_env', null), name: o.string('name', 'Single sign-on') }
        : null,
  };
}

/**
 * URLs in messages and logs without their credentials. Connection URLs carry passwords
 * (`postgres://user:pw@host/db`, `redis://:pw@host`, `smtps://user:pw@host`); a config error that
 * quotes a wrong value, or a log line that names the server, must not print them.
 * @module
 */

/**
 * The URL with any user and password replaced by `***`: everything before the last `@`, after
 * the scheme if there is one (`redis://`, also misspelt: `smtp:/`, `postgres//`), so that a
 * malformed URL (`smtp:/user:pw@host`, `postgres//user:pw@host`, `:pw@host:port`) and a password
 * holding `@`, `/` or `:` are masked too. A URL whose path holds an `@` is masked up to it (more
 * than its credentials, which is fine for display). A string without `@` comes back unchanged.
 */
export const redactUrl = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*(?::\/+|\/\/))?[\s\S]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);

/** Whether `s` starts like a URL (`scheme:`): then its credentials, if any, are masked when shown. */
export const looksLikeUrl = (s: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(s);

/**
 * The URL with every query value replaced by `***` (`?sslmode=***&password=***`; a bare `?token`
 * as `?***`): a password or an API key can ride in the query (`postgres://host/db?password=…`,
 * `https://host/v1?api-key=…`). The names and the fragment are kept; without `?`, unchanged.
 */
export const redactQuery = (url: string): string =>
  url.replace(/\?([^#]*)/, (_m, query: string) => `?${query.split('&').map((p) => (p === '' ? p : p.includes('=') ? `${p.slice(0, p.indexOf('='))}=***` : '***')).join('&')}`);

/**
 * Any text a config error quotes (a wrong value, a key), URL or not: what stands before its last
 * `@` masked (redactUrl), its query values masked (redactQuery), and the value of every
 * `name=value` pair (a libpq connection string `host=db password=…` given for a URL). A value
 * the user wrote can be a mistyped URL (`postgres//user:pw@db`, `htp:/…?api-key=…`) that no
 * pattern recognises as a URL, so none is asked for.
 */
export const redactText = (s: string): string => redactQuery(redactUrl(s)).replace(/([A-Za-z_][\w.-]*)=[^\s&#]+/g, '$1=***');

/**
 * A webhook URL as it may be logged or stored: its origin only, the rest masked
 * (`https://hooks.example.com/***`). A webhook's path or query often is its secret (chat
 * services hand out `https://host/services/<team>/<channel>/<token>`), and credentials are
 * masked with the rest. A URL of another scheme is named by its scheme and host
 * (`hooks://h/***`), without a host by nothing; not a URL at all: `***`.
 */
export function webhookLabel(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '***';
  }
  const origin = u.origin !== 'null' ? u.origin : u.host !== '' ? `${u.protocol}//${u.host}` : null;
  if (origin === null) return '***';
  const rest = url.length > origin.length + 1 || u.username !== '' || u.password !== '';
  return rest ? `${origin}/***` : origin;
}

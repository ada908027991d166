/**
 * URLs in messages and logs without their credentials. Connection URLs carry passwords
 * (`postgres://user:pw@host/db`, `redis://:pw@host`, `smtps://user:pw@host`); a config error that
 * quotes a wrong value, or a log line that names the server, must not print them.
 * @module
 */

/**
 * The URL with any user and password replaced by `***`: everything before the last `@` after the
 * scheme, so that a malformed URL (`smtp:/user:pw@host`, a password holding `@` or `/`) is masked
 * too. A string without `@` comes back unchanged.
 */
export const redactUrl = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*:\/*)?[^@]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);

/** Whether `s` starts like a URL (`scheme:`): then its credentials, if any, are masked when shown. */
export const looksLikeUrl = (s: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(s);

/** `s` with its user and password masked (redactUrl) when it looks like a URL; anything else unchanged. */
export const redactIfUrl = (s: string): string => (looksLikeUrl(s) ? redactUrl(s) : s);

/**
 * The URL with every query value replaced by `***` (`?sslmode=***&password=***`; a bare `?token`
 * as `?***`): a password or an API key can ride in the query (`postgres://host/db?password=…`,
 * `https://host/v1?api-key=…`). The names and the fragment are kept; without `?`, unchanged.
 */
export const redactQuery = (url: string): string =>
  url.replace(/\?([^#]*)/, (_m, query: string) => `?${query.split('&').map((p) => (p === '' ? p : p.includes('=') ? `${p.slice(0, p.indexOf('='))}=***` : '***')).join('&')}`);

/**
 * A webhook URL as it may be logged or stored: its origin only, the rest masked
 * (`https://hooks.example.com/***`). A webhook's path or query often is its secret (chat
 * services hand out `https://host/services/<team>/<channel>/<token>`), and credentials are
 * masked with the rest. Not a URL at all: `***`.
 */
export function webhookLabel(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '***';
  }
  const rest = url.length > u.origin.length + 1 || u.username !== '' || u.password !== '';
  return rest ? `${u.origin}/***` : u.origin;
}

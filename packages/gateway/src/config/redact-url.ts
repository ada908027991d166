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

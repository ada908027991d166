/**
 * The credential in an Authorization header: `Bearer <token>`, or — as api.openai.com accepts
 * from browsers — `Basic` with the key as the password and a blank user name. Undefined when
 * there is none (no header, another scheme, an empty token): that is "no API key provided".
 */
export function credentialFrom(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const h = authorization.trim();
  const space = h.indexOf(' ');
  if (space === -1) return undefined;
  const scheme = h.slice(0, space).toLowerCase();
  const rest = h.slice(space + 1).trim();
  if (rest === '') return undefined;
  if (scheme === 'bearer') return rest;
  if (scheme === 'basic') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon === -1 ? '' : decoded.slice(colon + 1);
    return password === '' ? undefined : password;
  }
  return undefined;
}

import { randomBytes } from 'node:crypto';

/**
 * Organization admin keys: `sk-admin-` + 43 base64url characters (32 random bytes). Anything else
 * with the prefix is refused without a lookup. Stored as the same HMAC as API keys.
 */
export const ADMIN_KEY_PREFIX = 'sk-admin-';
const WELL_FORMED = /^sk-admin-[A-Za-z0-9_-]{43}$/;

export function generateAdminKey(): { key: string; redacted: string } {
  const key = ADMIN_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, redacted: redactAdminKey(key) };
}

export function isWellFormedAdminKey(s: string): boolean {
  return s.length === ADMIN_KEY_PREFIX.length + 43 && WELL_FORMED.test(s);
}

/** `sk-admin...abcd`, the form OpenAI shows in `redacted_value`. */
export function redactAdminKey(key: string): string {
  return `sk-admin...${key.slice(-4)}`;
}

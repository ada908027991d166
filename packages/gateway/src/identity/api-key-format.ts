import { randomBytes } from 'node:crypto';
import { redactKey } from '@tollgate/protocol';

/**
 * The shape of the keys this gateway issues: `sk-tg-` + 43 base64url characters (32 random
 * bytes, 256 bits). Anything else cannot be one of ours and is refused without a lookup.
 */
export const KEY_PREFIX = 'sk-tg-';
const WELL_FORMED = /^sk-tg-[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): { key: string; redacted: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, redacted: redactKey(key) };
}

export function isWellFormedKey(s: string): boolean {
  return s.length === KEY_PREFIX.length + 43 && WELL_FORMED.test(s);
}

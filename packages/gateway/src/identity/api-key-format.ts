import { randomBytes } from 'node:crypto';
import { redactKey } from '@tollgate/protocol';
import type { KeyOwnerType } from '../store/index.js';

/**
 * The shapes of the keys this gateway issues: a prefix naming the owner, as OpenAI's do —
 * `sk-proj-` (a user's project key) or `sk-svcacct-` (a service account's) — then 43 base64url
 * characters (32 random bytes, 256 bits). `sk-tg-` keys, issued before projects existed, keep
 * working. Anything else cannot be one of ours and is refused without a lookup.
 */
export const KEY_PREFIX = 'sk-proj-';
export const KEY_PREFIXES: Readonly<Record<KeyOwnerType, string>> = { user: 'sk-proj-', service_account: 'sk-svcacct-' };
const WELL_FORMED = /^sk-(?:proj|svcacct|tg)-[A-Za-z0-9_-]{43}$/;

export function generateApiKey(owner: KeyOwnerType = 'user'): { key: string; redacted: string } {
  const key = KEY_PREFIXES[owner] + randomBytes(32).toString('base64url');
  return { key, redacted: redactKey(key) };
}

export function isWellFormedKey(s: string): boolean {
  return s.length <= 64 && WELL_FORMED.test(s);
}

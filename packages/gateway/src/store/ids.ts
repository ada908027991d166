import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// 248 = 4 * 62: bytes at or above it are skipped so that every letter is equally likely.
const UNBIASED = 248;

/** `length` random characters of [A-Za-z0-9], uniformly chosen. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length + 8)) {
      if (b >= UNBIASED) continue;
      out += ALPHABET[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** How a service account's id (also its `users` row's id, migration 0007) begins. */
export const SERVICE_ACCOUNT_ID_PREFIX = 'svc_acct_';

/** Resource ids shaped like OpenAI's: `org-…`, `user-…`, `key_…`, `proj_…`, `svc_acct_…`. */
export const newId = {
  organization: () => `org-${randomBase62(24)}`,
  user: () => `user-${randomBase62(24)}`,
  apiKey: () => `key_${randomBase62(24)}`,
  adminApiKey: () => `key_${randomBase62(24)}`,
  auditLog: () => `audit_log-${randomBase62(24)}`,
  invite: () => `invite-${randomBase62(24)}`,
  project: () => `proj_${randomBase62(24)}`,
  serviceAccount: () => `${SERVICE_ACCOUNT_ID_PREFIX}${randomBase62(24)}`,
  spendAlert: () => `spend_alert_${randomBase62(24)}`,
};

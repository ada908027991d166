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

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
/** 36^3 ids a millisecond before the time part is moved on by one. */
const PER_MS = 36 ** 3;
let lastMs = 0;
let counter = 0;

function base36(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = BASE36[n % 36]! + out;
    n = Math.floor(n / 36);
  }
  return out;
}

/**
 * `length` (≥ 13) characters that sort in the order this process made them: 9 characters of the
 * millisecond time and 3 of a counter within it, in [0-9a-z] (the same order under SQLite's binary
 * and PostgreSQL's C or linguistic collations), then random [A-Za-z0-9] for uniqueness across
 * processes. Lists are ordered by (created_at, id): rows written in one millisecond (the audit
 * entries of one admin call, in one transaction) must list in the order they were written, not in
 * the order of random ids. The time part only moves forward, so a clock stepped back keeps order.
 * An id so made tells its creation millisecond, and its 12 random characters (about 71 bits) keep
 * ids of one millisecond on different processes apart; no resource id is a secret (an invite's
 * token, a key's secret are separate and stored hashed).
 */
export function orderedBase62(length: number, now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter === PER_MS) {
    lastMs += 1;
    counter = 0;
  }
  return base36(lastMs, 9) + base36(counter, 3) + randomBase62(length - 12);
}

/** How a service account's id (also its `users` row's id, migration 0007) begins. */
export const SERVICE_ACCOUNT_ID_PREFIX = 'svc_acct_';

/**
 * Resource ids shaped like OpenAI's: `org-…`, `user-…`, `key_…`, `proj_…`, `svc_acct_…`; 24
 * characters of [A-Za-z0-9] that sort in creation order within a process (`orderedBase62`).
 */
export const newId = {
  organization: () => `org-${orderedBase62(24)}`,
  user: () => `user-${orderedBase62(24)}`,
  apiKey: () => `key_${orderedBase62(24)}`,
  adminApiKey: () => `key_${orderedBase62(24)}`,
  auditLog: () => `audit_log-${orderedBase62(24)}`,
  invite: () => `invite-${orderedBase62(24)}`,
  project: () => `proj_${orderedBase62(24)}`,
  serviceAccount: () => `${SERVICE_ACCOUNT_ID_PREFIX}${orderedBase62(24)}`,
  spendAlert: () => `spend_alert_${orderedBase62(24)}`,
};

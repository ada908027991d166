/**
 * The console's tables (migration 0009_console), viewed through the store's Kysely instance.
 * @module
 */
import type { Kysely } from 'kysely';
import type { Database, Store } from '../store/index.js';

export interface ConsoleAccountsTable {
  user_id: string;
  /** argon2id PHC string; null: no password (SSO only, or not set yet). */
  password_hash: string | null;
  /** 1: the user may use `/admin/v1` with a session, as the admin key may. */
  operator: number;
  /** The TOTP secret sealed with AES-256-GCM (totp.ts); set while setting up and once enabled. */
  totp_secret: string | null;
  /** When two-factor sign-in was enabled; null: off. */
  totp_enabled_at: number | null;
  /** JSON array of the SHA-256 (hex) of each unused recovery code. */
  recovery_codes: string | null;
  /** The TOTP time step (30 s since the epoch) of the last code accepted (migration 0011); null: none yet. */
  totp_last_step?: number | string | bigint | null;
  updated_at: number;
}

export interface ConsoleSessionsTable {
  id: string;
  /** SHA-256 (hex) of the cookie's token: the token itself is never stored. */
  token_hash: string;
  user_id: string;
  /** The organization the session acts in (null: an operator without membership). */
  org_id: string | null;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip_address: string;
}

export interface ConsoleOrgPoliciesTable {
  org_id: string;
  /** 1: every member signs in with a second factor. */
  require_totp: number;
  updated_at: number;
}

export type ConsoleDatabase = Database & {
  console_accounts: ConsoleAccountsTable;
  console_sessions: ConsoleSessionsTable;
  console_org_policies: ConsoleOrgPoliciesTable;
};

export function consoleDb(store: Pick<Store, 'db'>): Kysely<ConsoleDatabase> {
  return store.db as unknown as Kysely<ConsoleDatabase>;
}

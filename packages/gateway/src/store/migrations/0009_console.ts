/**
 * The web console's accounts and sessions (console/tables.ts has the row types): a user's
 * password hash (argon2id), operator flag and two-factor state; server-side sessions, whose
 * token is stored only as its SHA-256; an organization's console policy (two-factor required).
 * Times in epoch milliseconds as `bigint`, flags as 0/1 integers.
 * @module
 */
import type { Kysely, Migration } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('console_accounts')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('password_hash', 'text')
    .addColumn('operator', 'integer', (c) => c.notNull().defaultTo(0))
    // AES-256-GCM under a key derived from the server secret; never the secret itself.
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled_at', 'bigint')
    .addColumn('recovery_codes', 'text') // JSON array of SHA-256 hex, one per unused code
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('console_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('ip_address', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('console_sessions_user').on('console_sessions').column('user_id').execute();

  await db.schema
    .createTable('console_org_policies')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('require_totp', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['console_org_policies', 'console_sessions', 'console_accounts']) await db.schema.dropTable(t).ifExists().execute();
}

/** For the static migration list in ./index.ts. */
export const consoleMigration: Migration = { up, down };

/**
 * Two-factor codes are single-use: each console account remembers the last TOTP time step a code
 * was accepted for (`totp_last_step`, a 30-second step since the Unix epoch), and a code is only
 * accepted for a later step, in one conditional update (console/accounts.ts `useTotpStep`).
 * Null: no code used yet. Schema builder only: SQLite and PostgreSQL.
 * @module
 */
import type { Kysely, Migration } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('console_accounts').addColumn('totp_last_step', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('console_accounts').dropColumn('totp_last_step').execute();
}

/** For the static migration list in ./index.ts. */
export const consoleTotpStepMigration: Migration = { up, down };

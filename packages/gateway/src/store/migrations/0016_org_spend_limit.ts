/**
 * An organization's own monthly spend limit (`organizations.spend_limit_pico`, pico-dollars; null:
 * none), set by its owners through `/v1/organization/spend_limit`, beside the operator's approved
 * hard limit (`hard_limit_pico`: `/admin/v1/.../billing` `hard_limit_usd` and approved quota
 * requests). Requests are refused above the lower of the two (billing/org-limits.ts).
 *
 * Before this migration both were one column, written by whichever side spoke last. Every value
 * there stays the operator's approved limit and no organization gets a spend limit of its own:
 * the reading that never lets an organization spend more than it could before (an owner can set
 * a lower budget again; only an operator can raise the approved limit). Schema builder and one
 * portable UPDATE: SQLite and PostgreSQL.
 *
 * Down folds each organization's own limit back into the one column as the lower of the two, the
 * limit that was enforced, so rolling back never raises what an organization may spend.
 * @module
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { addColumn } from './table.js';

export async function up(db: Kysely<any>): Promise<void> {
  await addColumn(db, 'organizations', 'spend_limit_pico', 'bigint');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db
    .updateTable('organizations')
    .set({ hard_limit_pico: sql`CASE WHEN hard_limit_pico IS NULL OR spend_limit_pico < hard_limit_pico THEN spend_limit_pico ELSE hard_limit_pico END` })
    .where('spend_limit_pico', 'is not', null)
    .execute();
  await db.schema.alterTable('organizations').dropColumn('spend_limit_pico').execute();
}

/** For the static migration list in ./index.ts. */
export const orgSpendLimitMigration: Migration = { up, down };

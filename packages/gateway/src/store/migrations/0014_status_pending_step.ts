/**
 * A status component remembers the evaluation step its hysteresis last moved in
 * (`pending_step`: the evaluation time divided by `status.evaluate_interval_ms`, rounded down), and
 * moves at most once a step, in one conditional update (status/monitor.ts). Several instances
 * evaluate at once while Redis is unreachable; without it, each of their evaluations would count
 * towards `hysteresis.degrade_after` / `recover_after`, and a blip seen by several instances at one
 * moment would change the page. Null: not moved since this column exists. Schema builder only:
 * SQLite and PostgreSQL.
 * @module
 */
import type { Kysely, Migration } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('status_components').addColumn('pending_step', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('status_components').dropColumn('pending_step').execute();
}

/** For the static migration list in ./index.ts. */
export const statusPendingStepMigration: Migration = { up, down };

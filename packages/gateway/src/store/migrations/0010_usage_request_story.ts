/**
 * The usage ledger tells a request's whole story: its project, the model the caller named (next
 * to the one that answered), the error message it was shown and the upstream's request id. The
 * daily rollups carry the project too, so that usage and costs group and filter by project.
 *
 * Rows written before are given their key's project (a key never changes project); the other new
 * columns stay null for them. Schema builder plus portable SQL only: SQLite and PostgreSQL.
 * Needs 0007 (api_keys.project_id); the migrator applies it after, by name.
 * @module
 */
import { sql, type Kysely, type Migration } from 'kysely';

const EVENT_COLUMNS = ['project_id', 'requested_model', 'error_message', 'upstream_request_id'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const c of EVENT_COLUMNS) await db.schema.alterTable('usage_events').addColumn(c, 'text').execute();
  await db.schema.alterTable('usage_daily').addColumn('project_id', 'text').execute();
  for (const table of ['usage_events', 'usage_daily']) {
    await sql`UPDATE ${sql.table(table)} SET project_id = (SELECT k.project_id FROM api_keys k WHERE k.id = ${sql.ref(`${table}.key_id`)})`.execute(db);
  }
  // No new index: reports of a project read the organization's time range (usage_events_org_time)
  // and filter it, so the hot path's batched inserts maintain no extra index.
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('usage_daily').dropColumn('project_id').execute();
  for (const c of [...EVENT_COLUMNS].reverse()) await db.schema.alterTable('usage_events').dropColumn(c).execute();
}

/** For the static migration list in ./index.ts. */
export const usageRequestStoryMigration: Migration = { up, down };

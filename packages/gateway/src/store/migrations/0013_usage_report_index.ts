/**
 * Minute and hour reports (the console's Usage page, the Usage and Costs APIs) read an
 * organization's raw events in a time range. With `usage_events_org_time (org_id, created_at)`
 * PostgreSQL's planner prefers `usage_events_time (created_at)` (whose order follows the table's,
 * so it looks cheap) and reads every organization's events in the range: at a million rows, an
 * organization with 5% of the traffic read 77,777 events to report its 3,298 over 7 days by hour
 * (bench/console-pages.mjs; docs/capacity.md). This index replaces `usage_events_org_time` with the
 * same leading columns plus every column a report reads, so that both databases answer a report
 * from the organization's own index entries alone (PostgreSQL: an index-only scan, 70 pages
 * instead of 2,450; SQLite: a covering index, no table look-ups). Everything that used
 * `usage_events_org_time` (the counter rebuild's last day of an organization) uses its prefix.
 *
 * Plain key columns rather than PostgreSQL's INCLUDE, which SQLite lacks: one schema for both.
 * The index is replaced, not added, so the ledger's inserts still maintain three indexes.
 * Needs 0010 (usage_events.project_id); the migrator applies it after, by name. Rolling 0010 back
 * needs this one rolled back first (SQLite drops no column an index uses).
 * @module
 */
import type { Kysely, Migration } from 'kysely';

/** The organization and time first (the range), then what the reports group by, filter on and sum. */
export const USAGE_REPORT_INDEX_COLUMNS = ['org_id', 'created_at', 'model', 'key_id', 'user_id', 'project_id', 'status_code', 'prompt_tokens', 'completion_tokens', 'cost_pico'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('usage_events_org_report').on('usage_events').columns([...USAGE_REPORT_INDEX_COLUMNS]).execute();
  await db.schema.dropIndex('usage_events_org_time').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('usage_events_org_time').on('usage_events').columns(['org_id', 'created_at']).execute();
  await db.schema.dropIndex('usage_events_org_report').execute();
}

/** For the static migration list in ./index.ts. */
export const usageReportIndexMigration: Migration = { up, down };

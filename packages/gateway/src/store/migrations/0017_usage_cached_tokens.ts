/**
 * The usage ledger keeps the cached prompt tokens the upstream reported (Chat Completions'
 * `prompt_tokens_details.cached_tokens`, Responses' `input_tokens_details.cached_tokens`), per
 * request and in the daily rollups, so that the Usage API's `input_cached_tokens` reports them.
 * A part of `prompt_tokens`, never priced on its own (the pricing has no cached-input price).
 * Rows written before have 0: nothing was recorded for them.
 *
 * Minute and hour reports sum the new column from the raw events, so the report index of 0013
 * (`usage_events_org_report`, every column a report reads) is built again with it: a report is
 * still answered from the organization's index entries alone (SQLite: a covering index;
 * PostgreSQL: an index-only scan). Down builds 0013's index again before dropping the column
 * (SQLite drops no column an index uses). Schema builder only: SQLite and PostgreSQL.
 * @module
 */
import type { Kysely, Migration } from 'kysely';
import { USAGE_REPORT_INDEX_COLUMNS } from './0013_usage_report_index.js';
import { addColumn } from './table.js';

const TABLES = ['usage_events', 'usage_daily'] as const;
const REPORT_INDEX = 'usage_events_org_report';

/** 0013's report index columns with the cached tokens next to the prompt tokens they are part of. */
const USAGE_REPORT_INDEX_COLUMNS_0017 = USAGE_REPORT_INDEX_COLUMNS.flatMap((c) => (c === 'prompt_tokens' ? [c, 'cached_tokens'] : [c]));

async function buildReportIndex(db: Kysely<any>, columns: readonly string[]): Promise<void> {
  await db.schema.dropIndex(REPORT_INDEX).execute();
  await db.schema.createIndex(REPORT_INDEX).on('usage_events').columns([...columns]).execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) await addColumn(db, table, 'cached_tokens', 'integer not null default 0');
  await buildReportIndex(db, USAGE_REPORT_INDEX_COLUMNS_0017);
}

export async function down(db: Kysely<any>): Promise<void> {
  await buildReportIndex(db, USAGE_REPORT_INDEX_COLUMNS);
  for (const table of [...TABLES].reverse()) await db.schema.alterTable(table).dropColumn('cached_tokens').execute();
}

/** For the static migration list in ./index.ts. */
export const usageCachedTokensMigration: Migration = { up, down };

/**
 * Who asked for a quota increase (`quota_requests.requested_by`, a user id), so that the decision
 * can be e-mailed to them. Null: asked with the admin key (the operator, for the organization),
 * and every request made before this migration. Schema builder only: SQLite and PostgreSQL.
 * @module
 */
import type { Kysely, Migration } from 'kysely';
import { addColumn } from './table.js';

export async function up(db: Kysely<any>): Promise<void> {
  await addColumn(db, 'quota_requests', 'requested_by', 'text');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('quota_requests').dropColumn('requested_by').execute();
}

/** For the static migration list in ./index.ts. */
export const quotaRequestRequesterMigration: Migration = { up, down };

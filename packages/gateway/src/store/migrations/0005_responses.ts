/**
 * Stored responses of the Responses API (`store: true`): one row per response, with the input
 * items of its turn and the response object as JSON text, for GET/DELETE /v1/responses/{id},
 * its input items, and `previous_response_id` chains. `expires_at` bounds retention; reads
 * ignore expired rows and a sweeper deletes them.
 */
import type { Kysely, Migration } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stored_responses')
    .addColumn('id', 'text', (c) => c.primaryKey()) // 'resp_...'
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('previous_response_id', 'text')
    .addColumn('input_items', 'text', (c) => c.notNull()) // JSON array, this turn only
    .addColumn('response', 'text', (c) => c.notNull()) // JSON object
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  // The retention sweeper deletes by expiry alone.
  await db.schema.createIndex('stored_responses_expiry').on('stored_responses').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stored_responses').ifExists().execute();
}

/** For the static migration list in ./index.ts: `'0005_responses': responsesMigration`. */
export const responsesMigration: Migration = { up, down };

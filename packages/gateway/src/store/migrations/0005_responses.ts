/**
 * Stored responses of the Responses API (`store: true`): one row per response, with the input
 * items of its turn and the response object as JSON text, for GET/DELETE /v1/responses/{id},
 * its input items, and `previous_response_id` chains. `expires_at` bounds retention; reads
 * ignore expired rows and a sweeper deletes them.
 */
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './table.js';

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'stored_responses', {
    columns: {
      id: 'text primary key', // 'resp_...'
      org_id: 'text not null',
      key_id: 'text not null',
      model: 'text not null',
      previous_response_id: 'text',
      input_items: 'text not null', // JSON array, this turn only
      response: 'text not null', // JSON object
      created_at: 'bigint not null',
      expires_at: 'bigint not null',
    },
    // The retention sweeper deletes by expiry alone.
    indexes: { stored_responses_expiry: ['expires_at'] },
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropTables(db, ['stored_responses']);
}

/** For the static migration list in ./index.ts: `'0005_responses': responsesMigration`. */
export const responsesMigration: Migration = { up, down };

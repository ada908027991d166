/**
 * Stored Responses belong to a project, as OpenAI's do: `stored_responses.project_id` is the
 * project of the key that created the response, and the item index (0018) is keyed by
 * (organization, project, item id), so that a key reaches only its own project's responses and
 * items, and an item id sent again in one project never takes over another project's index row.
 *
 * Filling `project_id` for the rows already stored: the project of the key that created each
 * (`stored_responses.key_id`, every key having one since 0007); where that key is gone, the
 * organization's Default project, the one every member reaches; where the organization has no
 * Default project either, `''`, the value written for a key without a project (keys stored before
 * projects and never moved into one), which no key of a project reaches. The item index is
 * built again from the responses with their projects.
 *
 * Down drops the column and builds 0018's index again. Schema builder and portable SQL only:
 * SQLite and PostgreSQL.
 * @module
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { fillItemIndex, up as responseItemsUp } from './0018_response_items.js';
import { addColumn, createTable, dropTables } from './table.js';

/** What `project_id` holds for a response created by a key without a project. */
export const NO_PROJECT = '';

export async function up(db: Kysely<any>): Promise<void> {
  await addColumn(db, 'stored_responses', 'project_id', 'text');
  await sql`UPDATE stored_responses SET project_id = (SELECT k.project_id FROM api_keys k WHERE k.id = stored_responses.key_id AND k.org_id = stored_responses.org_id)`.execute(db);
  await sql`UPDATE stored_responses SET project_id = (SELECT p.id FROM projects p WHERE p.org_id = stored_responses.org_id AND p.is_default = 1 ORDER BY p.created_at, p.id LIMIT 1) WHERE project_id IS NULL`.execute(db);
  await sql`UPDATE stored_responses SET project_id = ${NO_PROJECT} WHERE project_id IS NULL`.execute(db);

  await dropTables(db, ['stored_response_items']);
  await createTable(db, 'stored_response_items', {
    columns: {
      org_id: 'text not null',
      project_id: 'text not null',
      item_id: 'text not null', // 'msg_...', 'fc_...', 'rs_...'
      response_id: 'text not null references stored_responses.id on delete cascade',
    },
    primaryKey: ['org_id', 'project_id', 'item_id'],
    // The cascade finds a deleted response's items by its id.
    indexes: { stored_response_items_response: ['response_id'] },
  });
  await fillItemIndex(db, ['org_id', 'project_id']);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropTables(db, ['stored_response_items']);
  await db.schema.alterTable('stored_responses').dropColumn('project_id').execute();
  await responseItemsUp(db);
}

/** For the static migration list in ./index.ts. */
export const responseProjectsMigration: Migration = { up, down };

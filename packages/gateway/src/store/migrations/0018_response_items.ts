/**
 * An index of stored Responses items by id, for `{type: 'item_reference', id}` inputs: one row
 * per input and output item of each stored response, naming the response that holds it, keyed by
 * (organization, item id) so an organization resolves only its own items. Written in the same
 * transaction as the response, and deleted with it by the database (`on delete cascade`: DELETE
 * and the retention sweep need not know of it). Up fills it from the responses already stored, a page at a time. Schema
 * builder and Kysely queries only: SQLite and PostgreSQL.
 * @module
 */
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './table.js';

/** Stored responses read per page while filling the index. */
const BACKFILL_PAGE = 200;
/** Rows per INSERT: three or four parameters each, far below SQLite's and PostgreSQL's limits. */
const INSERT_ROWS = 500;

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'stored_response_items', {
    columns: {
      org_id: 'text not null',
      item_id: 'text not null', // 'msg_...', 'fc_...', 'rs_...'
      response_id: 'text not null references stored_responses.id on delete cascade',
    },
    primaryKey: ['org_id', 'item_id'],
    // The cascade finds a deleted response's items by its id.
    indexes: { stored_response_items_response: ['response_id'] },
  });
  await fillItemIndex(db, ['org_id']);
}

/**
 * Fills `stored_response_items` from the stored responses, a page at a time: a row per distinct
 * item id of each response, with the response's `scope` columns (its organization, and from
 * migration 0019 its project) copied from it; an id already indexed in the same scope is kept.
 */
export async function fillItemIndex(db: Kysely<any>, scope: readonly string[]): Promise<void> {
  const conflict = [...scope, 'item_id'];
  let after = '';
  for (;;) {
    const page = await db.selectFrom('stored_responses').select(['id', ...scope, 'input_items', 'response']).where('id', '>', after).orderBy('id').limit(BACKFILL_PAGE).execute();
    if (page.length === 0) return;
    const rows = page.flatMap((r) => storedItemIds(r.input_items, r.response).map((item_id) => ({ ...Object.fromEntries(scope.map((c) => [c, r[c] as string])), item_id, response_id: r.id as string })));
    for (let i = 0; i < rows.length; i += INSERT_ROWS) {
      await db.insertInto('stored_response_items').values(rows.slice(i, i + INSERT_ROWS)).onConflict((oc) => oc.columns(conflict).doNothing()).execute();
    }
    after = page[page.length - 1]!.id as string;
  }
}

/** The distinct ids of a stored row's input items and its response's output items. */
function storedItemIds(inputItems: string, response: string): string[] {
  const items = [...(JSON.parse(inputItems) as unknown[]), ...(((JSON.parse(response) as { output?: unknown[] }).output ?? []) as unknown[])];
  const ids = items.map((i) => (i !== null && typeof i === 'object' ? (i as { id?: unknown }).id : undefined)).filter((id): id is string => typeof id === 'string');
  return [...new Set(ids)];
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropTables(db, ['stored_response_items']);
}

/** For the static migration list in ./index.ts. */
export const responseItemsMigration: Migration = { up, down };

import { sql, type Expression, type SqlBool } from 'kysely';

/** One page request: at most `limit` rows after the row whose id is `after`. */
export interface PageRequest {
  limit: number;
  after?: string;
}

/** A page of rows; `cursorFound` is false when `after` named no row (nothing is returned then). */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
  cursorFound: boolean;
}

/** The position of a row in (created_at, id) order: what `after` resolves to. */
export interface Cursor {
  created_at: number;
  id: string;
}

/**
 * Keyset condition "strictly after the cursor" in (created_at, id) order. Written out (not as a
 * row comparison) because SQLite and PostgreSQL both plan it on the (created_at, id) index.
 */
export function afterCursor(createdCol: string, idCol: string, c: Cursor): Expression<SqlBool> {
  const created = sql.ref(createdCol);
  const id = sql.ref(idCol);
  return sql<SqlBool>`(${created} > ${c.created_at} or (${created} = ${c.created_at} and ${id} > ${c.id}))`;
}

/** Keyset condition "strictly before the cursor" in (created_at, id) order (descending lists). */
export function beforeCursor(createdCol: string, idCol: string, c: Cursor): Expression<SqlBool> {
  const created = sql.ref(createdCol);
  const id = sql.ref(idCol);
  return sql<SqlBool>`(${created} < ${c.created_at} or (${created} = ${c.created_at} and ${id} < ${c.id}))`;
}

/** Cuts the `limit + 1` rows a query fetched into a page. */
export function toPage<R, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  return { items: (hasMore ? rows.slice(0, limit) : rows).map(map), hasMore, cursorFound: true };
}

export const cursorMissing = <T>(): Page<T> => ({ items: [], hasMore: false, cursorFound: false });

import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely';

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
interface Cursor {
  created_at: number;
  id: string;
}

/**
 * Keyset condition "strictly after the cursor" in (created_at, id) order. Written out (not as a
 * row comparison) because SQLite and PostgreSQL both plan it on the (created_at, id) index.
 */
function afterCursor(createdCol: string, idCol: string, c: Cursor): Expression<SqlBool> {
  const created = sql.ref(createdCol);
  const id = sql.ref(idCol);
  return sql<SqlBool>`(${created} > ${c.created_at} or (${created} = ${c.created_at} and ${id} > ${c.id}))`;
}

/** Keyset condition "strictly before the cursor" in (created_at, id) order (descending lists). */
function beforeCursor(createdCol: string, idCol: string, c: Cursor): Expression<SqlBool> {
  const created = sql.ref(createdCol);
  const id = sql.ref(idCol);
  return sql<SqlBool>`(${created} < ${c.created_at} or (${created} = ${c.created_at} and ${id} < ${c.id}))`;
}

/** Cuts the `limit + 1` rows a query fetched into a page. */
function toPage<R, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  return { items: (hasMore ? rows.slice(0, limit) : rows).map(map), hasMore, cursorFound: true };
}

const cursorMissing = <T>(): Page<T> => ({ items: [], hasMore: false, cursorFound: false });

/** The two columns a list is ordered by, as its query names them (`'m.created_at'`), and the direction. */
export interface KeysetOrder {
  created: string;
  id: string;
  direction?: 'asc' | 'desc';
}

/**
 * One page of `q` in (created, id) order (ascending unless said): the rows past `page.after`,
 * whose position `findCursor` reads with the list's own scope (organization, project, not
 * deleted), at most `page.limit`. A cursor that names no row in scope gives the empty page with
 * `cursorFound: false`, which the endpoints answer as OpenAI does.
 */
export async function keysetPage<DB, TB extends keyof DB, R, T>(
  q: SelectQueryBuilder<DB, TB, R>,
  page: PageRequest,
  order: KeysetOrder,
  findCursor: (after: string) => Promise<{ created_at: number | string; id: string } | undefined>,
  map: (r: R) => T,
): Promise<Page<T>> {
  const direction = order.direction ?? 'asc';
  if (page.after !== undefined) {
    const c = await findCursor(page.after);
    if (!c) return cursorMissing();
    const cursor = { created_at: Number(c.created_at), id: c.id };
    q = q.where(direction === 'asc' ? afterCursor(order.created, order.id, cursor) : beforeCursor(order.created, order.id, cursor));
  }
  const rows = await q.orderBy(sql.ref(order.created), direction).orderBy(sql.ref(order.id), direction).limit(page.limit + 1).execute();
  return toPage(rows as R[], page.limit, map);
}

import type { ComparisonOperator, ExpressionBuilder, Kysely } from 'kysely';

/**
 * Deletes the rows of `table` whose `column` compares to `value` by `op`, at most `batch` rows
 * per DELETE (each a short statement of its own, so a large backlog never holds one long lock);
 * returns how many went. DELETE … LIMIT is not portable (PostgreSQL has none); a subquery on the
 * table's key (`key`) is, on SQLite and PostgreSQL.
 */
export async function deleteInBatches(
  db: Kysely<any>,
  target: { table: string; key: string },
  [column, op, value]: [string, ComparisonOperator, number],
  batch: number,
): Promise<number> {
  const { table, key } = target;
  let total = 0;
  for (;;) {
    const r = await db
      .deleteFrom(table)
      .where(key, 'in', (eb: ExpressionBuilder<any, any>) => eb.selectFrom(table).select(key).where(column, op, value).limit(batch))
      .executeTakeFirst();
    const n = Number(r.numDeletedRows);
    total += n;
    if (n < batch) return total;
  }
}

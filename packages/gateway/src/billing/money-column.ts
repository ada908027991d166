/**
 * Reading money columns back exactly. Kept apart from tables.ts, which holds types only (the
 * usage ledger's modules load without Kysely's runtime).
 * @module
 */
import { sql, type Expression, type RawBuilder } from 'kysely';

/**
 * `CAST(<column or expression> AS TEXT)`: a money value read back without passing through a
 * double. SQL NULL stays null, so a nullable column goes through `toPicoOrNull`.
 */
export function moneyText(expr: string | Expression<unknown>): RawBuilder<string> {
  return sql<string>`CAST(${typeof expr === 'string' ? sql.ref(expr) : expr} AS TEXT)`;
}

/**
 * Money moves from whole micro-dollars to pico-dollars (1 USD = 10^12 p$; see billing/pricing.ts),
 * the unit in which a request's cost (tokens × micro-dollars per million tokens) is an exact
 * integer. Every stored amount is multiplied by 10^6 and its column renamed `*_micros` → `*_pico`,
 * so that no code can read an old amount in the new unit by mistake.
 *
 * Amounts stored before were already rounded up per request; they are kept as they were charged
 * (only the unit changes). A value whose pico-dollars would not fit a 64-bit integer (above about
 * $9.2 million) stops the migration before anything is changed: SQLite would turn it into an
 * inexact float.
 * @module
 */
import { sql, type Kysely, type Migration } from 'kysely';

const FACTOR = 1_000_000;
/** The largest micro-dollar amount whose pico-dollars fit a signed 64-bit integer. */
const MAX_MICROS = 9_223_372_036_854n;

/** [table, old column, new column] */
export const MONEY_COLUMNS: readonly (readonly [string, string, string])[] = [
  ['organizations', 'hard_limit_micros', 'hard_limit_pico'],
  ['organizations', 'soft_limit_micros', 'soft_limit_pico'],
  ['usage_events', 'cost_micros', 'cost_pico'],
  ['usage_daily', 'cost_micros', 'cost_pico'],
  ['soft_limit_notifications', 'spend_micros', 'spend_pico'],
  ['soft_limit_notifications', 'limit_micros', 'limit_pico'],
  ['quota_requests', 'requested_hard_limit_micros', 'requested_hard_limit_pico'],
  ['quota_requests', 'previous_hard_limit_micros', 'previous_hard_limit_pico'],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [table, from] of MONEY_COLUMNS) {
    const r = await sql<{ m: string | null }>`SELECT CAST(MAX(${sql.ref(from)}) AS TEXT) AS m FROM ${sql.table(table)}`.execute(db);
    const max = r.rows[0]?.m;
    if (max !== null && max !== undefined && BigInt(max) > MAX_MICROS) {
      throw new Error(`migration 0003: ${table}.${from} holds ${max} micro-dollars, above what pico-dollars can store (${MAX_MICROS}); lower it first`);
    }
  }
  for (const [table, from, to] of MONEY_COLUMNS) {
    await sql`UPDATE ${sql.table(table)} SET ${sql.ref(from)} = ${sql.ref(from)} * ${sql.lit(FACTOR)} WHERE ${sql.ref(from)} IS NOT NULL`.execute(db);
    await db.schema.alterTable(table).renameColumn(from, to).execute();
  }
}

/** Back to micro-dollars, rounding each amount up (the side that never under-charges). */
export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, from, to] of MONEY_COLUMNS) {
    await db.schema.alterTable(table).renameColumn(to, from).execute();
    await sql`UPDATE ${sql.table(table)} SET ${sql.ref(from)} = (${sql.ref(from)} + ${sql.lit(FACTOR - 1)}) / ${sql.lit(FACTOR)} WHERE ${sql.ref(from)} IS NOT NULL`.execute(db);
  }
}

/** For the static migration list in ./index.ts. */
export const picoDollarsMigration: Migration = { up, down };

import type { Kysely } from 'kysely';

/**
 * What one side of the gateway (billing, usage, status) needs of the store: its Kysely instance
 * and the SQL dialect. `any` so that the store's own `Kysely<Database>` is accepted without the
 * side importing that type; `tablesOf` gives back precise types for the tables the side owns.
 */
export interface SideStore {
  readonly db: Kysely<any>;
  readonly dialect: 'sqlite' | 'postgres';
}

/** The store's Kysely typed with the tables `T` one side reads and writes. */
export function tablesOf<T>(store: SideStore): Kysely<T> {
  return store.db as Kysely<T>;
}

/** A nullable integer column (PostgreSQL's driver may give a string or bigint) as a number, or null. */
export function toNumberOrNull(v: number | string | bigint | null | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}

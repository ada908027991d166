/**
 * Tables written as data for the migrations: each column as its SQL definition
 * (`'text not null references users.id'`), built with Kysely's schema builder so that the same
 * migration runs on SQLite and PostgreSQL. The words understood are the few both dialects share:
 * a type (`text`, `bigint`, `integer`), `primary key`, `not null`, `unique`, `default <integer or
 * 'word'>` and `references <table>.<column>` (then `on delete cascade`); anything else throws
 * when the migration runs.
 * @module
 */
import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';

export interface TableSpec {
  /** Column name → definition, in table order. */
  columns: Record<string, string>;
  /** A primary key over several columns, named `<table>_pk`. */
  primaryKey?: string[];
  /** Index name → its columns, created after the table. */
  indexes?: Record<string, string[]>;
}

const TYPES = ['text', 'bigint', 'integer'] as const;
type ColumnType = (typeof TYPES)[number];
type Step = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/** Each modifier a definition may carry after its type, and the builder call it stands for. */
const MODIFIERS: readonly [RegExp, (m: RegExpExecArray) => Step][] = [
  [/^primary key\b/, () => (c) => c.primaryKey()],
  [/^not null\b/, () => (c) => c.notNull()],
  [/^unique\b/, () => (c) => c.unique()],
  [/^default (-?\d+)\b/, (m) => (c) => c.defaultTo(Number(m[1]))],
  [/^default '([a-z_]+)'/, (m) => (c) => c.defaultTo(m[1])],
  [/^references ([a-z_]+\.[a-z_]+)\b/, (m) => (c) => c.references(m[1]!)],
  [/^on delete cascade\b/, () => (c) => c.onDelete('cascade')],
];

/** One column definition as the schema builder's type and modifier callback. */
export function parseColumn(definition: string): { type: ColumnType; build: Step } {
  const fail = (why: string) => new Error(`column definition ${JSON.stringify(definition)}: ${why}`);
  const type = TYPES.find((t) => definition === t || definition.startsWith(`${t} `));
  if (type === undefined) throw fail('expected text, bigint or integer first');
  const steps: Step[] = [];
  let rest = definition.slice(type.length).trim();
  while (rest !== '') {
    const found = MODIFIERS.map(([re, step]) => [re.exec(rest), step] as const).find(([m]) => m !== null);
    if (found === undefined) throw fail(`cannot read ${JSON.stringify(rest)}`);
    const [m, step] = found as readonly [RegExpExecArray, (m: RegExpExecArray) => Step];
    steps.push(step(m));
    rest = rest.slice(m[0].length).trim();
  }
  return { type, build: (c) => steps.reduce((b, step) => step(b), c) };
}

/** Creates a table, then its indexes. */
export async function createTable(db: Kysely<any>, name: string, spec: TableSpec): Promise<void> {
  let t: CreateTableBuilder<string, string> = db.schema.createTable(name);
  for (const [column, definition] of Object.entries(spec.columns)) {
    const { type, build } = parseColumn(definition);
    t = t.addColumn(column, type, build);
  }
  if (spec.primaryKey) t = t.addPrimaryKeyConstraint(`${name}_pk`, spec.primaryKey);
  await t.execute();
  for (const [index, columns] of Object.entries(spec.indexes ?? {})) await db.schema.createIndex(index).on(name).columns(columns).execute();
}

/** Adds one column to an existing table. */
export async function addColumn(db: Kysely<any>, table: string, column: string, definition: string): Promise<void> {
  const { type, build } = parseColumn(definition);
  await db.schema.alterTable(table).addColumn(column, type, build).execute();
}

/** Drops tables that exist, in the order given (dependants first). */
export async function dropTables(db: Kysely<any>, names: readonly string[]): Promise<void> {
  for (const name of names) await db.schema.dropTable(name).ifExists().execute();
}

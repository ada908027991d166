/**
 * The migrations write columns as SQL definitions; each must reach the database as the same
 * column, and a definition with a word the helper does not know must stop the migration.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTable, parseColumn } from '../../src/store/migrations/table.js';

describe('migration tables', () => {
  it('compiles each modifier to the schema builder call it names', async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    const columns: [string, string][] = [
      ['a', 'text primary key'],
      ['b', "text not null default 'user'"],
      ['c', 'integer not null default 0'],
      ['d', 'text not null unique references users.id'],
      ['e', 'bigint'],
    ];
    const compiled = columns
      .reduce((t, [name, definition]) => {
        const { type, build } = parseColumn(definition);
        return t.addColumn(name, type, build);
      }, db.schema.createTable('t'))
      .compile().sql;
    expect(compiled).toBe(
      'create table "t" ("a" text primary key, "b" text default \'user\' not null, "c" integer default 0 not null, "d" text not null unique references "users" ("id"), "e" bigint)',
    );
    await db.destroy();
  });

  it('creates the table with its composite key and indexes', async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    await createTable(db, 'pairs', { columns: { a: 'text not null', b: 'text not null', n: 'bigint' }, primaryKey: ['a', 'b'], indexes: { pairs_n: ['n'] } });
    await db.insertInto('pairs').values({ a: 'x', b: 'y', n: 1 }).execute();
    await expect(db.insertInto('pairs').values({ a: 'x', b: 'y', n: 2 }).execute()).rejects.toThrow(/UNIQUE/);
    const indexes = await db.selectFrom('sqlite_master').select('name').where('type', '=', 'index').where('tbl_name', '=', 'pairs').execute();
    expect(indexes.map((i) => i.name)).toContain('pairs_n');
    await db.destroy();
  });

  it.each(['varchar not null', 'text nullable', 'text default now()', 'text references users'])('refuses %j', (definition) => {
    expect(() => parseColumn(definition)).toThrow(/column definition/);
  });
});

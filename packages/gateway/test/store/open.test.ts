import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/store/connect.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openStore } from 'tollgate';

describe('openStore', () => {
  it('parses the database URLs it supports and refuses others', () => {
    expect(parseDatabaseUrl('sqlite:./data/tollgate.db')).toEqual({ dialect: 'sqlite', path: './data/tollgate.db' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl('sqlite:///var/lib/t.db')).toEqual({ dialect: 'sqlite', path: '/var/lib/t.db' });
    expect(parseDatabaseUrl('postgres://u@h:5432/db?schema=abc&sslmode=disable')).toEqual({ dialect: 'postgres', connectionString: 'postgres://u@h:5432/db?sslmode=disable', schema: 'abc' });
    expect(() => parseDatabaseUrl('postgres://u@h/db?schema=a;drop')).toThrow(/plain identifier/);
    expect(() => parseDatabaseUrl('mysql://x')).toThrow(/expected sqlite/);
  });

  it('creates the parent directory of a SQLite file and uses WAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-open-'));
    try {
      const path = join(dir, 'a', 'b', 'db.sqlite');
      const store = await openStore(`sqlite:${path}`);
      expect(existsSync(path)).toBe(true);
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      await store.close();
      // Reopening finds the schema migrated already.
      const again = await openStore(`sqlite:${path}`);
      expect((await again.organizations.list({ limit: 1 })).items).toEqual([]);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failed migration is named in the error; a failure before any migration ran names none', async () => {
    const sqlite = () => new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    const taken = sqlite();
    await sql`create table settings (x integer)`.execute(taken);
    await expect(migrateToLatest(taken)).rejects.toThrow(/^database migration 0001_identity failed: table "settings" already exists$/);
    await taken.destroy();
    // The Migrator's own first step (its table) fails: no migration name, and no gap where one would be.
    const readOnly = sqlite();
    await sql`pragma query_only = on`.execute(readOnly);
    await expect(migrateToLatest(readOnly)).rejects.toThrow(/^database migration failed: attempt to write a readonly database$/);
    await readOnly.destroy();
  });

  it('ping answers true while the database is there, false (not an exception) once it is gone', async () => {
    const store = await openStore('sqlite::memory:');
    expect(await store.ping()).toBe(true);
    await store.close();
    expect(await store.ping()).toBe(false);
  });

  it('lists the billing migration, so its tables exist after open', async () => {
    const store = await openStore('sqlite::memory:');
    const tables = (await store.db.introspection.getTables()).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['organizations', 'api_keys', 'rate_limit_overrides', 'key_rate_limits', 'usage_events']));
    await store.close();
  });
});

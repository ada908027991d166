/**
 * The databases store tests run on: SQLite in memory and PostgreSQL in a schema of its own
 * (created by openStore, dropped by `drop`), so test files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_PG_URL } from './services.js';

export const PG_BASE = TEST_PG_URL;

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  url: string;
  /** Removes what the test created (the PostgreSQL schema). */
  drop(): Promise<void>;
}

export function sqliteMemory(): TestDatabase {
  return { name: 'sqlite', url: 'sqlite::memory:', drop: async () => {} };
}

export function postgresSchema(prefix = 'tg'): TestDatabase {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  return {
    name: 'postgres',
    url: `${PG_BASE}?schema=${schema}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_BASE });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Both dialects, for describe.each. */
export const DIALECTS = [
  ['sqlite', () => sqliteMemory()],
  ['postgres', () => postgresSchema()],
] as const;

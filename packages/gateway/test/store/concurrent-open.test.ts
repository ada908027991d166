/**
 * Instances that start together on a new PostgreSQL database (a deploy of three replicas, a test
 * cluster) all open the store: creating the schema and migrating it is safe against itself.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, it } from 'vitest';
import { openStore } from 'tollgate';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { PG_BASE, postgresSchema } from '../support/databases.js';

it('eight stores opened at once on a new schema all open, and the schema is migrated once', async () => {
  const db = postgresSchema('tg_race');
  try {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => openStore(db.url)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failures).toEqual([]);
    const stores = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect((await stores[0]!.organizations.list({ limit: 1 })).items).toEqual([]);
    await Promise.all(stores.map((s) => s.close()));
  } finally {
    await db.drop();
  }
});

/**
 * Creates a schema holding a table, drops a column and then the schema, over and over until
 * stopped: what other test files do when they finish (their clusters' close()) or migrate their
 * own schemas, and what another application may do in its schemas.
 */
function dropSchemasMeanwhile(): { stop(): Promise<number> } {
  const prefix = `tg_dropped_${randomBytes(4).toString('hex')}`;
  let stopped = false;
  let cycles = 0;
  const loop = (async () => {
    const c = new pg.Client({ connectionString: PG_BASE });
    await c.connect();
    try {
      while (!stopped) {
        const schema = `${prefix}_${cycles++}`;
        await c.query(`CREATE SCHEMA "${schema}"`);
        try {
          await c.query(`CREATE TABLE "${schema}".t (id serial primary key, a text, b bigint)`);
          await c.query(`ALTER TABLE "${schema}".t DROP COLUMN b`);
        } finally {
          await c.query(`DROP SCHEMA "${schema}" CASCADE`);
        }
      }
    } finally {
      await c.end();
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return cycles;
    },
  };
}

/** Each migration name the schema recorded, with how many times. */
async function recordedMigrations(schema: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: PG_BASE });
  await c.connect();
  try {
    const { rows } = await c.query<{ name: string; n: number }>(`SELECT name, count(*)::int AS n FROM "${schema}".kysely_migration GROUP BY name`);
    return Object.fromEntries(rows.map((r) => [r.name, r.n]));
  } finally {
    await c.end();
  }
}

// Kysely's own introspection, which its Migrator calls before taking its lock, read every table of
// every schema of the database and failed with 'schema "<another>" does not exist' (or 'column
// "<another's>" of relation ... does not exist') when another schema or column was dropped
// meanwhile: a cluster test starting while another test file dropped its schema.
it('groups of stores opened at once on new schemas, while other schemas are dropped, all open and record each migration once', async () => {
  const ROUNDS = 2, GROUPS = 2, STORES = 4;
  const once = Object.fromEntries(Object.keys(MIGRATIONS).map((name) => [name, 1]));
  const dropping = dropSchemasMeanwhile();
  const failures: string[] = [];
  const recorded: Record<string, number>[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        Array.from({ length: GROUPS }, async () => {
          const db = postgresSchema('tg_race');
          try {
            const results = await Promise.allSettled(Array.from({ length: STORES }, () => openStore(db.url)));
            for (const r of results) {
              if (r.status === 'rejected') failures.push(String(r.reason));
              else await r.value.close();
            }
            if (results.some((r) => r.status === 'fulfilled')) recorded.push(await recordedMigrations(new URL(db.url).searchParams.get('schema')!));
          } finally {
            await db.drop();
          }
        }),
      );
    }
  } finally {
    expect(await dropping.stop()).toBeGreaterThan(0);
  }
  expect(failures).toEqual([]);
  expect(recorded).toEqual(Array.from({ length: ROUNDS * GROUPS }, () => once));
});

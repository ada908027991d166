/**
 * Instances that start together on a new PostgreSQL database (a deploy of three replicas, a test
 * cluster) all open the store: creating the schema and migrating it is safe against itself.
 */
import { expect, it } from 'vitest';
import { openStore } from 'tollgate';
import { postgresSchema } from '../support/databases.js';

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

/**
 * Gateways that start at once on one database seed the same status components: none may fail its
 * start on the other's rows (the race on the unique `key` column failed a start with a unique
 * violation when only `id` was the conflict target).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, openStore, type Store } from 'tollgate';
import { componentDefs, syncComponents } from '../../src/status/components.js';
import { statusDb } from '../../src/status/tables.js';
import { DIALECTS, type TestDatabase } from '../support/databases.js';

const CONFIG = {
  models: [
    { name: 'sim-small', type: 'chat' },
    { name: 'sim-large', type: 'chat' },
    { name: 'sim-embed', type: 'embedding' },
  ],
  status: { groups: { Simulated: ['sim-small', 'sim-large'] } },
} as unknown as Parameters<typeof componentDefs>[0];

describe.each(DIALECTS)('status components seeded by many starts at once (%s)', (name, make) => {
  let database: TestDatabase;
  const stores: Store[] = [];
  const starts = name === 'postgres' ? 8 : 1;

  beforeAll(async () => {
    database = make();
    // One store first so the migration runs once; then the other "instances" connect.
    stores.push(await openStore(database.url));
    for (let i = 1; i < starts; i++) stores.push(await openStore(database.url));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await database.drop();
  });

  it('every start succeeds, and each component is stored once', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 1));
    const keys = new Set<string>();
    // Each round adds models none of the stores has seen, so every round races on new rows.
    for (let round = 0; round < 20; round++) {
      const models = Array.from({ length: 10 }, (_, i) => ({ name: `m-${round}-${i}`, type: 'chat' }));
      const defs = componentDefs({ ...CONFIG, models: [...CONFIG.models, ...models] } as typeof CONFIG);
      for (const d of defs) keys.add(d.key);
      const results = await Promise.allSettled(stores.map((s) => syncComponents(s, defs, clock)));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    }
    const rows = await statusDb(stores[0]!).selectFrom('status_components').select(['id', 'key']).execute();
    expect(rows.map((r) => r.key).sort()).toEqual([...keys].sort());
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import { moneyText } from '../../src/billing/money-column.js';
import { billingMigration } from '../../src/store/migrations/0002_billing.js';
import { picoDollarsMigration } from '../../src/store/migrations/0003_pico_dollars.js';
import { DIALECTS, openTestStore, type TestStore } from './db.js';

describe.each(DIALECTS)('migration 0002_billing on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('goes down and up again cleanly', async () => {
    await picoDollarsMigration.down!(t.store.db);
    await billingMigration.down!(t.store.db);
    await expect(sql`select count(*) from usage_events`.execute(t.store.db)).rejects.toThrow();
    await billingMigration.up(t.store.db);
    await picoDollarsMigration.up(t.store.db);
    const { n } = await billingDb(t.store).selectFrom('usage_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(0);
  });

  it('stores pico-dollars up to 2^63 − 1 and millisecond times beyond 32 bits', async () => {
    const big = 2n ** 63n - 1n;
    await billingDb(t.store)
      .insertInto('quota_requests')
      .values({ id: 'qr-big', org_id: 'org_big', requested_hard_limit_pico: big, previous_hard_limit_pico: null, reason: 'r', status: 'approved', note: null, created_at: Date.UTC(2286, 0, 1), decided_at: null })
      .execute();
    const r = await billingDb(t.store).selectFrom('quota_requests').select(['created_at', moneyText('requested_hard_limit_pico').as('hard')]).where('id', '=', 'qr-big').executeTakeFirstOrThrow();
    expect(BigInt(r.hard)).toBe(big);
    expect(Number(r.created_at)).toBe(Date.UTC(2286, 0, 1));
  });

  it('allows one pending quota request per organization, any number of decided ones', async () => {
    const row = (id: string, status: 'pending' | 'approved') => ({ id, org_id: 'org_one', requested_hard_limit_pico: 1n, previous_hard_limit_pico: null, reason: 'r', status, note: null, created_at: 1, decided_at: null });
    await billingDb(t.store).insertInto('quota_requests').values([row('qr-1', 'approved'), row('qr-2', 'approved'), row('qr-3', 'pending')]).execute();
    await expect(billingDb(t.store).insertInto('quota_requests').values(row('qr-4', 'pending')).execute()).rejects.toThrow();
  });
});

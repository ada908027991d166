/**
 * Migration 0016 gives an organization a spend limit of its own beside the operator's approved
 * hard limit, on both dialects: every hard limit stored before it (whoever set it, the operator
 * or an owner through /v1/organization/spend_limit, which wrote the same column) stays the
 * approved limit, exactly, and no organization has a limit of its own; down folds the
 * organization's own limit back into the one column as the lower of the two, the one enforced.
 */
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enforcedHardLimit, getOrgLimits } from '../../src/billing/org-limits.js';
import { orgSpendLimitMigration } from '../../src/store/migrations/0016_org_spend_limit.js';
import { DIALECTS, openTestStore, type TestStore } from '../usage/db.js';

/** $9M in pico-dollars: beyond 2^53, so a value passing through a double would show. */
const BIG = 9_000_000_000_000_000_000n;

async function columnText(db: Kysely<any>, column: string, id: string): Promise<string | null> {
  const r = await sql<{ v: string | null }>`SELECT CAST(${sql.ref(column)} AS TEXT) AS v FROM organizations WHERE id = ${id}`.execute(db);
  return r.rows[0]!.v;
}

describe.each(DIALECTS)('migration 0016_org_spend_limit on %s', (dialect) => {
  let t: TestStore;
  let db: Kysely<any>;
  beforeEach(async () => {
    t = await openTestStore(dialect);
    db = t.store.db;
    await orgSpendLimitMigration.down!(db); // back to one hard limit per organization
  });
  afterEach(async () => {
    await t.close();
  });

  const org = (id: string, hard: bigint | null) => ({ id, name: id, tier: 'free', created_at: 1, deleted_at: null, hard_limit_pico: hard, soft_limit_pico: null, models_restricted: 0 });

  it('keeps every stored hard limit as the approved one, exactly; no organization has a limit of its own', async () => {
    await db.insertInto('organizations').values([org('org_none', null), org('org_one', 1_000_000_000_000n), org('org_big', BIG - 1n)]).execute();
    await orgSpendLimitMigration.up(db);
    expect(await columnText(db, 'hard_limit_pico', 'org_none')).toBeNull();
    expect(await columnText(db, 'hard_limit_pico', 'org_one')).toBe('1000000000000');
    expect(await columnText(db, 'hard_limit_pico', 'org_big')).toBe('8999999999999999999');
    for (const id of ['org_none', 'org_one', 'org_big']) expect(await columnText(db, 'spend_limit_pico', id)).toBeNull();
    // As the request path reads it: the approved limit is what is enforced.
    const big = await getOrgLimits(t.store, 'org_big');
    expect(big).toMatchObject({ hardLimitPico: BIG - 1n, spendLimitPico: null });
    expect(enforcedHardLimit(big!)).toBe(BIG - 1n);
  });

  it('down keeps the lower of the two in the one column, exactly, and drops the new one', async () => {
    await db.insertInto('organizations').values([org('org_neither', null), org('org_approved', 5_000_000_000_000n), org('org_own_lower', BIG), org('org_own_higher', 2_000_000_000_000n), org('org_own_only', null)]).execute();
    await orgSpendLimitMigration.up(db);
    const own = (id: string, pico: bigint) => db.updateTable('organizations').set({ spend_limit_pico: pico }).where('id', '=', id).execute();
    await own('org_own_lower', BIG - 7n);
    await own('org_own_higher', 3_000_000_000_000n);
    await own('org_own_only', 4_000_000_000_000n);
    await orgSpendLimitMigration.down!(db);
    expect(await columnText(db, 'hard_limit_pico', 'org_neither')).toBeNull();
    expect(await columnText(db, 'hard_limit_pico', 'org_approved')).toBe('5000000000000');
    expect(await columnText(db, 'hard_limit_pico', 'org_own_lower')).toBe('8999999999999999993');
    expect(await columnText(db, 'hard_limit_pico', 'org_own_higher')).toBe('2000000000000');
    expect(await columnText(db, 'hard_limit_pico', 'org_own_only')).toBe('4000000000000');
    await expect(db.selectFrom('organizations').select('spend_limit_pico').execute()).rejects.toThrow();
    await orgSpendLimitMigration.up(db); // for afterEach's store, which expects the latest schema
  });
});

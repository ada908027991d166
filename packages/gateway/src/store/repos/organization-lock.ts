import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Takes the organization's row lock inside the caller's transaction, held until it ends: a no-op
 * update, so the row lock on PostgreSQL and the write lock on SQLite. Every change of who the
 * organization's owners are, and every admin key issued to one of them, takes it first, so a
 * check of an owner's standing and the write that depends on it see the same owners.
 */
export async function lockOrganization(trx: Kysely<Database>, orgId: string): Promise<void> {
  await trx.updateTable('organizations').set((eb) => ({ id: eb.ref('id') })).where('id', '=', orgId).execute();
}

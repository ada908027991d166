import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Per-organization model allow-lists. `null` means "every configured model"; a list (possibly
 * empty) means only those. The flag on `organizations` tells the two apart, since an empty list
 * has no rows.
 */
export class ModelAccessRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async get(orgId: string): Promise<string[] | null> {
    const org = await this.db.selectFrom('organizations').select('models_restricted').where('id', '=', orgId).executeTakeFirst();
    if (!org || org.models_restricted !== 1) return null;
    const rows = await this.db.selectFrom('organization_models').select('model').where('org_id', '=', orgId).orderBy('model').execute();
    return rows.map((r) => r.model);
  }

  /** Replaces the allow-list atomically (readers never see a half-written list). */
  async set(orgId: string, models: readonly string[] | null): Promise<void> {
    const unique = models === null ? null : [...new Set(models)];
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('organization_models').where('org_id', '=', orgId).execute();
      if (unique && unique.length > 0) {
        await trx.insertInto('organization_models').values(unique.map((model) => ({ org_id: orgId, model }))).execute();
      }
      await trx.updateTable('organizations').set({ models_restricted: unique === null ? 0 : 1 }).where('id', '=', orgId).execute();
    });
  }
}

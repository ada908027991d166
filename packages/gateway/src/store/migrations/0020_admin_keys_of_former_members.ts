/**
 * Admin keys act for an owner of their organization, and a member's removal now deletes the admin
 * keys they own there (store/repos/memberships.ts). Keys whose owner was removed before that are
 * deleted here the same way (`deleted_at` set, the row kept for the audit entries that name it),
 * so that adding the user back never revives one. Keys the operator made with no owner stay.
 * Down deletes nothing back: a key revoked for a good reason stays revoked. Kysely queries only:
 * SQLite and PostgreSQL.
 * @module
 */
import type { Kysely, Migration } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db
    .updateTable('admin_api_keys')
    .set({ deleted_at: Date.now() })
    .where('deleted_at', 'is', null)
    .where('owner_user_id', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('memberships as m').select('m.user_id').whereRef('m.org_id', '=', 'admin_api_keys.org_id').whereRef('m.user_id', '=', 'admin_api_keys.owner_user_id'))),
    )
    .execute();
}

export async function down(): Promise<void> {}

/** For the static migration list in ./index.ts. */
export const adminKeysOfFormerMembersMigration: Migration = { up, down };

import { Migrator, type Kysely } from 'kysely';
import { migrationProvider } from './migrations/index.js';

/**
 * Brings the schema to the latest migration. Kysely takes a lock first (a lock table on SQLite,
 * an advisory lock on PostgreSQL), so several instances starting at once apply each migration
 * once. Throws the migration's own error when one fails.
 *
 * Migrations of different stages touch different tables and may land in either order, so a
 * database that already ran a later-numbered one still applies an earlier one it has not seen
 * (`allowUnorderedMigrations`); a fresh database applies them in name order.
 */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    // No result in error: the Migrator failed before any migration ran (creating its tables, taking its lock).
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ? `${failed} ` : ''}failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

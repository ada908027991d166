import type { Migration, MigrationProvider } from 'kysely';
import { identityMigration } from './0001_identity.js';

/**
 * Every migration, in order, as a static list: nothing scans the filesystem, so the bundle and
 * the test run see the same set. Names sort in application order; never rename or reorder one
 * that shipped. Later stages append their own (`0002_usage`, ...).
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_identity': identityMigration,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};

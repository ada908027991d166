/**
 * The organization's own administration: admin API keys (`sk-admin-…`, stored as an HMAC like
 * API keys), the audit log of every change made through an admin API, and invitations (a
 * token, stored as its SHA-256, and an expiry). Times in epoch milliseconds as `bigint`.
 *
 * Independent of 0007 (projects): either may be applied first on an existing database.
 * @module
 */
import type { Kysely, Migration } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('admin_api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('owner_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('redacted', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('admin_api_keys_org_created').on('admin_api_keys').columns(['org_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('audit_logs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('effective_at', 'bigint', (c) => c.notNull())
    .addColumn('project_id', 'text')
    // Who: an admin key's id, a user's id, or `operator`; and the e-mail when a user acted.
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_email', 'text')
    .addColumn('actor', 'text', (c) => c.notNull()) // JSON, as the audit log object shows it
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull()) // JSON: the object named by `type`
    .execute();
  await db.schema.createIndex('audit_logs_org_time').on('audit_logs').columns(['org_id', 'effective_at', 'id']).execute();

  await db.schema
    .createTable('invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull()) // owner | reader
    .addColumn('projects', 'text') // JSON [{id, role}] or null: the Default project
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('accepted_at', 'bigint')
    .addColumn('accepted_user_id', 'text')
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('invites_org_created').on('invites').columns(['org_id', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['invites', 'audit_logs', 'admin_api_keys']) await db.schema.dropTable(t).ifExists().execute();
}

/** For the static migration list in ./index.ts. */
export const organizationAdminMigration: Migration = { up, down };

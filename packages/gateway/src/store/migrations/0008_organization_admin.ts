/**
 * The organization's own administration: admin API keys (`sk-admin-…`, stored as an HMAC like
 * API keys), the audit log of every change made through an admin API, and invitations (a
 * token, stored as its SHA-256, and an expiry). Times in epoch milliseconds as `bigint`.
 *
 * Independent of 0007 (projects): either may be applied first on an existing database.
 * @module
 */
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './table.js';

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'admin_api_keys', {
    columns: {
      id: 'text primary key',
      org_id: 'text not null references organizations.id',
      owner_user_id: 'text references users.id',
      name: 'text not null',
      key_hash: 'text not null unique',
      redacted: 'text not null',
      created_at: 'bigint not null',
      expires_at: 'bigint',
      last_used_at: 'bigint',
      deleted_at: 'bigint',
    },
    indexes: { admin_api_keys_org_created: ['org_id', 'created_at', 'id'] },
  });

  await createTable(db, 'audit_logs', {
    columns: {
      id: 'text primary key',
      org_id: 'text not null',
      type: 'text not null',
      effective_at: 'bigint not null',
      project_id: 'text',
      // Who: an admin key's id, a user's id, or `operator`; and the e-mail when a user acted.
      actor_id: 'text not null',
      actor_email: 'text',
      actor: 'text not null', // JSON, as the audit log object shows it
      object_id: 'text not null',
      details: 'text not null', // JSON: the object named by `type`
    },
    indexes: { audit_logs_org_time: ['org_id', 'effective_at', 'id'] },
  });

  await createTable(db, 'invites', {
    columns: {
      id: 'text primary key',
      org_id: 'text not null references organizations.id',
      email: 'text not null',
      role: 'text not null', // owner | reader
      projects: 'text', // JSON [{id, role}] or null: the Default project
      token_hash: 'text not null unique',
      created_at: 'bigint not null',
      expires_at: 'bigint not null',
      accepted_at: 'bigint',
      accepted_user_id: 'text',
      deleted_at: 'bigint',
    },
    indexes: { invites_org_created: ['org_id', 'created_at', 'id'] },
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropTables(db, ['invites', 'audit_logs', 'admin_api_keys']);
}

/** For the static migration list in ./index.ts. */
export const organizationAdminMigration: Migration = { up, down };

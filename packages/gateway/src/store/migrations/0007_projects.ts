/**
 * Projects: every organization gets a `Default project` (which cannot be archived) and every
 * existing key moves into it, so that it keeps working unchanged. Keys are owned by a user or by
 * a service account of their project; projects carry per-model rate limits, a model allow/deny
 * list, a monthly spend limit and an IP allowlist; spend alerts notify once per period.
 *
 * A service account is also a row of `users` (id `svc_acct_…`, an address under `.invalid`) so
 * that a key always names the identity it acts as in `api_keys.user_id` and in the usage ledger;
 * it is never a member of an organization.
 *
 * Schema builder plus portable SQL only, so it runs on SQLite and PostgreSQL.
 * @module
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { newId } from '../ids.js';
import { LIMIT_COLUMNS } from './0001_identity.js';
import { addColumn, createTable, dropTables } from './table.js';

export const DEFAULT_PROJECT_NAME = 'Default project';

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'projects', {
    columns: {
      id: 'text primary key',
      org_id: 'text not null references organizations.id',
      name: 'text not null',
      is_default: 'integer not null default 0',
      status: 'text not null', // active | archived
      external_key_id: 'text',
      created_at: 'bigint not null',
      archived_at: 'bigint',
      // Monthly hard spend limit in pico-dollars; null = none.
      spend_limit_pico: 'bigint',
      // null = every model the organization may use; else allow_list | deny_list of model_ids (JSON).
      model_mode: 'text',
      model_ids: 'text',
      // JSON array of CIDR blocks; null or [] = every address.
      ip_allowlist: 'text',
    },
    indexes: { projects_org_created: ['org_id', 'created_at', 'id'] },
  });

  await createTable(db, 'project_members', {
    columns: {
      project_id: 'text not null references projects.id',
      user_id: 'text not null references users.id',
      role: 'text not null', // owner | member
      created_at: 'bigint not null',
    },
    primaryKey: ['project_id', 'user_id'],
    indexes: { project_members_user: ['user_id'] },
  });

  await createTable(db, 'service_accounts', {
    columns: {
      id: 'text primary key', // also the id of its users row
      org_id: 'text not null references organizations.id',
      project_id: 'text not null references projects.id',
      name: 'text not null',
      role: 'text not null', // owner | member
      created_at: 'bigint not null',
      deleted_at: 'bigint',
    },
    indexes: { service_accounts_project: ['project_id', 'created_at', 'id'] },
  });

  // Same encoding as rate_limit_overrides: NULL = not set, -1 = unlimited, n >= 0 = n.
  await createTable(db, 'project_rate_limits', {
    columns: { project_id: 'text not null references projects.id', ...LIMIT_COLUMNS },
    primaryKey: ['project_id', 'model'],
  });

  await createTable(db, 'spend_alerts', {
    columns: {
      id: 'text primary key',
      org_id: 'text not null references organizations.id',
      project_id: 'text', // null: the organization's spend
      threshold_pico: 'bigint not null',
      recipients: 'text not null', // JSON array of e-mail addresses
      subject_prefix: 'text',
      created_at: 'bigint not null',
    },
    indexes: { spend_alerts_org: ['org_id', 'created_at', 'id'] },
  });

  await createTable(db, 'spend_alert_notifications', {
    columns: {
      alert_id: 'text not null',
      period: 'text not null', // 'YYYY-MM'
      spend_pico: 'bigint not null',
      threshold_pico: 'bigint not null',
      status: 'text not null', // pending | delivered | failed | no_webhook
      attempts: 'integer not null',
      last_error: 'text',
      created_at: 'bigint not null',
      delivered_at: 'bigint',
    },
    // The primary key makes a crossing fire once per (alert, period), across instances.
    primaryKey: ['alert_id', 'period'],
  });

  await addColumn(db, 'organizations', 'ip_allowlist', 'text');
  await addColumn(db, 'api_keys', 'project_id', 'text');
  await addColumn(db, 'api_keys', 'owner_type', "text not null default 'user'");
  await addColumn(db, 'api_keys', 'ip_allowlist', 'text');
  await db.schema.createIndex('api_keys_project_created').on('api_keys').columns(['project_id', 'created_at', 'id']).execute();

  // Every organization (deleted ones too: their keys still point somewhere) gets its Default
  // project, created with the organization's own time, and its keys move into it.
  const orgs = await db.selectFrom('organizations').select(['id', 'created_at']).execute();
  for (const o of orgs as { id: string; created_at: number | string }[]) {
    const id = newId.project();
    await db
      .insertInto('projects')
      .values({ id, org_id: o.id, name: DEFAULT_PROJECT_NAME, is_default: 1, status: 'active', external_key_id: null, created_at: Number(o.created_at), archived_at: null, spend_limit_pico: null, model_mode: null, model_ids: null, ip_allowlist: null })
      .execute();
    await sql`UPDATE api_keys SET project_id = ${id} WHERE org_id = ${o.id}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('api_keys_project_created').ifExists().execute();
  await db.schema.alterTable('api_keys').dropColumn('ip_allowlist').execute();
  await db.schema.alterTable('api_keys').dropColumn('owner_type').execute();
  await db.schema.alterTable('api_keys').dropColumn('project_id').execute();
  await db.schema.alterTable('organizations').dropColumn('ip_allowlist').execute();
  // Keys of service accounts lose their owner with the table: they go too.
  await sql`DELETE FROM key_rate_limits WHERE key_id IN (SELECT id FROM api_keys WHERE user_id IN (SELECT id FROM service_accounts))`.execute(db);
  await sql`DELETE FROM api_keys WHERE user_id IN (SELECT id FROM service_accounts)`.execute(db);
  await sql`DELETE FROM users WHERE id IN (SELECT id FROM service_accounts)`.execute(db);
  await dropTables(db, ['spend_alert_notifications', 'spend_alerts', 'project_rate_limits', 'service_accounts', 'project_members', 'projects']);
}

/** For the static migration list in ./index.ts. */
export const projectsMigration: Migration = { up, down };

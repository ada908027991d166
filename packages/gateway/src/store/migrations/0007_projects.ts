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

export const DEFAULT_PROJECT_NAME = 'Default project';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull()) // active | archived
    .addColumn('external_key_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('archived_at', 'bigint')
    // Monthly hard spend limit in pico-dollars; null = none.
    .addColumn('spend_limit_pico', 'bigint')
    // null = every model the organization may use; else allow_list | deny_list of model_ids (JSON).
    .addColumn('model_mode', 'text')
    .addColumn('model_ids', 'text')
    // JSON array of CIDR blocks; null or [] = every address.
    .addColumn('ip_allowlist', 'text')
    .execute();
  await db.schema.createIndex('projects_org_created').on('projects').columns(['org_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('project_members')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull()) // owner | member
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'user_id'])
    .execute();
  await db.schema.createIndex('project_members_user').on('project_members').column('user_id').execute();

  await db.schema
    .createTable('service_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey()) // also the id of its users row
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull()) // owner | member
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('service_accounts_project').on('service_accounts').columns(['project_id', 'created_at', 'id']).execute();

  // Same encoding as rate_limit_overrides: NULL = not set, -1 = unlimited, n >= 0 = n.
  await db.schema
    .createTable('project_rate_limits')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('max_requests_per_1_minute', 'bigint')
    .addColumn('max_tokens_per_1_minute', 'bigint')
    .addColumn('max_requests_per_1_day', 'bigint')
    .addColumn('max_tokens_per_1_day', 'bigint')
    .addPrimaryKeyConstraint('project_rate_limits_pk', ['project_id', 'model'])
    .execute();

  await db.schema
    .createTable('spend_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('project_id', 'text') // null: the organization's spend
    .addColumn('threshold_pico', 'bigint', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull()) // JSON array of e-mail addresses
    .addColumn('subject_prefix', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('spend_alerts_org').on('spend_alerts').columns(['org_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('spend_alert_notifications')
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull()) // 'YYYY-MM'
    .addColumn('spend_pico', 'bigint', (c) => c.notNull())
    .addColumn('threshold_pico', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // pending | delivered | failed | no_webhook
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    // The primary key makes a crossing fire once per (alert, period), across instances.
    .addPrimaryKeyConstraint('spend_alert_notifications_pk', ['alert_id', 'period'])
    .execute();

  await db.schema.alterTable('organizations').addColumn('ip_allowlist', 'text').execute();
  await db.schema.alterTable('api_keys').addColumn('project_id', 'text').execute();
  await db.schema.alterTable('api_keys').addColumn('owner_type', 'text', (c) => c.notNull().defaultTo('user')).execute();
  await db.schema.alterTable('api_keys').addColumn('ip_allowlist', 'text').execute();
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
  for (const t of ['spend_alert_notifications', 'spend_alerts', 'project_rate_limits', 'service_accounts', 'project_members', 'projects']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}

/** For the static migration list in ./index.ts. */
export const projectsMigration: Migration = { up, down };

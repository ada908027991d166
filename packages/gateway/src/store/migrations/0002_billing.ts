/**
 * Money and usage: the durable usage ledger (one row per request, plus daily rollups written in
 * the same transaction), soft-limit notifications, and quota-increase requests.
 *
 * Portable across SQLite and PostgreSQL: money in integer micro-dollars and times in epoch
 * milliseconds, both `bigint` (PostgreSQL's pg driver returns them as strings; readers convert),
 * booleans as 0/1 integers.
 * @module
 */
import { sql, type Kysely, type Migration } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('usage_events')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cost_micros', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('streamed', 'integer', (c) => c.notNull())
    .addColumn('latency_ms', 'bigint', (c) => c.notNull())
    .addColumn('estimated', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // Minute and hour reports filter by organization and time; retention deletes by time alone.
  await db.schema.createIndex('usage_events_org_time').on('usage_events').columns(['org_id', 'created_at']).execute();
  await db.schema.createIndex('usage_events_time').on('usage_events').column('created_at').execute();

  await db.schema
    .createTable('usage_daily')
    .addColumn('day', 'text', (c) => c.notNull()) // 'YYYY-MM-DD', UTC
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cost_micros', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_daily_pk', ['day', 'org_id', 'model', 'key_id', 'user_id'])
    .execute();
  // Daily reports and the spend rebuild read one organization's days in a range.
  await db.schema.createIndex('usage_daily_org_day').on('usage_daily').columns(['org_id', 'day']).execute();

  await db.schema
    .createTable('soft_limit_notifications')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull()) // 'YYYY-MM'
    .addColumn('spend_micros', 'bigint', (c) => c.notNull())
    .addColumn('limit_micros', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // pending | delivered | failed | no_webhook
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    // The primary key is what makes a crossing fire once per (organization, period), across instances.
    .addPrimaryKeyConstraint('soft_limit_notifications_pk', ['org_id', 'period'])
    .execute();
  await db.schema.createIndex('soft_limit_notifications_status').on('soft_limit_notifications').column('status').execute();

  await db.schema
    .createTable('quota_requests')
    .addColumn('id', 'text', (c) => c.primaryKey()) // 'qr-...'
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('requested_hard_limit_micros', 'bigint', (c) => c.notNull())
    .addColumn('previous_hard_limit_micros', 'bigint') // the hard limit when the request was decided
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // pending | approved | rejected
    .addColumn('note', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .execute();
  await db.schema.createIndex('quota_requests_status_time').on('quota_requests').columns(['status', 'created_at']).execute();
  // At most one pending request per organization, enforced by the database so that two
  // concurrent submissions cannot both pass a check (a partial index: SQLite and PostgreSQL).
  await db.schema
    .createIndex('quota_requests_one_pending')
    .on('quota_requests')
    .column('org_id')
    .unique()
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
  await db.schema.createIndex('quota_requests_org_time').on('quota_requests').columns(['org_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('quota_requests').ifExists().execute();
  await db.schema.dropTable('soft_limit_notifications').ifExists().execute();
  await db.schema.dropTable('usage_daily').ifExists().execute();
  await db.schema.dropTable('usage_events').ifExists().execute();
}

/** For the static migration list in ./index.ts: `'0002_billing': billingMigration`. */
export const billingMigration: Migration = { up, down };

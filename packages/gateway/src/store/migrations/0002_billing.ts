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
import { createTable, dropTables } from './table.js';

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'usage_events', {
    columns: {
      request_id: 'text primary key',
      org_id: 'text not null',
      key_id: 'text not null',
      user_id: 'text not null',
      model: 'text not null',
      endpoint: 'text not null',
      prompt_tokens: 'bigint not null',
      completion_tokens: 'bigint not null',
      cost_micros: 'bigint not null',
      status_code: 'integer not null',
      error_code: 'text',
      streamed: 'integer not null',
      latency_ms: 'bigint not null',
      estimated: 'integer not null',
      created_at: 'bigint not null',
    },
    // Minute and hour reports filter by organization and time; retention deletes by time alone.
    indexes: { usage_events_org_time: ['org_id', 'created_at'], usage_events_time: ['created_at'] },
  });

  await createTable(db, 'usage_daily', {
    columns: {
      day: 'text not null', // 'YYYY-MM-DD', UTC
      org_id: 'text not null',
      model: 'text not null',
      key_id: 'text not null',
      user_id: 'text not null',
      requests: 'bigint not null',
      prompt_tokens: 'bigint not null',
      completion_tokens: 'bigint not null',
      cost_micros: 'bigint not null',
    },
    primaryKey: ['day', 'org_id', 'model', 'key_id', 'user_id'],
    // Daily reports and the spend rebuild read one organization's days in a range.
    indexes: { usage_daily_org_day: ['org_id', 'day'] },
  });

  await createTable(db, 'soft_limit_notifications', {
    columns: {
      org_id: 'text not null',
      period: 'text not null', // 'YYYY-MM'
      spend_micros: 'bigint not null',
      limit_micros: 'bigint not null',
      status: 'text not null', // pending | delivered | failed | no_webhook
      attempts: 'integer not null',
      last_error: 'text',
      created_at: 'bigint not null',
      delivered_at: 'bigint',
    },
    // The primary key is what makes a crossing fire once per (organization, period), across instances.
    primaryKey: ['org_id', 'period'],
    indexes: { soft_limit_notifications_status: ['status'] },
  });

  await createTable(db, 'quota_requests', {
    columns: {
      id: 'text primary key', // 'qr-...'
      org_id: 'text not null',
      requested_hard_limit_micros: 'bigint not null',
      previous_hard_limit_micros: 'bigint', // the hard limit when the request was decided
      reason: 'text not null',
      status: 'text not null', // pending | approved | rejected
      note: 'text',
      created_at: 'bigint not null',
      decided_at: 'bigint',
    },
    indexes: { quota_requests_status_time: ['status', 'created_at'], quota_requests_org_time: ['org_id', 'created_at'] },
  });
  // At most one pending request per organization, enforced by the database so that two
  // concurrent submissions cannot both pass a check (a partial index: SQLite and PostgreSQL).
  await db.schema
    .createIndex('quota_requests_one_pending')
    .on('quota_requests')
    .column('org_id')
    .unique()
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropTables(db, ['quota_requests', 'soft_limit_notifications', 'usage_daily', 'usage_events']);
}

/** For the static migration list in ./index.ts: `'0002_billing': billingMigration`. */
export const billingMigration: Migration = { up, down };

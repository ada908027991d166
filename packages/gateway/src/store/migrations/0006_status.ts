/**
 * The status page: components (ids are an API: created once, never regenerated), incidents and
 * scheduled maintenances with their updates, daily uptime per component (90 days shown), and the
 * webhook deliveries of incident changes. Times in epoch milliseconds as `bigint`.
 * @module
 */
import type { Kysely, Migration } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('status_components')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pending_status', 'text')
    .addColumn('pending_count', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('accrued_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('status_incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull()) // incident | maintenance
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('impact', 'text', (c) => c.notNull())
    .addColumn('impact_override', 'text')
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('auto_component_id', 'text')
    .addColumn('postmortem_body', 'text')
    .addColumn('postmortem_published_at', 'bigint')
    .addColumn('scheduled_for', 'bigint')
    .addColumn('scheduled_until', 'bigint')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('monitoring_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_incidents_kind_time').on('status_incidents').columns(['kind', 'created_at']).execute();
  await db.schema.createIndex('status_incidents_auto').on('status_incidents').columns(['auto_component_id', 'status']).execute();

  await db.schema
    .createTable('status_incident_updates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('affected_components', 'text')
    .addColumn('display_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_incident_updates_incident').on('status_incident_updates').columns(['incident_id', 'created_at']).execute();

  await db.schema
    .createTable('status_daily')
    .addColumn('component_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('operational_ms', 'bigint', (c) => c.notNull())
    .addColumn('degraded_ms', 'bigint', (c) => c.notNull())
    .addColumn('partial_ms', 'bigint', (c) => c.notNull())
    .addColumn('major_ms', 'bigint', (c) => c.notNull())
    .addColumn('maintenance_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('status_daily_pk', ['component_id', 'day'])
    .execute();

  await db.schema
    .createTable('status_webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('status_webhook_deliveries_status').on('status_webhook_deliveries').columns(['status', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['status_webhook_deliveries', 'status_daily', 'status_incident_updates', 'status_incidents', 'status_components']) await db.schema.dropTable(t).ifExists().execute();
}

/** For the static migration list in ./index.ts. */
export const statusMigration: Migration = { up, down };

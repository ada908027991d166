/**
 * The status page: components (ids are an API: created once, never regenerated), incidents and
 * scheduled maintenances with their updates, daily uptime per component (90 days shown), and the
 * webhook deliveries of incident changes. Times in epoch milliseconds as `bigint`.
 * @module
 */
import type { Kysely, Migration } from 'kysely';
import { createTable, dropTables } from './table.js';

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'status_components', {
    columns: {
      id: 'text primary key',
      key: 'text not null unique',
      name: 'text not null',
      status: 'text not null',
      pending_status: 'text',
      pending_count: 'integer not null',
      reason: 'text',
      accrued_until: 'bigint',
      created_at: 'bigint not null',
      updated_at: 'bigint not null',
    },
  });

  await createTable(db, 'status_incidents', {
    columns: {
      id: 'text primary key',
      kind: 'text not null', // incident | maintenance
      name: 'text not null',
      status: 'text not null',
      impact: 'text not null',
      impact_override: 'text',
      components: 'text not null',
      auto_component_id: 'text',
      postmortem_body: 'text',
      postmortem_published_at: 'bigint',
      scheduled_for: 'bigint',
      scheduled_until: 'bigint',
      started_at: 'bigint not null',
      monitoring_at: 'bigint',
      resolved_at: 'bigint',
      created_at: 'bigint not null',
      updated_at: 'bigint not null',
    },
    indexes: { status_incidents_kind_time: ['kind', 'created_at'], status_incidents_auto: ['auto_component_id', 'status'] },
  });

  await createTable(db, 'status_incident_updates', {
    columns: {
      id: 'text primary key',
      incident_id: 'text not null',
      status: 'text not null',
      body: 'text not null',
      affected_components: 'text',
      display_at: 'bigint not null',
      created_at: 'bigint not null',
      updated_at: 'bigint not null',
    },
    indexes: { status_incident_updates_incident: ['incident_id', 'created_at'] },
  });

  await createTable(db, 'status_daily', {
    columns: {
      component_id: 'text not null',
      day: 'text not null',
      operational_ms: 'bigint not null',
      degraded_ms: 'bigint not null',
      partial_ms: 'bigint not null',
      major_ms: 'bigint not null',
      maintenance_ms: 'bigint not null',
    },
    primaryKey: ['component_id', 'day'],
  });

  await createTable(db, 'status_webhook_deliveries', {
    columns: {
      id: 'text primary key',
      url: 'text not null',
      payload: 'text not null',
      status: 'text not null',
      attempts: 'integer not null',
      last_error: 'text',
      created_at: 'bigint not null',
      delivered_at: 'bigint',
    },
    indexes: { status_webhook_deliveries_status: ['status', 'created_at'] },
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropTables(db, ['status_webhook_deliveries', 'status_daily', 'status_incident_updates', 'status_incidents', 'status_components']);
}

/** For the static migration list in ./index.ts. */
export const statusMigration: Migration = { up, down };

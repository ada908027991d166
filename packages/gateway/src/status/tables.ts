/**
 * Row types of the status-page tables (migrations 0006 and 0014) and `statusDb`, which views any store's
 * Kysely instance through them. Times are epoch milliseconds (`bigint`; PostgreSQL returns them
 * as strings, readers pass them through `Number`); JSON columns are text.
 * @module
 */
import type { Kysely } from 'kysely';
import type { DbInt } from '../store/billing-tables.js';
import { tablesOf, type SideStore } from '../store/side-view.js';

export interface StatusComponentsTable {
  id: string;
  /** What the component stands for: `api`, `admin`, `console`, `model:<name>`, `group:<name>`. */
  key: string;
  name: string;
  /** The automatic status (from signals), after hysteresis. */
  status: string;
  /** The status the last evaluations pointed to, and for how many evaluations in a row. */
  pending_status: string | null;
  pending_count: number;
  /** The evaluation step (time / evaluate_interval_ms, rounded down) the hysteresis last moved in (migration 0014). */
  pending_step: DbInt | null;
  /** Why the status is what it is (the last figures), for incident texts. */
  reason: string | null;
  /** Until when uptime has been accrued into status_daily. */
  accrued_until: DbInt | null;
  created_at: DbInt;
  updated_at: DbInt;
}

export interface StatusIncidentsTable {
  id: string;
  kind: 'incident' | 'maintenance';
  name: string;
  status: string;
  /** The impact shown: `impact_override` when set, else `peak_impact` (a maintenance: `maintenance`). */
  impact: string;
  /** Operator-set impact; null = computed from the affected components. */
  impact_override: string | null;
  /** The highest impact the incident's components have given it so far; never the override (migration 0015). */
  peak_impact: string;
  /** JSON: {component id: status while the incident lasts}. */
  components: string;
  /** The component an automatic incident was opened for; null for an operator's incident. */
  auto_component_id: string | null;
  postmortem_body: string | null;
  postmortem_published_at: DbInt | null;
  scheduled_for: DbInt | null;
  scheduled_until: DbInt | null;
  started_at: DbInt;
  monitoring_at: DbInt | null;
  resolved_at: DbInt | null;
  created_at: DbInt;
  updated_at: DbInt;
}

export interface StatusIncidentUpdatesTable {
  id: string;
  incident_id: string;
  status: string;
  body: string;
  /** JSON: null or [{code, name, old_status, new_status}]. */
  affected_components: string | null;
  display_at: DbInt;
  created_at: DbInt;
  updated_at: DbInt;
}

export interface StatusDailyTable {
  component_id: string;
  /** 'YYYY-MM-DD', UTC. */
  day: string;
  operational_ms: DbInt;
  degraded_ms: DbInt;
  partial_ms: DbInt;
  major_ms: DbInt;
  maintenance_ms: DbInt;
}

export interface StatusWebhookDeliveriesTable {
  id: string;
  /** The webhook's origin (webhookLabel): its path and query may be its secret, and stay in the config. */
  url: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: DbInt;
  delivered_at: DbInt | null;
}

export interface StatusTables {
  status_components: StatusComponentsTable;
  status_incidents: StatusIncidentsTable;
  status_incident_updates: StatusIncidentUpdatesTable;
  status_daily: StatusDailyTable;
  status_webhook_deliveries: StatusWebhookDeliveriesTable;
}

/** What the status page needs of the store. */
export type StatusStore = SideStore;

export function statusDb(store: StatusStore): Kysely<StatusTables> {
  return tablesOf<StatusTables>(store);
}


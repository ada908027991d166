/**
 * Incidents and scheduled maintenances in the store, with their updates. One table holds both
 * (`kind`); a maintenance's state follows its window unless an operator set it. Statuses and
 * impacts use Statuspage's values; every change appends an incident update, newest first. An
 * incident's impact is the one the operator states while they state one, else the highest its
 * components have given it (`incidentImpact`).
 *
 * Every change is one transaction, and a change to an existing incident starts by writing its row:
 * PostgreSQL then holds the row's lock and SQLite its write lock until the commit, so two
 * writers (two evaluating instances, an evaluator and an operator) apply their changes one after
 * the other, each to what the other left, and neither is lost.
 * @module
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import { randomBase62 } from '../store/ids.js';
import { toNumberOrNull } from '../store/side-view.js';
import { detectorText } from './detector-texts.js';
import { statusDb, type StatusIncidentsTable, type StatusStore, type StatusTables } from './tables.js';
import { impactOf, INCIDENT_STATUSES, MAINTENANCE_STATUSES, worseIndicator, worst, type ComponentStatus, type Impact, type IncidentStatus, type Indicator, type MaintenanceStatus } from './vocabulary.js';

export interface AffectedComponent {
  code: string;
  name: string;
  old_status: ComponentStatus;
  new_status: ComponentStatus;
}

export interface IncidentUpdateRecord {
  id: string;
  incident_id: string;
  status: string;
  body: string;
  affected_components: AffectedComponent[] | null;
  display_at: number;
  created_at: number;
  updated_at: number;
}

export interface IncidentRecord {
  id: string;
  kind: 'incident' | 'maintenance';
  name: string;
  /** Stored status; for a maintenance, see `maintenanceStatus` for the effective one. */
  status: string;
  /** The impact shown now (`incidentImpact`): the operator's override while set, else `peak_impact`. */
  impact: Impact;
  /** The impact the operator states; null: none stated (or withdrawn). */
  impact_override: Impact | null;
  /** The highest impact the incident's components have given it so far; the override never enters it. */
  peak_impact: Indicator;
  /** Component id → its status while the incident is open (a maintenance lists its components). */
  components: Record<string, ComponentStatus>;
  auto_component_id: string | null;
  postmortem_body: string | null;
  scheduled_for: number | null;
  scheduled_until: number | null;
  started_at: number;
  monitoring_at: number | null;
  resolved_at: number | null;
  created_at: number;
  updated_at: number;
  updates: IncidentUpdateRecord[];
}

export const newIncidentId = () => randomBase62(12).toLowerCase();

/** The effective state of a maintenance at `now`: the operator's, or the window's. */
export function maintenanceStatus(m: Pick<IncidentRecord, 'status' | 'scheduled_for' | 'scheduled_until'>, now: number): MaintenanceStatus {
  if (m.status === 'completed' || m.status === 'verifying') return m.status;
  if (m.scheduled_until !== null && now >= m.scheduled_until) return 'completed';
  if (m.status === 'in_progress') return 'in_progress';
  if (m.scheduled_for !== null && now >= m.scheduled_for) return 'in_progress';
  return 'scheduled';
}

/** One step a maintenance's window takes by itself: its start, its end, and when it is due. */
export interface MaintenanceStep {
  status: 'in_progress' | 'completed';
  at: number;
}

/**
 * The steps of its window a maintenance has come to by `now` and that are not recorded yet, in
 * order: `in_progress` at `scheduled_for` while it is still `scheduled`, then `completed` at
 * `scheduled_until` unless an operator has moved it to `verifying` or `completed` (as
 * `maintenanceStatus`). A step is never dated before the maintenance's last change, so its
 * updates stay in order when the window was set in the past.
 */
export function dueMaintenanceSteps(m: Pick<IncidentRecord, 'kind' | 'status' | 'scheduled_for' | 'scheduled_until' | 'updated_at'>, now: number): MaintenanceStep[] {
  if (m.kind !== 'maintenance') return [];
  const steps: MaintenanceStep[] = [];
  let last = m.updated_at;
  if (m.status === 'scheduled' && m.scheduled_for !== null && now >= m.scheduled_for) {
    last = Math.max(m.scheduled_for, last);
    steps.push({ status: 'in_progress', at: last });
  }
  if ((m.status === 'scheduled' || m.status === 'in_progress') && m.scheduled_until !== null && now >= m.scheduled_until) {
    steps.push({ status: 'completed', at: Math.max(m.scheduled_until, last) });
  }
  return steps;
}

/** The text of the update a maintenance's window posts by itself (and the default of an operator's). */
export const MAINTENANCE_STEP_BODY: Record<MaintenanceStep['status'], string> = {
  in_progress: detectorText('maintenanceInProgress'),
  completed: detectorText('maintenanceCompleted'),
};

export function isUnresolved(i: IncidentRecord): boolean {
  return i.kind === 'incident' && (i.status === 'investigating' || i.status === 'identified' || i.status === 'monitoring');
}

/** The impact of an incident's components as they are: its worst component's (`impactOf`). */
export function componentsImpact(components: Record<string, ComponentStatus>): Indicator {
  let w: ComponentStatus = 'operational';
  for (const s of Object.values(components)) w = worst(w, s);
  return impactOf(w);
}

/**
 * An incident's impact: the one the operator states, as long as they state it — lowered, it is
 * lower at once; withdrawn (null), the incident's own comes back — else the highest impact its
 * components have given it, which does not drop as they recover (the history shows how bad the
 * incident got). A maintenance's is `maintenance`.
 */
export function incidentImpact(i: Pick<IncidentRecord, 'kind' | 'impact_override' | 'peak_impact'>): Impact {
  if (i.kind === 'maintenance') return 'maintenance';
  return i.impact_override ?? i.peak_impact;
}

/**
 * The impact the operator stated for an unresolved incident (`impact_override`), which the page's
 * top-level status counts besides the components (`descriptionOf`); null when none is stated, the
 * incident is resolved, or it is a maintenance.
 */
export function statedImpact(i: IncidentRecord): Indicator | null {
  return isUnresolved(i) && i.impact_override !== null && i.impact_override !== 'maintenance' ? i.impact_override : null;
}

export interface NewIncident {
  kind: 'incident' | 'maintenance';
  name: string;
  status: IncidentStatus | MaintenanceStatus;
  body: string;
  components: Record<string, ComponentStatus>;
  affected: AffectedComponent[] | null;
  impact_override?: Impact | null;
  auto_component_id?: string | null;
  scheduled_for?: number | null;
  scheduled_until?: number | null;
}

export interface IncidentPatch {
  name?: string;
  status?: string;
  body?: string;
  components?: Record<string, ComponentStatus>;
  affected?: AffectedComponent[] | null;
  impact_override?: Impact | null;
  scheduled_for?: number;
  scheduled_until?: number;
  /** When the change happened (default: now); a maintenance's window steps are dated at their boundary. */
  at?: number;
}

/** A patch, or a function of the incident as it is once locked that gives the patch (null: leave it). */
export type IncidentChange = IncidentPatch | ((cur: IncidentRecord) => IncidentPatch | null);

export class IncidentRepo {
  private readonly db: Kysely<StatusTables>;

  constructor(
    private readonly store: StatusStore,
    private readonly clock: Clock,
  ) {
    this.db = statusDb(store);
  }

  /** The same repository working inside `tx` (its changes join that transaction). */
  within(tx: Kysely<StatusTables>): IncidentRepo {
    return new IncidentRepo({ db: tx, dialect: this.store.dialect }, this.clock);
  }

  private atomically<T>(run: (db: Kysely<StatusTables>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run);
  }

  async create(n: NewIncident): Promise<IncidentRecord> {
    const now = this.clock.now();
    const id = newIncidentId();
    // A new incident's highest impact so far is the one its components open it with.
    const peak = componentsImpact(n.components);
    const row: StatusIncidentsTable = {
      id,
      kind: n.kind,
      name: n.name,
      status: n.status,
      impact: incidentImpact({ kind: n.kind, impact_override: n.impact_override ?? null, peak_impact: peak }),
      impact_override: n.impact_override ?? null,
      peak_impact: peak,
      components: JSON.stringify(n.components),
      auto_component_id: n.auto_component_id ?? null,
      postmortem_body: null,
      postmortem_published_at: null,
      scheduled_for: n.scheduled_for ?? null,
      scheduled_until: n.scheduled_until ?? null,
      started_at: n.scheduled_for ?? now,
      monitoring_at: n.status === 'monitoring' ? now : null,
      resolved_at: n.status === 'resolved' ? now : null,
      created_at: now,
      updated_at: now,
    };
    return this.atomically(async (tx) => {
      await tx.insertInto('status_incidents').values(row).execute();
      await tx.insertInto('status_incident_updates').values(updateRow(id, n.status, n.body, n.affected, now)).execute();
      return (await this.within(tx).get(id))!;
    });
  }

  /**
   * Applies a change; a new status or body appends an update. A function sees the incident as it
   * is once locked (another writer's change included) and may decline with null. Returns the
   * incident as changed, or null for an unknown id or a declined change.
   */
  async update(id: string, change: IncidentChange): Promise<IncidentRecord | null> {
    return this.atomically(async (tx) => {
      const cur = await lock(tx, id).then((found) => (found ? this.within(tx).get(id) : null));
      if (!cur) return null;
      const p = typeof change === 'function' ? change(cur) : change;
      if (!p) return null;
      const now = p.at ?? this.clock.now();
      const status = p.status ?? cur.status;
      const set: Partial<StatusIncidentsTable> = { updated_at: now, status };
      // A maintenance starts when it goes in progress (by its window, or an operator's early start).
      if (cur.kind === 'maintenance' && cur.status === 'scheduled' && (status === 'in_progress' || status === 'verifying')) set.started_at = Math.min(now, cur.scheduled_for ?? now);
      if (p.name !== undefined) set.name = p.name;
      if (p.components !== undefined) set.components = JSON.stringify(p.components);
      if (p.impact_override !== undefined) set.impact_override = p.impact_override;
      if (p.scheduled_for !== undefined) set.scheduled_for = p.scheduled_for;
      if (p.scheduled_until !== undefined) set.scheduled_until = p.scheduled_until;
      if (status === 'monitoring' && cur.monitoring_at === null) set.monitoring_at = now;
      if ((status === 'resolved' || status === 'completed') && cur.resolved_at === null) set.resolved_at = now;
      await tx.updateTable('status_incidents').set(set).where('id', '=', id).execute();
      if (p.body !== undefined || p.status !== undefined) {
        await tx.insertInto('status_incident_updates').values(updateRow(id, status, p.body ?? defaultBody(status), p.affected ?? null, now)).execute();
      }
      await this.within(tx).syncImpact(id);
      return this.within(tx).get(id);
    });
  }

  /** Publishes a postmortem: the incident moves to `postmortem` and the text becomes its newest update. */
  async postmortem(id: string, body: string): Promise<IncidentRecord | null> {
    return this.atomically(async (tx) => {
      const cur = await lock(tx, id).then((found) => (found ? this.within(tx).get(id) : null));
      if (!cur) return null;
      const now = this.clock.now();
      await tx
        .updateTable('status_incidents')
        .set({ postmortem_body: body, postmortem_published_at: now, status: 'postmortem', resolved_at: cur.resolved_at ?? now, updated_at: now })
        .where('id', '=', id)
        .execute();
      await tx.insertInto('status_incident_updates').values(updateRow(id, 'postmortem', body, null, now)).execute();
      return this.within(tx).get(id);
    });
  }

  async get(id: string): Promise<IncidentRecord | null> {
    const row = await this.db.selectFrom('status_incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    return (await this.withUpdates([row]))[0]!;
  }

  /** Newest first. */
  async list(kind: 'incident' | 'maintenance', limit = 50): Promise<IncidentRecord[]> {
    const rows = await this.db.selectFrom('status_incidents').selectAll().where('kind', '=', kind).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return this.withUpdates(rows);
  }

  /** Incidents and maintenances together, newest first: the history pages. */
  async history(limit: number, offset: number): Promise<IncidentRecord[]> {
    const rows = await this.db.selectFrom('status_incidents').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
    return this.withUpdates(rows);
  }

  /** Incidents not resolved, and maintenances not completed by an operator. */
  async open(): Promise<IncidentRecord[]> {
    const rows = await this.db.selectFrom('status_incidents').selectAll().where('status', 'in', ['investigating', 'identified', 'monitoring', 'scheduled', 'in_progress', 'verifying']).orderBy('created_at', 'desc').execute();
    return this.withUpdates(rows);
  }

  async openAutoFor(componentId: string): Promise<IncidentRecord | null> {
    const row = await this.db
      .selectFrom('status_incidents')
      .selectAll()
      .where('auto_component_id', '=', componentId)
      .where('status', 'in', ['investigating', 'identified', 'monitoring'])
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row ? (await this.withUpdates([row]))[0]! : null;
  }

  /**
   * After a change: the peak takes in the components as they are now, and the impact shown follows
   * the override as it is now (`incidentImpact`). The override is kept out of the peak, so one the
   * operator lowers or withdraws is not remembered as the incident's highest impact.
   */
  private async syncImpact(id: string): Promise<void> {
    const cur = await this.get(id);
    if (!cur) return;
    const peak = worseIndicator(cur.peak_impact, componentsImpact(cur.components));
    const impact = incidentImpact({ ...cur, peak_impact: peak });
    await this.db.updateTable('status_incidents').set({ impact, peak_impact: peak }).where('id', '=', id).execute();
  }

  private async withUpdates(rows: StatusIncidentsTable[]): Promise<IncidentRecord[]> {
    if (rows.length === 0) return [];
    const ups = await this.db
      .selectFrom('status_incident_updates')
      .selectAll()
      .where(
        'incident_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    const byIncident = new Map<string, IncidentUpdateRecord[]>();
    for (const u of ups) {
      const list = byIncident.get(u.incident_id) ?? [];
      list.push({
        id: u.id,
        incident_id: u.incident_id,
        status: u.status,
        body: u.body,
        affected_components: u.affected_components ? (JSON.parse(u.affected_components) as AffectedComponent[]) : null,
        display_at: Number(u.display_at),
        created_at: Number(u.created_at),
        updated_at: Number(u.updated_at),
      });
      byIncident.set(u.incident_id, list);
    }
    for (const list of byIncident.values()) list.sort(newestUpdateFirst);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      name: r.name,
      status: r.status,
      impact: r.impact as Impact,
      impact_override: r.impact_override as Impact | null,
      peak_impact: r.peak_impact as Indicator,
      components: JSON.parse(r.components) as Record<string, ComponentStatus>,
      auto_component_id: r.auto_component_id,
      postmortem_body: r.postmortem_body,
      scheduled_for: toNumberOrNull(r.scheduled_for),
      scheduled_until: toNumberOrNull(r.scheduled_until),
      started_at: Number(r.started_at),
      monitoring_at: toNumberOrNull(r.monitoring_at),
      resolved_at: toNumberOrNull(r.resolved_at),
      created_at: Number(r.created_at),
      updated_at: Number(r.updated_at),
      updates: byIncident.get(r.id) ?? [],
    }));
  }
}

/**
 * Newest first. Updates dated the same millisecond (a maintenance whose whole window is past posts
 * `in_progress` and `completed` at once; steps on a fake clock) list later lifecycle steps as newer;
 * ids are random, so they only break the remaining ties (the sort is stable over the id order).
 */
function newestUpdateFirst(a: IncidentUpdateRecord, b: IncidentUpdateRecord): number {
  return b.created_at - a.created_at || lifecycleStep(b.status) - lifecycleStep(a.status);
}

function lifecycleStep(status: string): number {
  const i = (INCIDENT_STATUSES as readonly string[]).indexOf(status);
  return i >= 0 ? i : (MAINTENANCE_STATUSES as readonly string[]).indexOf(status);
}

/**
 * Locks an incident's row for the rest of the transaction by writing it first (a write that
 * changes nothing): PostgreSQL holds the row lock until the commit, and SQLite takes its write
 * lock now, whereas a transaction that read first could not upgrade once another connection had
 * written. False when there is no such incident.
 */
async function lock(tx: Kysely<StatusTables>, id: string): Promise<boolean> {
  const r = await tx
    .updateTable('status_incidents')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

function updateRow(incidentId: string, status: string, body: string, affected: AffectedComponent[] | null | undefined, now: number) {
  return { id: newIncidentId(), incident_id: incidentId, status, body, affected_components: affected ? JSON.stringify(affected) : null, display_at: now, created_at: now, updated_at: now };
}

function defaultBody(status: string): string {
  if (status === 'in_progress' || status === 'completed') return MAINTENANCE_STEP_BODY[status];
  return status === 'resolved' ? detectorText('resolvedDefault') : detectorText('statusChanged', { status });
}

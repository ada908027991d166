/**
 * The page at one instant: every component's effective status (its automatic status, worsened by
 * open incidents that name it, `under_maintenance` while a maintenance covering it is in
 * progress; a group shows its worst child), the top-level status from those, from the impacts
 * stated for unresolved incidents and from a maintenance in progress that names no component,
 * the unresolved incidents and the maintenances — and
 * Statuspage's public v2 documents built from it, with their exact field names.
 * @module
 */
import { createHash } from 'node:crypto';
import type { ComponentDef } from './components.js';
import { dueMaintenanceSteps, isUnresolved, maintenanceStatus, statedImpact, type IncidentRecord, type IncidentRepo } from './incidents.js';
import { statusDb, type StatusStore } from './tables.js';
import { descriptionOf, isComponentStatus, ROLLUPS, worst, type ComponentStatus, type Indicator, type RollupDescription } from './vocabulary.js';

export interface PageInfo {
  name: string;
  /** The status page's URL (`/status` under the public URL unless configured). */
  url: string;
  time_zone: string;
}

export interface ComponentState {
  def: ComponentDef;
  status: ComponentStatus;
  automatic: ComponentStatus;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface Snapshot {
  now: number;
  page: PageInfo & { id: string; updated_at: number };
  components: ComponentState[];
  /** Always `ROLLUPS[description]`: every surface (JSON, page, webhooks) shows this pair. */
  indicator: Indicator;
  description: RollupDescription;
  /** The 50 most recent incidents. */
  incidents: IncidentRecord[];
  /** The 50 most recent maintenances. */
  maintenances: IncidentRecord[];
}

export function pageId(url: string): string {
  return createHash('sha256').update(`tollgate-status-page:${url}`).digest('hex').slice(0, 12);
}

export async function takeSnapshot(store: StatusStore, incidents: IncidentRepo, defs: readonly ComponentDef[], info: PageInfo, now: number): Promise<Snapshot> {
  const rows = await statusDb(store).selectFrom('status_components').selectAll().execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const recent = await incidents.list('incident', 50);
  const maint = await incidents.list('maintenance', 50);
  // Unresolved incidents older than the 50 most recent still count.
  const open = await incidents.open();
  const unresolved = dedupe([...recent, ...open.filter((i) => i.kind === 'incident')]).filter(isUnresolved);
  const activeMaint = dedupe([...maint, ...open.filter((i) => i.kind === 'maintenance')]).filter((m) => maintenanceStatus(m, now) === 'in_progress' || maintenanceStatus(m, now) === 'verifying');

  const states = new Map<string, ComponentState>();
  let updatedAt = 0;
  for (const def of defs) {
    if (def.children) continue;
    const row = byId.get(def.id);
    const automatic: ComponentStatus = row && isComponentStatus(row.status) ? row.status : 'operational';
    let status = automatic;
    let changed = Number(row?.updated_at ?? 0);
    for (const i of unresolved) {
      const s = i.components[def.id];
      if (s) {
        status = worst(status, s);
        changed = Math.max(changed, i.updated_at);
      }
    }
    const m = activeMaint.find((x) => def.id in x.components);
    if (m && status === 'operational') {
      status = 'under_maintenance';
      changed = Math.max(changed, m.scheduled_for ?? m.updated_at);
    }
    updatedAt = Math.max(updatedAt, changed);
    states.set(def.id, { def, status, automatic, reason: row?.reason ?? null, created_at: Number(row?.created_at ?? now), updated_at: changed || Number(row?.created_at ?? now) });
  }
  for (const def of defs) {
    if (!def.children) continue;
    const kids = def.children.map((id) => states.get(id)!).filter(Boolean);
    let status: ComponentStatus = kids.length > 0 && kids.every((k) => k.status === 'under_maintenance') ? 'under_maintenance' : 'operational';
    for (const k of kids) status = worst(status, k.status);
    const row = byId.get(def.id);
    states.set(def.id, { def, status, automatic: status, reason: null, created_at: Number(row?.created_at ?? now), updated_at: Math.max(Number(row?.created_at ?? now), ...kids.map((k) => k.updated_at)) });
  }
  const components = defs.map((d) => states.get(d.id)!);
  // The rollup counts leaf components only: a group's status repeats its children's.
  const leaves = components.filter((c) => !c.def.children).map((c) => c.status);
  // A maintenance whose window started or ended changed the page then, even before the evaluation records it.
  for (const i of [...recent, ...maint]) updatedAt = Math.max(updatedAt, changedAt(i, now));
  // A maintenance in progress that names no component on the page (none at all, or only ones no
  // longer configured) is about the service as a whole: it sets the top-level text, not a component.
  const pageMaintenance = activeMaint.some((m) => !defs.some((d) => !d.children && d.id in m.components));
  const description = descriptionOf(leaves, unresolved.map(statedImpact).filter((i) => i !== null), pageMaintenance);
  return {
    now,
    page: { ...info, id: pageId(info.url), updated_at: updatedAt || now },
    components,
    indicator: ROLLUPS[description],
    description,
    incidents: recent,
    maintenances: maint,
  };
}

/** When an incident last changed: its last update, or a step of its window since (`dueMaintenanceSteps`). */
function changedAt(i: IncidentRecord, now: number): number {
  return Math.max(i.updated_at, ...dueMaintenanceSteps(i, now).map((x) => x.at));
}

function dedupe(list: IncidentRecord[]): IncidentRecord[] {
  const seen = new Set<string>();
  return list.filter((i) => (seen.has(i.id) ? false : (seen.add(i.id), true)));
}

// ---------------------------------------------------------------------------------------------
// Statuspage public API v2 documents.

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function pageJson(s: Snapshot) {
  return { id: s.page.id, name: s.page.name, url: s.page.url, time_zone: s.page.time_zone, updated_at: iso(s.page.updated_at) };
}

export function componentJson(s: Snapshot, c: ComponentState) {
  return {
    id: c.def.id,
    name: c.def.name,
    status: c.status,
    created_at: iso(c.created_at),
    updated_at: iso(c.updated_at),
    position: c.def.position,
    description: c.def.description,
    showcase: !c.def.group_id,
    start_date: iso(c.created_at)!.slice(0, 10),
    group_id: c.def.group_id,
    page_id: s.page.id,
    group: c.def.children !== null,
    only_show_if_degraded: false,
    ...(c.def.children ? { components: c.def.children } : {}),
  };
}

export function incidentJson(s: Snapshot, i: IncidentRecord) {
  const byId = new Map(s.components.map((c) => [c.def.id, c]));
  const status = i.kind === 'maintenance' ? maintenanceStatus(i, s.now) : i.status;
  return {
    id: i.id,
    name: i.name,
    status,
    impact: i.impact,
    created_at: iso(i.created_at),
    updated_at: iso(changedAt(i, s.now)),
    started_at: iso(i.started_at),
    monitoring_at: iso(i.monitoring_at),
    resolved_at: iso(i.kind === 'maintenance' && status === 'completed' ? (i.resolved_at ?? i.scheduled_until) : i.resolved_at),
    shortlink: `${s.page.url}/incidents/${i.id}`,
    page_id: s.page.id,
    incident_updates: i.updates.map((u) => ({
      id: u.id,
      incident_id: u.incident_id,
      status: u.status,
      body: u.body,
      created_at: iso(u.created_at),
      updated_at: iso(u.updated_at),
      display_at: iso(u.display_at),
      affected_components: u.affected_components,
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: Object.keys(i.components)
      .map((id) => byId.get(id))
      .filter((c): c is ComponentState => c !== undefined)
      .map((c) => componentJson(s, c)),
    ...(i.kind === 'maintenance' ? { scheduled_for: iso(i.scheduled_for), scheduled_until: iso(i.scheduled_until) } : {}),
  };
}

export const v2 = {
  status: (s: Snapshot) => ({ page: pageJson(s), status: { indicator: s.indicator, description: s.description } }),
  components: (s: Snapshot) => ({ page: pageJson(s), components: s.components.map((c) => componentJson(s, c)) }),
  incidents: (s: Snapshot) => ({ page: pageJson(s), incidents: s.incidents.map((i) => incidentJson(s, i)) }),
  unresolved: (s: Snapshot) => ({ page: pageJson(s), incidents: unresolvedOf(s).map((i) => incidentJson(s, i)) }),
  maintenances: (s: Snapshot) => ({ page: pageJson(s), scheduled_maintenances: s.maintenances.map((m) => incidentJson(s, m)) }),
  upcoming: (s: Snapshot) => ({ page: pageJson(s), scheduled_maintenances: s.maintenances.filter((m) => maintenanceStatus(m, s.now) === 'scheduled').map((m) => incidentJson(s, m)) }),
  active: (s: Snapshot) => ({ page: pageJson(s), scheduled_maintenances: activeOf(s).map((m) => incidentJson(s, m)) }),
  summary: (s: Snapshot) => ({
    page: pageJson(s),
    status: { indicator: s.indicator, description: s.description },
    components: s.components.map((c) => componentJson(s, c)),
    incidents: unresolvedOf(s).map((i) => incidentJson(s, i)),
    scheduled_maintenances: s.maintenances.filter((m) => ['scheduled', 'in_progress', 'verifying'].includes(maintenanceStatus(m, s.now))).map((m) => incidentJson(s, m)),
  }),
};

export function unresolvedOf(s: Snapshot): IncidentRecord[] {
  return s.incidents.filter(isUnresolved);
}
export function activeOf(s: Snapshot): IncidentRecord[] {
  return s.maintenances.filter((m) => ['in_progress', 'verifying'].includes(maintenanceStatus(m, s.now)));
}

/**
 * Statuspage's vocabulary (public API v2): component statuses, the page indicator, incident and
 * maintenance states and impacts, and the rules that derive one from another. Only documented
 * values are emitted; maintenance shows as `under_maintenance` components, never as an indicator.
 * @module
 */

export const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

export const INDICATORS = ['none', 'minor', 'major', 'critical'] as const;
export type Indicator = (typeof INDICATORS)[number];

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const UNRESOLVED_STATUSES: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring'];

export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];

/** Incident impact uses the indicator's values; a maintenance's impact is `maintenance`. */
export type Impact = Indicator | 'maintenance';

/** Severity order of the automatic statuses; maintenance ranks apart (it is planned, not a failure). */
const RANK: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 0, degraded_performance: 1, partial_outage: 2, major_outage: 3 };

export function rank(s: ComponentStatus): number {
  return RANK[s];
}

/** The worse of two statuses (maintenance never wins over a failure, nor over operational's absence of one). */
export function worst(a: ComponentStatus, b: ComponentStatus): ComponentStatus {
  return RANK[b] > RANK[a] ? b : a;
}

/** A component's status as an impact: degraded ⇒ minor, partial outage ⇒ major, major outage ⇒ critical. */
export function impactOf(s: ComponentStatus): Indicator {
  return s === 'major_outage' ? 'critical' : s === 'partial_outage' ? 'major' : s === 'degraded_performance' ? 'minor' : 'none';
}

/** The page rollup from every component's status: the worst one wins. */
export function indicatorOf(statuses: readonly ComponentStatus[]): Indicator {
  let r = 0;
  for (const s of statuses) r = Math.max(r, RANK[s]);
  return (['none', 'minor', 'major', 'critical'] as const)[r]!;
}

/** Atlassian's rollup texts. */
export function descriptionOf(statuses: readonly ComponentStatus[]): string {
  const failing = statuses.filter((s) => RANK[s] > 0);
  if (failing.length === 0) return statuses.includes('under_maintenance') ? 'Service Under Maintenance' : 'All Systems Operational';
  const ind = indicatorOf(statuses);
  if (ind === 'critical') return failing.length === statuses.length ? 'Major System Outage' : 'Partial System Outage';
  if (ind === 'major') return failing.length === statuses.length ? 'Partial System Outage' : 'Minor Service Outage';
  return failing.length === statuses.length ? 'Degraded System Service' : 'Partially Degraded Service';
}

export function isComponentStatus(v: unknown): v is ComponentStatus {
  return typeof v === 'string' && (COMPONENT_STATUSES as readonly string[]).includes(v);
}
export function isIncidentStatus(v: unknown): v is IncidentStatus {
  return typeof v === 'string' && (INCIDENT_STATUSES as readonly string[]).includes(v);
}

/**
 * Statuspage's vocabulary (public API v2): component statuses, the page indicator, incident and
 * maintenance states and impacts, and the rules that derive one from another. Only documented
 * values are emitted; maintenance shows as `under_maintenance` components, never as an indicator:
 * the documented indicators are none, minor, major and critical (platform-surfaces.md §4.1, the
 * statuspage.io client's Result.d.ts; Rootly's `maintenance` indicator is its own extension), and
 * the reference's rule for Tollgate is to "emit only the documented values; express maintenance
 * through the description and `under_maintenance` components" (limits-and-status.md §2.1).
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

/**
 * The page's top-level status: Statuspage's texts, each with the indicator of its colour, so that
 * `status.indicator` and `status.description` can never disagree. Sources:
 * - the texts and their colours: "All Systems Operational (green), Major System Outage (red),
 *   Partial System Outage (orange), Minor Service Outage (yellow), Degraded System Service
 *   (yellow), Partially Degraded Service (yellow), Service Under Maintenance (blue)" —
 *   support.atlassian.com/statuspage/docs/top-level-status-and-incident-impact-calculations/
 *   (quoted in the reference, limits-and-status.md §2.1);
 * - colour to indicator: none = green/black, minor = yellow, major = orange, critical = red — the
 *   comments of the typed client statuspage.io 3.1.1 (dist/interfaces/API.d.ts) and Port's
 *   Statuspage blueprint (platform-surfaces.md §4.1). A user whose status.json said `major`
 *   where they expected `critical` was answered by Atlassian with this calculation
 *   (community.atlassian.com, Statuspage questions, qaq-p/2550887, 2023-12-05): the indicator
 *   follows the blended text, not the worst component.
 * Maintenance has no indicator of its own in the documented vocabulary (Rootly's `maintenance`
 * is an extension), so "Service Under Maintenance" is `none`.
 */
export const ROLLUPS = {
  'All Systems Operational': 'none',
  'Service Under Maintenance': 'none',
  'Partially Degraded Service': 'minor',
  'Degraded System Service': 'minor',
  'Minor Service Outage': 'minor',
  'Partial System Outage': 'major',
  'Major System Outage': 'critical',
} as const satisfies Record<string, Indicator>;
export type RollupDescription = keyof typeof ROLLUPS;

/**
 * The top-level text from every component's status. One component (Atlassian's page above):
 * operational ⇒ All Systems Operational, under maintenance ⇒ Service Under Maintenance, degraded
 * ⇒ Partially Degraded Service, partial outage ⇒ Partial System Outage, major outage ⇒ Major
 * System Outage; none ⇒ All Systems Operational. Several components (the stored copy of Atlassian's
 * page stops before its rules; these are those of freshstatus, a Statuspage-like page with the
 * same outage texts, support.freshstatus.io article 50000003651, its two degraded texts worded as
 * Atlassian's): every one in a major outage ⇒ Major
 * System Outage; any major outage, or every one in a partial outage ⇒ Partial System Outage; any
 * partial outage ⇒ Minor Service Outage; every one degraded ⇒ Degraded System Service; any
 * degraded ⇒ Partially Degraded Service; any under maintenance ⇒ Service Under Maintenance.
 * "Every one in X" counts a worse status too, so a component getting worse never lowers the
 * indicator. `pageMaintenance`: a maintenance in progress that names none of the components (it
 * is about the whole service) — Service Under Maintenance where a component under maintenance
 * would show it, and nothing worse is going on.
 */
function blend(statuses: readonly ComponentStatus[], pageMaintenance = false): RollupDescription {
  const all = (s: ComponentStatus) => statuses.length > 0 && statuses.every((x) => RANK[x] >= RANK[s]);
  const any = (s: ComponentStatus) => statuses.includes(s);
  if (all('major_outage')) return 'Major System Outage';
  if (any('major_outage') || all('partial_outage')) return 'Partial System Outage';
  if (any('partial_outage')) return 'Minor Service Outage';
  if (all('degraded_performance')) return statuses.length === 1 ? 'Partially Degraded Service' : 'Degraded System Service';
  if (any('degraded_performance')) return 'Partially Degraded Service';
  return any('under_maintenance') || pageMaintenance ? 'Service Under Maintenance' : 'All Systems Operational';
}

/** The component status of each impact: the inverse of `impactOf`. */
const STATUS_OF_IMPACT: Record<Indicator, ComponentStatus> = { none: 'operational', minor: 'degraded_performance', major: 'partial_outage', critical: 'major_outage' };

/**
 * The page's top-level text from its components' statuses and the impacts stated for its
 * unresolved incidents: the blend of the components, unless an impact is worse than the blend's
 * indicator — then the text of one component with that impact's status (minor ⇒ Partially
 * Degraded Service, major ⇒ Partial System Outage, critical ⇒ Major System Outage). So the
 * indicator is the worst of the blend's and of the impacts, and an open incident of impact major
 * that names no component turns the page orange: Atlassian's page above says a page without
 * components reads All Systems Operational "unless there is an active incident".
 *
 * `impacts` are what an operator stated (`statedImpact` in incidents.ts), not impacts computed
 * from an incident's components: those components are in the blend already, and counting their
 * impact again would make one model's major outage a Major System Outage, against Atlassian's
 * answer above. Hosted Statuspage leaves incidents out of status.json altogether (GitHub's page
 * said none with a minor incident open, gfazioli/octoscope#119), so its consumers merge the two
 * themselves (prisma/web#7744, PostHog/posthog#23537); here status.json says it.
 *
 * `pageMaintenance`: a maintenance is in progress that names no component. It puts no component
 * `under_maintenance` (it names none), yet the service is under maintenance, so the text is
 * Service Under Maintenance — Statuspage's top-level text for a maintenance in progress — unless
 * something worse is going on; the indicator stays `none`, as for a component under maintenance
 * (maintenance has no indicator in the documented vocabulary, see `ROLLUPS`).
 */
export function descriptionOf(statuses: readonly ComponentStatus[], impacts: readonly Indicator[] = [], pageMaintenance = false): RollupDescription {
  const blended = blend(statuses, pageMaintenance);
  const stated = impacts.reduce(worseIndicator, 'none');
  return INDICATORS.indexOf(stated) > INDICATORS.indexOf(ROLLUPS[blended]) ? blend([STATUS_OF_IMPACT[stated]]) : blended;
}

/** The worse of two indicators (`INDICATORS` runs from none to critical); `a` when they are equal. */
export function worseIndicator(a: Indicator, b: Indicator): Indicator {
  return INDICATORS.indexOf(b) > INDICATORS.indexOf(a) ? b : a;
}

/** The page's indicator: the one of its top-level text (`ROLLUPS`). */
export function indicatorOf(statuses: readonly ComponentStatus[], impacts: readonly Indicator[] = [], pageMaintenance = false): Indicator {
  return ROLLUPS[descriptionOf(statuses, impacts, pageMaintenance)];
}

export function isComponentStatus(v: unknown): v is ComponentStatus {
  return typeof v === 'string' && (COMPONENT_STATUSES as readonly string[]).includes(v);
}
export function isIncidentStatus(v: unknown): v is IncidentStatus {
  return typeof v === 'string' && (INCIDENT_STATUSES as readonly string[]).includes(v);
}

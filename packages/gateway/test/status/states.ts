/**
 * The page's states, each reached through the operator's admin API on a status gateway (see
 * helpers.ts): open incidents that set component statuses or state an impact (with components
 * or without), maintenances in progress, and the top-level status shown for them (see `descriptionOf` in src/status/vocabulary.ts for
 * the rules and their sources). Entering a state resolves the previous state's incidents and
 * completes its maintenances, so the history fills with incidents of every impact.
 */
import { expect } from 'vitest';
import type { FakeClock } from 'tollgate';
import type { ComponentStatus, Indicator } from '../../src/status/vocabulary.js';
import type { TestGateway } from '../support/gateway.js';

/** Component name → status; `EVERY` stands for every component that is not a group. */
type Statuses = Record<string, ComponentStatus>;
export const EVERY = '*';

export interface PageState {
  name: string;
  /** One incident for each entry (an empty one names no component). */
  incidents: Statuses[];
  /** The impact the operator states (`impact_override`) for the first incidents, in order; the others state none. */
  impacts?: Indicator[];
  /** The incidents' status; `investigating` unless said. */
  incidentStatus?: 'investigating' | 'identified' | 'monitoring';
  /** Components under a maintenance in progress; empty: a maintenance in progress that names none. */
  maintenance?: string[];
  indicator: Indicator;
  description: string;
}

export const STATES: PageState[] = [
  { name: 'all operational', incidents: [], indicator: 'none', description: 'All Systems Operational' },
  { name: 'an informational incident naming no component', incidents: [{}], indicator: 'none', description: 'All Systems Operational' },
  { name: 'one component under maintenance', incidents: [], maintenance: ['sim-small'], indicator: 'none', description: 'Service Under Maintenance' },
  { name: 'one component degraded', incidents: [{ 'sim-small': 'degraded_performance' }], indicator: 'minor', description: 'Partially Degraded Service' },
  { name: 'every component degraded', incidents: [{ [EVERY]: 'degraded_performance' }], indicator: 'minor', description: 'Degraded System Service' },
  { name: 'one partial outage', incidents: [{ 'sim-large': 'partial_outage' }], indicator: 'minor', description: 'Minor Service Outage' },
  { name: 'a degraded and a partial outage, two incidents', incidents: [{ 'sim-small': 'degraded_performance' }, { 'sim-large': 'partial_outage' }], incidentStatus: 'identified', indicator: 'minor', description: 'Minor Service Outage' },
  { name: 'every component in partial outage', incidents: [{ [EVERY]: 'partial_outage' }], indicator: 'major', description: 'Partial System Outage' },
  { name: 'one major outage', incidents: [{ 'sim-large': 'major_outage' }], indicator: 'major', description: 'Partial System Outage' },
  { name: 'one major outage, every other component degraded', incidents: [{ [EVERY]: 'degraded_performance' }, { 'sim-large': 'major_outage' }], indicator: 'major', description: 'Partial System Outage' },
  { name: 'one major outage during a maintenance', incidents: [{ 'sim-large': 'major_outage' }], maintenance: ['sim-small'], indicator: 'major', description: 'Partial System Outage' },
  { name: 'a maintenance naming no component', incidents: [], maintenance: [], indicator: 'none', description: 'Service Under Maintenance' },
  { name: 'an informational incident during a maintenance naming no component', incidents: [{}], maintenance: [], indicator: 'none', description: 'Service Under Maintenance' },
  { name: 'one component degraded during a maintenance naming no component', incidents: [{ 'sim-small': 'degraded_performance' }], maintenance: [], indicator: 'minor', description: 'Partially Degraded Service' },
  { name: 'an incident naming no component, impact major, during a maintenance naming no component', incidents: [{}], impacts: ['major'], maintenance: [], indicator: 'major', description: 'Partial System Outage' },
  { name: 'every component in major outage', incidents: [{ [EVERY]: 'major_outage' }], indicator: 'critical', description: 'Major System Outage' },
  { name: 'every component in major outage, the incident monitored', incidents: [{ [EVERY]: 'major_outage' }], incidentStatus: 'monitoring', indicator: 'critical', description: 'Major System Outage' },
  { name: 'an incident naming no component, impact none', incidents: [{}], impacts: ['none'], indicator: 'none', description: 'All Systems Operational' },
  { name: 'an incident naming no component, impact minor', incidents: [{}], impacts: ['minor'], indicator: 'minor', description: 'Partially Degraded Service' },
  { name: 'an incident naming no component, impact major', incidents: [{}], impacts: ['major'], indicator: 'major', description: 'Partial System Outage' },
  { name: 'an incident naming no component, impact critical', incidents: [{}], impacts: ['critical'], indicator: 'critical', description: 'Major System Outage' },
  { name: 'an incident naming no component, impact major, identified', incidents: [{}], impacts: ['major'], incidentStatus: 'identified', indicator: 'major', description: 'Partial System Outage' },
  { name: 'an incident naming no component, impact major, monitored', incidents: [{}], impacts: ['major'], incidentStatus: 'monitoring', indicator: 'major', description: 'Partial System Outage' },
  { name: 'two incidents naming no component, impacts minor and critical', incidents: [{}, {}], impacts: ['minor', 'critical'], indicator: 'critical', description: 'Major System Outage' },
  { name: 'an incident naming no component, impact minor, during a maintenance', incidents: [{}], impacts: ['minor'], maintenance: ['sim-small'], indicator: 'minor', description: 'Partially Degraded Service' },
  { name: 'every component degraded, and an incident of impact minor naming none', incidents: [{}, { [EVERY]: 'degraded_performance' }], impacts: ['minor'], indicator: 'minor', description: 'Degraded System Service' },
  { name: 'one partial outage, and an incident of impact major naming none', incidents: [{}, { 'sim-large': 'partial_outage' }], impacts: ['major'], indicator: 'major', description: 'Partial System Outage' },
  { name: 'one major outage, and an incident of impact critical naming none', incidents: [{}, { 'sim-large': 'major_outage' }], impacts: ['critical'], indicator: 'critical', description: 'Major System Outage' },
  { name: 'every component in major outage, and an incident of impact minor naming none', incidents: [{}, { [EVERY]: 'major_outage' }], impacts: ['minor'], indicator: 'critical', description: 'Major System Outage' },
  { name: 'one component degraded, its incident stated critical', incidents: [{ 'sim-small': 'degraded_performance' }], impacts: ['critical'], indicator: 'critical', description: 'Major System Outage' },
  { name: 'one major outage, its incident stated minor', incidents: [{ 'sim-large': 'major_outage' }], impacts: ['minor'], indicator: 'major', description: 'Partial System Outage' },
  { name: 'everything resolved', incidents: [], indicator: 'none', description: 'All Systems Operational' },
];

/** What `enter` opened: the ids of the incidents and maintenances of the state. */
export interface Opened {
  incidents: string[];
  maintenances: string[];
}

const MINUTE = 60_000;

/** Resolves what `previous` opened, then opens `state`'s incidents and maintenances. */
export async function enter(g: TestGateway, clock: FakeClock, state: PageState, previous: Opened | null): Promise<Opened> {
  for (const id of previous?.incidents ?? []) expect((await g.admin('POST', `/admin/v1/status/incidents/${id}`, { status: 'resolved', body: 'Resolved.' })).status).toBe(200);
  for (const id of previous?.maintenances ?? []) expect((await g.admin('POST', `/admin/v1/status/maintenances/${id}`, { status: 'completed', body: 'Done.' })).status).toBe(200);
  const leaves = g.gateway.services.status.defs.filter((d) => !d.children).map((d) => d.name);
  const opened: Opened = { incidents: [], maintenances: [] };
  for (const [k, statuses] of state.incidents.entries()) {
    const components = Object.fromEntries(Object.entries(statuses).flatMap(([name, s]) => (name === EVERY ? leaves.map((l) => [l, s]) : [[name, s]])));
    const impact = state.impacts?.[k];
    const r = await g.admin('POST', '/admin/v1/status/incidents', { name: `${state.name} (${k + 1})`, body: `The page is in the state: ${state.name}.`, status: state.incidentStatus ?? 'investigating', components, ...(impact ? { impact_override: impact } : {}) });
    expect(r.status).toBe(200);
    opened.incidents.push(r.body.id);
  }
  if (state.maintenance) {
    const from = clock.now() + MINUTE;
    const r = await g.admin('POST', '/admin/v1/status/maintenances', { name: `Maintenance: ${state.name}`, scheduled_for: new Date(from).toISOString(), scheduled_until: new Date(from + 60 * MINUTE).toISOString(), components: state.maintenance });
    expect(r.status).toBe(200);
    opened.maintenances.push(r.body.id);
    await clock.advance(2 * MINUTE);
  }
  return opened;
}

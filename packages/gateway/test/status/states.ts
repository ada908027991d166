/**
 * The page's states, each reached through the operator's admin API on a status gateway (see
 * helpers.ts): open incidents that set component statuses, maintenances in progress, and the
 * top-level status Statuspage shows for them (see `descriptionOf` in src/status/vocabulary.ts for
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
  /** One incident for each entry (an empty one is informational: impact `none`). */
  incidents: Statuses[];
  /** The incidents' status; `investigating` unless said. */
  incidentStatus?: 'investigating' | 'identified' | 'monitoring';
  /** Components under a maintenance in progress. */
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
  { name: 'every component in major outage', incidents: [{ [EVERY]: 'major_outage' }], indicator: 'critical', description: 'Major System Outage' },
  { name: 'every component in major outage, the incident monitored', incidents: [{ [EVERY]: 'major_outage' }], incidentStatus: 'monitoring', indicator: 'critical', description: 'Major System Outage' },
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
    const r = await g.admin('POST', '/admin/v1/status/incidents', { name: `${state.name} (${k + 1})`, body: `The page is in the state: ${state.name}.`, status: state.incidentStatus ?? 'investigating', components });
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

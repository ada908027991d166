/**
 * The page's top-level status says one thing everywhere: status.json, summary.json and the
 * banner of the HTML page (both languages) agree, for every combination of component statuses
 * and stated incident impacts in `STATES` (open incidents, several at once, a monitored one,
 * incidents naming no component with each impact, a maintenance in progress, with components or
 * naming none), and the indicator is the one of the text's colour on Statuspage. On plain values:
 * Atlassian's rules for one component, the several-component table, stated impacts, a maintenance
 * naming no component, and every list of up to four statuses with up to three impacts, with and
 * without such a maintenance. An incident's impact follows what the operator states now.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from 'tollgate';
import { TEXT } from '../../src/status/i18n.js';
import { COMPONENT_STATUSES, descriptionOf, indicatorOf, INDICATORS, rank, type ComponentStatus, type Indicator, type RollupDescription } from '../../src/status/vocabulary.js';
import type { TestGateway } from '../support/gateway.js';
import { statusGateway, statuspageClient } from './helpers.js';
import { enter, STATES, type Opened } from './states.js';

/**
 * Atlassian's top-level texts and their colours (support.atlassian.com/statuspage/docs/
 * top-level-status-and-incident-impact-calculations), and the indicator of each colour (the
 * statuspage.io client's comments: minor = yellow, major = orange, critical = red).
 */
const COLOUR: Record<string, 'green' | 'yellow' | 'orange' | 'red' | 'blue'> = {
  'All Systems Operational': 'green',
  'Major System Outage': 'red',
  'Partial System Outage': 'orange',
  'Minor Service Outage': 'yellow',
  'Degraded System Service': 'yellow',
  'Partially Degraded Service': 'yellow',
  'Service Under Maintenance': 'blue',
};
const INDICATOR_OF_COLOUR = { green: 'none', blue: 'none', yellow: 'minor', orange: 'major', red: 'critical' } as const;
const ORDER: Indicator[] = ['none', 'minor', 'major', 'critical'];

describe('the rollup on plain values', () => {
  it("one component: Atlassian's five rules", () => {
    const one: [ComponentStatus, string][] = [
      ['operational', 'All Systems Operational'],
      ['under_maintenance', 'Service Under Maintenance'],
      ['degraded_performance', 'Partially Degraded Service'],
      ['partial_outage', 'Partial System Outage'],
      ['major_outage', 'Major System Outage'],
    ];
    for (const [s, text] of one) expect([s, descriptionOf([s])]).toEqual([s, text]);
    expect(descriptionOf([])).toBe('All Systems Operational');
  });

  it('several components: the blended texts and their indicators', () => {
    const table: [ComponentStatus[], string, string][] = [
      [['operational', 'operational'], 'none', 'All Systems Operational'],
      [['operational', 'under_maintenance'], 'none', 'Service Under Maintenance'],
      [['degraded_performance', 'operational'], 'minor', 'Partially Degraded Service'],
      [['degraded_performance', 'under_maintenance'], 'minor', 'Partially Degraded Service'],
      [['degraded_performance', 'degraded_performance'], 'minor', 'Degraded System Service'],
      [['partial_outage', 'operational'], 'minor', 'Minor Service Outage'],
      [['partial_outage', 'degraded_performance'], 'minor', 'Minor Service Outage'],
      [['partial_outage', 'partial_outage'], 'major', 'Partial System Outage'],
      [['major_outage', 'operational'], 'major', 'Partial System Outage'],
      [['major_outage', 'degraded_performance'], 'major', 'Partial System Outage'],
      [['major_outage', 'under_maintenance'], 'major', 'Partial System Outage'],
      [['major_outage', 'partial_outage'], 'major', 'Partial System Outage'],
      [['major_outage', 'major_outage'], 'critical', 'Major System Outage'],
    ];
    for (const [list, indicator, description] of table) expect([list, indicatorOf(list), descriptionOf(list)]).toEqual([list, indicator, description]);
  });

  it('impacts stated for incidents: the worst one sets the page when it is worse than the components, with the text of one component of that impact', () => {
    const table: [ComponentStatus[], Indicator[], string, string][] = [
      [[], ['major'], 'major', 'Partial System Outage'],
      [['operational', 'operational'], ['none'], 'none', 'All Systems Operational'],
      [['operational', 'operational'], ['minor'], 'minor', 'Partially Degraded Service'],
      [['operational', 'operational'], ['major'], 'major', 'Partial System Outage'],
      [['operational', 'operational'], ['critical'], 'critical', 'Major System Outage'],
      [['operational', 'operational'], ['minor', 'critical', 'none'], 'critical', 'Major System Outage'],
      [['under_maintenance', 'operational'], ['none'], 'none', 'Service Under Maintenance'],
      [['under_maintenance', 'operational'], ['minor'], 'minor', 'Partially Degraded Service'],
      [['degraded_performance', 'degraded_performance'], ['minor'], 'minor', 'Degraded System Service'],
      [['partial_outage', 'operational'], ['minor'], 'minor', 'Minor Service Outage'],
      [['partial_outage', 'operational'], ['major'], 'major', 'Partial System Outage'],
      [['major_outage', 'operational'], ['major'], 'major', 'Partial System Outage'],
      [['major_outage', 'operational'], ['critical'], 'critical', 'Major System Outage'],
      [['major_outage', 'major_outage'], ['minor'], 'critical', 'Major System Outage'],
    ];
    for (const [list, impacts, indicator, description] of table) expect([list, impacts, indicatorOf(list, impacts), descriptionOf(list, impacts)]).toEqual([list, impacts, indicator, description]);
  });

  it('a maintenance in progress naming no component: Service Under Maintenance (indicator none) unless something worse is going on', () => {
    const table: [ComponentStatus[], Indicator[], string, string][] = [
      [[], [], 'none', 'Service Under Maintenance'],
      [['operational'], [], 'none', 'Service Under Maintenance'],
      [['operational', 'operational', 'operational'], [], 'none', 'Service Under Maintenance'],
      [['operational', 'under_maintenance'], [], 'none', 'Service Under Maintenance'],
      [['operational', 'operational'], ['none'], 'none', 'Service Under Maintenance'],
      [['operational', 'operational'], ['minor'], 'minor', 'Partially Degraded Service'],
      [['degraded_performance', 'operational'], [], 'minor', 'Partially Degraded Service'],
      [['partial_outage', 'operational'], [], 'minor', 'Minor Service Outage'],
      [['major_outage', 'operational'], [], 'major', 'Partial System Outage'],
      [['major_outage', 'major_outage'], [], 'critical', 'Major System Outage'],
    ];
    for (const [list, impacts, indicator, description] of table) expect([list, impacts, indicatorOf(list, impacts, true), descriptionOf(list, impacts, true)]).toEqual([list, impacts, indicator, description]);
  });

  it("every list of up to four statuses and of up to three stated impacts, with or without a maintenance naming no component: one of Atlassian's texts, with its colour's indicator, the worse of the components' and the impacts', never better after a component or an impact gets worse", () => {
    const st = fc.constantFrom(...COMPONENT_STATUSES);
    const impact = fc.constantFrom(...INDICATORS);
    const worse = (a: Indicator, b: Indicator) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a);
    fc.assert(
      fc.property(fc.array(st, { maxLength: 4 }), fc.array(impact, { maxLength: 3 }), fc.boolean(), fc.nat(), st, impact, (list, impacts, maintenance, i, other, higher) => {
        const text = descriptionOf(list, impacts, maintenance);
        expect(Object.keys(COLOUR)).toContain(text);
        const indicator = indicatorOf(list, impacts, maintenance);
        expect(indicator).toBe(INDICATOR_OF_COLOUR[COLOUR[text]!]);
        expect(indicator).toBe(impacts.reduce(worse, indicatorOf(list)));
        // A maintenance naming no component never moves the indicator; it shows as Service Under
        // Maintenance exactly when nothing worse is going on.
        expect(indicator).toBe(indicatorOf(list, impacts));
        if (maintenance) expect(text === 'Service Under Maintenance').toBe(indicator === 'none');
        else expect(text).toBe(descriptionOf(list, impacts));
        // Impacts no worse than the components leave the components' text.
        if (impacts.every((m) => ORDER.indexOf(m) <= ORDER.indexOf(indicatorOf(list)))) expect(text).toBe(descriptionOf(list, [], maintenance));
        const raised = impacts.length === 0 ? [higher] : impacts.map((m, k) => (k === i % impacts.length ? worse(m, higher) : m));
        expect(ORDER.indexOf(indicatorOf(list, raised, maintenance))).toBeGreaterThanOrEqual(ORDER.indexOf(indicator));
        if (list.length === 0) return;
        const after = list.map((s, k) => (k === i % list.length && rank(other) >= rank(s) ? other : s));
        expect(ORDER.indexOf(indicatorOf(after, impacts, maintenance))).toBeGreaterThanOrEqual(ORDER.indexOf(indicator));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('status.json, summary.json and the page agree in every state', () => {
  let g: TestGateway;
  let clock: FakeClock;
  const json = async (path: string) => (await (await fetch(g.url + path)).json()) as { status: { indicator: string; description: string } };
  const banner = async (lang: string) => {
    const html = await (await fetch(`${g.url}/status?lang=${lang}`)).text();
    const m = /<div class="banner" style="[^"]*" data-indicator="([a-z]+)"[^>]*>([^<]*)<\/div>/.exec(html);
    return { indicator: m?.[1], text: m?.[2] };
  };

  beforeAll(async () => {
    ({ g, clock } = await statusGateway());
  });
  afterAll(async () => {
    await g?.close();
  });

  let opened: Opened | null = null;
  for (const state of STATES) {
    it(state.name, async () => {
      opened = await enter(g, clock, state, opened);
      const expected = { indicator: state.indicator, description: state.description };
      expect((await json('/api/v2/status.json')).status).toEqual(expected);
      expect((await json('/api/v2/summary.json')).status).toEqual(expected);
      expect(await banner('en')).toEqual({ indicator: state.indicator, text: state.description });
      expect(await banner('zh-CN')).toEqual({ indicator: state.indicator, text: TEXT['zh-CN'].rollup[state.description as RollupDescription] });
    });
  }

  it('an impact the operator withdraws stops counting: the page follows the components again', async () => {
    const opened = await g.admin('POST', '/admin/v1/status/incidents', { name: 'Elevated error rates', body: 'We are investigating elevated error rates.', impact_override: 'major' });
    expect(opened.status).toBe(200);
    expect((await json('/api/v2/status.json')).status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    const withdrawn = await g.admin('POST', `/admin/v1/status/incidents/${opened.body.id}`, { status: 'monitoring', body: 'Error rates are back to normal; we are monitoring.', impact_override: null });
    expect(withdrawn.status).toBe(200);
    expect((await json('/api/v2/summary.json')).status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect(await banner('en')).toEqual({ indicator: 'none', text: 'All Systems Operational' });
    expect((await g.admin('POST', `/admin/v1/status/incidents/${opened.body.id}`, { status: 'resolved', body: 'Resolved.' })).status).toBe(200);
  });

  it("an impact the operator lowers or withdraws: the incident's impact and the page show it at once (the components' highest stays theirs)", async () => {
    const impacts = async (id: string) => {
      const sum = (await json('/api/v2/summary.json')) as unknown as { status: { indicator: string }; incidents: { id: string; impact: string }[] };
      const all = (await json('/api/v2/incidents.json')) as unknown as { incidents: { id: string; impact: string }[] };
      return { page: sum.status.indicator, summary: sum.incidents.find((i) => i.id === id)?.impact, incidents: all.incidents.find((i) => i.id === id)?.impact, admin: (await g.admin('GET', `/admin/v1/status/incidents/${id}`)).body.impact };
    };
    const same = (page: string, impact: string) => ({ page, summary: impact, incidents: impact, admin: impact });
    const update = async (id: string, body: Record<string, unknown>) => {
      const r = await g.admin('POST', `/admin/v1/status/incidents/${id}`, { body: 'Update.', ...body });
      expect(r.status).toBe(200);
      return r.body.impact;
    };

    // Stated only, no component: each value the operator sets is the incident's impact.
    const stated = (await g.admin('POST', '/admin/v1/status/incidents', { name: 'Elevated latency', body: 'Investigating.', impact_override: 'critical' })).body.id;
    expect(await impacts(stated)).toEqual(same('critical', 'critical'));
    expect(await update(stated, { impact_override: 'minor' })).toBe('minor');
    expect(await impacts(stated)).toEqual(same('minor', 'minor'));
    expect(await update(stated, { impact_override: 'none' })).toBe('none');
    expect(await impacts(stated)).toEqual(same('none', 'none'));
    expect(await update(stated, { impact_override: 'major' })).toBe('major');
    // Withdrawn: its components' impact, none here (it stayed major before).
    expect(await update(stated, { impact_override: null })).toBe('none');
    expect(await impacts(stated)).toEqual(same('none', 'none'));
    expect(await update(stated, { status: 'resolved' })).toBe('none');

    // With a component: the highest impact the components gave stays the incident's own once an override is withdrawn.
    const outage = (await g.admin('POST', '/admin/v1/status/incidents', { name: 'sim-large down', body: 'Investigating.', components: { 'sim-large': 'major_outage' } })).body.id;
    expect(await impacts(outage)).toEqual(same('major', 'critical'));
    expect(await update(outage, { impact_override: 'minor' })).toBe('minor');
    expect(await update(outage, { components: { 'sim-large': 'degraded_performance' } })).toBe('minor');
    expect(await impacts(outage)).toEqual(same('minor', 'minor'));
    expect(await update(outage, { impact_override: null })).toBe('critical');
    expect(await update(outage, { status: 'resolved' })).toBe('critical');
    expect((await json('/api/v2/status.json')).status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
  });

  it("an incident of impact major from one partial outage: the page says Minor Service Outage (minor), as Statuspage blends the components, and shows the incident's impact beside it", async () => {
    const opened = await g.admin('POST', '/admin/v1/status/incidents', { name: 'Errors on sim-large', body: 'Investigating.', components: { 'sim-large': 'partial_outage' } });
    expect(opened.status).toBe(200);
    const summary = await statuspageClient(g).api.getSummary();
    expect(summary.status).toEqual({ indicator: 'minor', description: 'Minor Service Outage' });
    expect(summary.incidents.map((i) => [i.name, i.impact])).toEqual([['Errors on sim-large', 'major']]);
    const shown = async (lang: string) => {
      const html = await (await fetch(`${g.url}/status?lang=${lang}`)).text();
      const block = new RegExp(`<div class="incident" data-incident="${opened.body.id}"[\\s\\S]*?<div class="muted" data-impact="([a-z]+)">([^<]*)</div>`).exec(html);
      return { banner: (await banner(lang)).indicator, impact: block?.[1], text: block?.[2] };
    };
    expect(await shown('en')).toEqual({ banner: 'minor', impact: 'major', text: 'Impact: major' });
    expect(await shown('zh-CN')).toEqual({ banner: 'minor', impact: 'major', text: '影响：重大' });
    // Stated, the same impact moves the top-level status.
    expect((await g.admin('POST', `/admin/v1/status/incidents/${opened.body.id}`, { body: 'Most requests to sim-large fail.', impact_override: 'major' })).status).toBe(200);
    expect((await statuspageClient(g).api.getStatus()).status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect((await g.admin('POST', `/admin/v1/status/incidents/${opened.body.id}`, { status: 'resolved', body: 'Resolved.' })).status).toBe(200);
  });
});

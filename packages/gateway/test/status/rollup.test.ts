/**
 * The page's top-level status says one thing everywhere: status.json, summary.json and the
 * banner of the HTML page (both languages) agree, for every combination of component statuses
 * in `STATES` (open incidents, several at once, a monitored one, a maintenance in progress), and
 * the indicator is the one of the text's colour on Statuspage. On plain values: Atlassian's rules
 * for one component, the several-component table, and every list of up to four statuses.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from 'tollgate';
import { TEXT } from '../../src/status/i18n.js';
import { COMPONENT_STATUSES, descriptionOf, indicatorOf, rank, type ComponentStatus, type RollupDescription } from '../../src/status/vocabulary.js';
import type { TestGateway } from '../support/gateway.js';
import { statusGateway } from './helpers.js';
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
const ORDER = ['none', 'minor', 'major', 'critical'];

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

  it("every list of up to four statuses: one of Atlassian's texts, with its colour's indicator, never better after a component gets worse", () => {
    const st = fc.constantFrom(...COMPONENT_STATUSES);
    fc.assert(
      fc.property(fc.array(st, { maxLength: 4 }), fc.nat(), st, (list, i, other) => {
        const text = descriptionOf(list);
        expect(Object.keys(COLOUR)).toContain(text);
        expect(indicatorOf(list)).toBe(INDICATOR_OF_COLOUR[COLOUR[text]!]);
        if (list.length === 0) return;
        const after = list.map((s, k) => (k === i % list.length && rank(other) >= rank(s) ? other : s));
        expect(ORDER.indexOf(indicatorOf(after))).toBeGreaterThanOrEqual(ORDER.indexOf(indicatorOf(list)));
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
});

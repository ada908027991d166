/**
 * The uptime under a component's bars is taken over the days shown, each watched day counting
 * whole (Statuspage's rule): a 3½-minute partial outage on a gateway minutes old reads ~99.93 %,
 * not "downtime over the minutes since the component appeared" (86.87 % before).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from 'tollgate';
import { uptimeOf, type UptimeDay } from '../../src/status/uptime.js';
import type { TestGateway } from '../support/gateway.js';
import { DAY, statusGateway } from './helpers.js';

const MIN = 60_000;
const EVERY = 30_000;
const day = (d: string, ms: Partial<UptimeDay> = {}): UptimeDay => ({ day: d, operational_ms: 0, degraded_ms: 0, partial_ms: 0, major_ms: 0, maintenance_ms: 0, ...ms });

describe('uptimeOf', () => {
  it('counts each watched day whole, weighs partial outage at 30 %, leaves out days without data and maintenance', () => {
    expect(uptimeOf([day('2026-06-29'), day('2026-06-30')])).toBeNull();
    // Eight minutes watched, 3½ of them partial outage: against one day, not against eight minutes.
    expect(uptimeOf([day('2026-06-29'), day('2026-06-30', { operational_ms: 4.5 * MIN, partial_ms: 3.5 * MIN })])).toBeCloseTo(1 - (0.3 * 3.5 * MIN) / DAY, 12);
    // Two watched days, one with an hour of major outage; the day without data counts for nothing.
    expect(uptimeOf([day('2026-06-28', { operational_ms: DAY }), day('2026-06-29'), day('2026-06-30', { operational_ms: MIN, major_ms: 60 * MIN })])).toBeCloseTo(1 - (60 * MIN) / (2 * DAY), 12);
    // Maintenance is neither up nor down: the day counts 24 h less it.
    expect(uptimeOf([day('2026-06-30', { operational_ms: 12 * 60 * MIN, maintenance_ms: 12 * 60 * MIN, major_ms: 60 * MIN })])).toBeCloseTo(1 - 1 / 12, 12);
    expect(uptimeOf([day('2026-06-30', { maintenance_ms: DAY })])).toBeNull();
    expect(uptimeOf([day('2026-06-30', { degraded_ms: 60 * MIN })])).toBe(1);
  });
});

describe('uptime on a fresh gateway after a short incident', () => {
  let g: TestGateway;
  let clock: FakeClock;
  // Evaluations 30 s apart (accrual bridges gaps up to three of them): a few dozen, not hundreds.
  const tickFor = async (ms: number) => {
    for (let t = 0; t < ms; t += EVERY) {
      await clock.advance(EVERY);
      await g.gateway.services.status.tick();
    }
  };
  const uptimeText = async (name: string, lang = 'en') => {
    const html = await (await fetch(`${g.url}/status?lang=${lang}`)).text();
    const block = html.split('data-component="').find((b) => b.includes(`<span>${name}</span>`))!;
    return block.split('<div class="legend">')[1]!.split('</div>')[0]!;
  };

  beforeAll(async () => {
    ({ g, clock } = await statusGateway({ status: { evaluate_interval_ms: EVERY } }));
    await g.gateway.services.status.tick();
  });
  afterAll(async () => {
    await g?.close();
  });

  it('a 3½-minute partial outage shows 99.92 % on the page in both languages, before and after more time passes', async () => {
    await tickFor(2 * MIN);
    const created = await g.admin('POST', '/admin/v1/status/incidents', { name: 'sim-large slow', body: 'x', components: { 'sim-large': 'partial_outage' } });
    expect(created.status).toBe(200);
    await tickFor(3.5 * MIN);
    expect((await g.admin('POST', `/admin/v1/status/incidents/${created.body.id}`, { status: 'resolved', body: 'Resolved.' })).status).toBe(200);
    await tickFor(2.5 * MIN);
    // 1 − 0.3 × 3.5 min / 24 h = 99.927 %, shown rounded down.
    expect(await uptimeText('sim-large')).toContain('99.92% uptime');
    expect(await uptimeText('sim-large', 'zh-CN')).toContain('可用率 99.92%');
    expect(await uptimeText('sim-small')).toContain('100.00% uptime');
    await tickFor(5 * MIN);
    expect(await uptimeText('sim-large')).toContain('99.92% uptime');
  });
});

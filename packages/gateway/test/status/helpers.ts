/**
 * A gateway on a fake clock with the status page driven by hand (`tick()`), and 90 days of
 * uptime history seeded through the same accrual the evaluator uses.
 */
import { Statuspage } from 'statuspage.io';
import { FakeClock } from 'tollgate';
import { accrue } from '../../src/status/uptime.js';
import type { ComponentStatus } from '../../src/status/vocabulary.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 5, 30, 12);

/** Detection from live traffic, quickly: a 10 s window evaluated every 2.5 s, two evaluations of hysteresis, no probes. */
export const LIVE_STATUS = {
  window_ms: 10_000,
  evaluate_interval_ms: 2_500,
  min_requests: 5,
  hysteresis: { degrade_after: 2, recover_after: 2 },
  probes: { models: { 'sim-small': false, 'sim-large': false, 'sim-embed': false } },
};

export async function statusGateway(doc: Record<string, unknown> = {}, env: Record<string, string> = {}, fetchImpl?: typeof fetch): Promise<{ g: TestGateway; clock: FakeClock }> {
  const clock = new FakeClock(NOW);
  const g = await startTestGateway(
    {
      status: { window_ms: 10_000, evaluate_interval_ms: 2_500, min_requests: 5, hysteresis: { degrade_after: 2, recover_after: 2 }, groups: { 'Chat models': ['sim-small', 'sim-large'] }, ...((doc.status as object) ?? {}) },
      ...Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'status')),
    },
    { clock, statusAutoTick: false, env, ...(fetchImpl ? { fetch: fetchImpl } : {}) },
  );
  return { g, clock };
}

/** 90 days of history: mostly operational, with a few bad days on the models. */
export async function seedHistory(g: TestGateway): Promise<void> {
  const store = g.gateway.services.store;
  const defs = g.gateway.services.status.defs;
  for (const d of defs) {
    for (let i = 89; i >= 0; i--) {
      const start = Date.UTC(2026, 5, 30) - i * DAY;
      let bad: ComponentStatus | null = null;
      if (d.name === 'sim-large' && (i === 12 || i === 40)) bad = i === 12 ? 'major_outage' : 'partial_outage';
      if (d.name === 'sim-small' && i === 3) bad = 'degraded_performance';
      if (d.name === 'Public API' && i === 60) bad = 'under_maintenance';
      const end = i === 0 ? NOW : start + DAY;
      if (bad) {
        await accrue(store, d.id, start, start + 45 * 60_000, bad);
        await accrue(store, d.id, start + 45 * 60_000, end, 'operational');
      } else {
        await accrue(store, d.id, start, end, 'operational');
      }
    }
  }
}

/** The statuspage.io client library, written for <page>.statuspage.io, reading the gateway `g` instead. */
export function statuspageClient(g: TestGateway): Statuspage {
  const client = new Statuspage('tollgate');
  (client as unknown as { apiClient: { defaults: { baseURL: string } } }).apiClient.defaults.baseURL = g.url;
  return client;
}

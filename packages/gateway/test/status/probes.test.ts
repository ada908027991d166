/**
 * Active probes: a model whose every request fails is detected with no live traffic at all, and
 * opens a "not answering probes" incident; probes are on by default for the simulator only.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig, type FakeClock } from 'tollgate';
import { isProbed } from '../../src/status/probes.js';
import type { TestGateway } from '../support/gateway.js';
import { statusGateway } from './helpers.js';

let g: TestGateway;
let clock: FakeClock;
beforeAll(async () => {
  ({ g, clock } = await statusGateway({
    models: [
      { name: 'sim-ok', provider: 'simulator' },
      { name: 'sim-broken', provider: 'simulator', simulator: { faults: { server_error: 1 } } },
    ],
    status: { probes: { interval_ms: 1000, failures_for_outage: 3 }, groups: {} },
  }));
});
afterAll(async () => {
  await g?.close();
});

it('failing probes take a model to major_outage and open an incident, without any traffic', async () => {
  const monitor = g.gateway.services.status;
  for (let round = 0; round < 8; round++) {
    await clock.advance(1000);
    await monitor.tick();
    await monitor.probesDone();
  }
  const s = (await (await fetch(`${g.url}/api/v2/summary.json`)).json()) as any;
  expect(s.components.find((c: any) => c.name === 'sim-broken').status).toBe('major_outage');
  expect(s.components.find((c: any) => c.name === 'sim-ok').status).toBe('operational');
  expect(s.incidents.map((i: any) => i.name)).toEqual(['sim-broken is not answering probes']);
  expect(s.incidents[0].incident_updates[0].body).toMatch(/^We are investigating a major outage on sim-broken: the last \d+ probes failed\.$/);
  // Eight failed probes of sim-broken: one log line when it started failing, not one a probe.
  const probeLines = g
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg: string; model?: string; deployment?: string })
    .filter((l) => l.model === 'sim-broken');
  expect(probeLines.map((l) => l.msg)).toEqual(['status probe failed']);
  expect(probeLines[0]).toMatchObject({ model: 'sim-broken', deployment: expect.any(String) });
});

it('probes are on by default for the simulator and off for paid upstreams', () => {
  const config = parseConfig({
    models: [
      { name: 'sim', provider: 'simulator' },
      { name: 'paid', provider: 'openai-compatible', deployments: [{ base_url: 'https://api.example.com/v1' }] },
      { name: 'own', provider: 'openai-compatible', deployments: [{ base_url: 'http://gpu-1:8000/v1' }] },
    ],
    status: { probes: { models: { own: true } } },
  });
  expect(config.models.map((m) => [m.name, isProbed(config, m)])).toEqual([
    ['sim', true],
    ['paid', false],
    ['own', true],
  ]);
});

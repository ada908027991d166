/** The Grafana dashboard in the repository reads only series that /metrics exports. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { statusGateway } from './helpers.js';

const DASHBOARD = new URL('../../../../docs/grafana/tollgate.json', import.meta.url);
let g: TestGateway;
beforeAll(async () => {
  ({ g } = await statusGateway());
});
afterAll(async () => {
  await g?.close();
});

it('every metric a panel queries is exported, with the labels the panel groups by', async () => {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const exported = await (await fetch(`${g.url}/metrics`)).text();
  const types = new Map([...exported.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  const used = new Set<string>();
  for (const p of dash.panels) {
    expect(p.targets.length).toBeGreaterThan(0);
    for (const t of p.targets) for (const [, name] of t.expr.matchAll(/\b(tollgate_[a-z_]+)/g)) used.add(name!.replace(/_(bucket|sum|count)$/, ''));
  }
  expect([...used].sort()).toEqual(['tollgate_admission_in_flight', 'tollgate_admission_queued', 'tollgate_component_status', 'tollgate_model_first_byte_seconds', 'tollgate_model_requests_total', 'tollgate_model_tokens_total', 'tollgate_requests_total']);
  for (const name of used) expect(types.has(name), `${name} is not exported`).toBe(true);
  expect(types.get('tollgate_model_first_byte_seconds')).toBe('histogram');
  // The status panel maps exactly the five Statuspage component statuses.
  expect(exported).toMatch(/tollgate_component_status\{component="sim-large",status="under_maintenance"\} 0/);
});

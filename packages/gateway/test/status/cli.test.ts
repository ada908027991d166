/** The status page's CLI verbs against a real gateway: incidents and maintenance end to end. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FakeClock } from 'tollgate';
import { runCli } from 'tollgate';
import { ADMIN_KEY, type TestGateway } from '../support/gateway.js';
import { statusGateway } from './helpers.js';

let g: TestGateway;
let clock: FakeClock;
beforeAll(async () => {
  ({ g, clock } = await statusGateway());
});
afterAll(async () => {
  await g?.close();
});

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { TOLLGATE_URL: g.url, TOLLGATE_ADMIN_KEY: ADMIN_KEY }, now: () => clock.now() });
  return { code, stdout, stderr };
}

it('opens, updates, resolves and post-mortems an incident; schedules and completes a maintenance', async () => {
  const created = await cli('incidents', 'create', '--name', 'Errors on sim-large', '--body', 'Looking into it.', '--component', 'sim-large=partial_outage', '--json');
  expect(created.code).toBe(0);
  const id = JSON.parse(created.stdout).id as string;
  const summary = async () => (await (await fetch(`${g.url}/api/v2/summary.json`)).json()) as any;
  expect((await summary()).components.find((c: any) => c.name === 'sim-large').status).toBe('partial_outage');

  const upd = await cli('incidents', 'update', id, '--status', 'monitoring', '--body', 'A fix is out.');
  expect(upd.code).toBe(0);
  expect(upd.stdout).toContain('status:     monitoring');
  expect(upd.stdout).toContain('monitoring: A fix is out.');
  expect((await cli('incidents', 'resolve', id)).code).toBe(0);
  expect((await summary()).status.indicator).toBe('none');
  expect((await cli('incidents', 'postmortem', id, '--body', 'What happened and what we changed.')).code).toBe(0);
  const list = await cli('incidents', 'list');
  expect(list.stdout).toMatch(new RegExp(`${id}\\s+Errors on sim-large\\s+postmortem\\s+major\\s+sim-large`));

  const from = new Date(clock.now() + 60_000).toISOString();
  const until = new Date(clock.now() + 3_600_000).toISOString();
  const m = await cli('maintenance', 'schedule', '--name', 'Upgrade', '--from', from, '--until', until, '--components', 'sim-small,Public API', '--json');
  expect(m.code).toBe(0);
  const mid = JSON.parse(m.stdout).id as string;
  await clock.advance(120_000);
  expect((await summary()).components.filter((c: any) => c.status === 'under_maintenance').map((c: any) => c.name)).toEqual(['Public API', 'sim-small']);
  expect((await cli('maintenance', 'complete', mid)).code).toBe(0);
  expect((await summary()).components.every((c: any) => c.status === 'operational')).toBe(true);
  expect((await cli('maintenance', 'list')).stdout).toMatch(new RegExp(`${mid}\\s+Upgrade\\s+completed`));

  const bad = await cli('incidents', 'update', id);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('nothing to update');
  const wrong = await cli('incidents', 'create', '--name', 'x', '--body', 'y', '--component', 'sim-large=melting');
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain("Invalid value: 'melting'");
});

it('schedules a maintenance of the whole service: no --components', async () => {
  const from = new Date(clock.now() + 60_000).toISOString();
  const until = new Date(clock.now() + 3_600_000).toISOString();
  const m = await cli('maintenance', 'schedule', '--name', 'Network move', '--from', from, '--until', until, '--json');
  expect(m.code).toBe(0);
  const mid = JSON.parse(m.stdout).id as string;
  expect(JSON.parse(m.stdout).components).toEqual([]);
  await clock.advance(120_000);
  const summary = (await (await fetch(`${g.url}/api/v2/summary.json`)).json()) as any;
  expect(summary.status).toEqual({ indicator: 'none', description: 'Service Under Maintenance' });
  expect((await cli('maintenance', 'list')).stdout).toMatch(new RegExp(`${mid}\\s+Network move\\s+in_progress\\s+\\S+\\s+\\S+\\s+-`));
  expect((await cli('maintenance', 'complete', mid)).code).toBe(0);
});

it('states, lowers and withdraws an incident impact with incidents update, as incidents create --impact does', async () => {
  const created = await cli('incidents', 'create', '--name', 'Slow answers', '--body', 'Looking into it.', '--json');
  expect(created.code).toBe(0);
  const id = JSON.parse(created.stdout).id as string;
  expect(JSON.parse(created.stdout).impact).toBe('none');
  const indicator = async () => ((await (await fetch(`${g.url}/api/v2/status.json`)).json()) as any).status.indicator;
  const impact = async () => JSON.parse((await cli('incidents', 'get', id, '--json')).stdout).impact;

  const raised = await cli('incidents', 'update', id, '--impact', 'major', '--body', 'Most answers are slow.');
  expect(raised.code).toBe(0);
  expect(raised.stdout).toContain('impact:     major');
  expect(await indicator()).toBe('major');
  expect((await cli('incidents', 'update', id, '--impact', 'minor')).stdout).toContain('impact:     minor');
  expect(await indicator()).toBe('minor');

  const wrong = await cli('incidents', 'update', id, '--impact', 'huge');
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain("Invalid value: 'huge'");
  const both = await cli('incidents', 'update', id, '--impact', 'major', '--clear-impact');
  expect(both.code).toBe(2);
  expect(both.stderr).toContain('give --impact or --clear-impact, not both');
  expect(await impact()).toBe('minor');

  const withdrawn = await cli('incidents', 'update', id, '--clear-impact');
  expect(withdrawn.code).toBe(0);
  expect(withdrawn.stdout).toContain('impact:     none');
  expect(await indicator()).toBe('none');

  const help = await cli('incidents', 'update', '--help');
  expect(help.stdout).toMatch(/--impact IMPACT\s+override the computed impact: none, minor, major, critical/);
  expect(help.stdout).toMatch(/--clear-impact\s+withdraw the stated impact/);
  expect((await cli('incidents', 'resolve', id)).code).toBe(0);
});

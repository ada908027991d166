/**
 * A scheduled maintenance that runs on its schedule: when its window starts and ends, the status
 * module's own evaluation (no request) records an `in_progress` and then a `completed` update,
 * moving the maintenance's status, updated_at, started_at and resolved_at and the page's
 * updated_at; its updates list the components it affects; the HTML page says it is in progress,
 * and drops it once completed. All on the fake clock, the evaluation run by hand (`tick()`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from 'tollgate';
import type { TestGateway } from '../support/gateway.js';
import { statusGateway, statuspageClient } from './helpers.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('a maintenance on its schedule', () => {
  let g: TestGateway;
  let clock: FakeClock;
  const json = async (path: string) => {
    const r = await fetch(g.url + path);
    expect(r.status).toBe(200);
    return (await r.json()) as any;
  };

  const html = async () => (await fetch(`${g.url}/status`)).text();
  /** The HTML page's section under the heading `title` (up to the next heading), or null. */
  const section = (page: string, title: string): string | null => page.split(`<h2>${title}</h2>`)[1]?.split('<h2>')[0] ?? null;

  beforeAll(async () => {
    ({ g, clock } = await statusGateway());
    await g.gateway.services.status.tick();
  });
  afterAll(async () => {
    await g?.close();
  });

  it('starts and completes by itself, with an update for each step, and the page moves with it', async () => {
    const monitor = g.gateway.services.status;
    const from = clock.now() + HOUR;
    const until = from + HOUR;
    const created = await g.admin('POST', '/admin/v1/status/maintenances', { name: 'Engine move', body: 'sim-small moves to new hosts.', scheduled_for: iso(from), scheduled_until: iso(until), components: ['sim-small'] });
    expect(created.status).toBe(200);
    const id: string = created.body.id;
    const small = created.body.components[0];
    expect(small.name).toBe('sim-small');
    // The scheduled update names the component the maintenance affects (its status unchanged yet).
    expect(created.body.incident_updates.map((u: any) => [u.status, u.affected_components])).toEqual([['scheduled', [{ code: small.id, name: 'sim-small', old_status: 'operational', new_status: 'operational' }]]]);

    // The window starts: the evaluation (no request) records it.
    await clock.advance(HOUR + 5_000);
    await monitor.tick();
    const started = (await monitor.incidents.get(id))!;
    expect(started.status).toBe('in_progress');
    expect(started.updates.map((u) => u.status)).toEqual(['in_progress', 'scheduled']);
    expect(started.updates[0]!.body).toBe('The scheduled maintenance is now in progress.');

    let m = (await json('/api/v2/scheduled-maintenances.json')).scheduled_maintenances.find((x: any) => x.id === id);
    expect([m.status, m.updated_at, m.started_at, m.resolved_at]).toEqual(['in_progress', iso(from), iso(from), null]);
    expect(m.incident_updates[0]).toMatchObject({ status: 'in_progress', created_at: iso(from), display_at: iso(from), affected_components: [{ code: small.id, name: 'sim-small', old_status: 'operational', new_status: 'under_maintenance' }] });
    expect((await json('/api/v2/status.json')).page.updated_at).toBe(iso(from));

    // The official-shaped client reads the same from summary.json.
    const summary = await statuspageClient(g).api.getSummary();
    expect(summary.scheduled_maintenances.map((x) => [x.id, x.status, x.incident_updates.map((u) => u.status)])).toEqual([[id, 'in_progress', ['in_progress', 'scheduled']]]);

    // A second evaluation adds nothing.
    await clock.advance(5_000);
    await monitor.tick();
    expect((await monitor.incidents.get(id))!.updates).toHaveLength(2);

    // The window ends.
    await clock.advance(HOUR);
    await monitor.tick();
    const done = (await monitor.incidents.get(id))!;
    expect(done.status).toBe('completed');
    expect(done.updates.map((u) => u.status)).toEqual(['completed', 'in_progress', 'scheduled']);
    expect(done.updates[0]!.body).toBe('The scheduled maintenance has been completed.');
    m = (await json('/api/v2/scheduled-maintenances.json')).scheduled_maintenances.find((x: any) => x.id === id);
    expect([m.status, m.updated_at, m.started_at, m.resolved_at]).toEqual(['completed', iso(until), iso(from), iso(until)]);
    expect(m.incident_updates[0]).toMatchObject({ status: 'completed', created_at: iso(until), affected_components: [{ code: small.id, name: 'sim-small', old_status: 'under_maintenance', new_status: 'operational' }] });
    expect((await json('/api/v2/summary.json')).page.updated_at).toBe(iso(until));
  });

  it('a maintenance entered after its window lists its three updates, all of one millisecond, newest step first', async () => {
    const monitor = g.gateway.services.status;
    const created = await g.admin('POST', '/admin/v1/status/maintenances', { name: 'Past move', scheduled_for: iso(clock.now() - 2 * HOUR), scheduled_until: iso(clock.now() - HOUR) });
    expect(created.status).toBe(200);
    await monitor.tick();
    const done = (await monitor.incidents.get(created.body.id))!;
    expect(new Set(done.updates.map((u) => u.created_at)).size).toBe(1);
    expect(done.updates.map((u) => u.status)).toEqual(['completed', 'in_progress', 'scheduled']);
    const m = (await json('/api/v2/scheduled-maintenances.json')).scheduled_maintenances.find((x: any) => x.id === created.body.id);
    expect(m.incident_updates.map((u: any) => u.status)).toEqual(['completed', 'in_progress', 'scheduled']);
  });

  it('a maintenance naming no component moves page.updated_at when it starts and when it completes', async () => {
    const monitor = g.gateway.services.status;
    const from = clock.now() + 10 * 60_000;
    const until = from + 20 * 60_000;
    const created = await g.admin('POST', '/admin/v1/status/maintenances', { name: 'Network move', scheduled_for: iso(from), scheduled_until: iso(until) });
    expect(created.status).toBe(200);
    expect(created.body.incident_updates[0].affected_components).toBeNull();
    const before = (await json('/api/v2/status.json')).page.updated_at;
    expect(before).toBe(created.body.created_at);

    await clock.advance(10 * 60_000 + 1_000);
    // Even before the evaluation has recorded the start, the page says it changed when it did.
    expect((await json('/api/v2/status.json')).page.updated_at).toBe(iso(from));
    await monitor.tick();
    expect((await json('/api/v2/status.json')).page.updated_at).toBe(iso(from));

    await clock.advance(20 * 60_000);
    await monitor.tick();
    const s = await json('/api/v2/summary.json');
    expect(s.page.updated_at).toBe(iso(until));
    expect(s.status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
  });

  it('the HTML page says a maintenance is in progress while it is, and leaves it out of the upcoming list once completed', async () => {
    const monitor = g.gateway.services.status;
    const from = clock.now() + HOUR;
    const until = from + HOUR;
    const created = await g.admin('POST', '/admin/v1/status/maintenances', { name: 'Cache rebuild', body: 'The response cache is rebuilt.', scheduled_for: iso(from), scheduled_until: iso(until), components: ['sim-large'] });
    const id: string = created.body.id;
    const block = (page: string) => page.split(`data-incident="${id}"`)[1]?.split('</div>\n<div class="incident"')[0]?.split('</div></div>')[0] ?? '';

    let page = await html();
    expect(section(page, 'Scheduled maintenance')).toContain(`data-incident="${id}" data-status="scheduled"`);

    await clock.advance(HOUR + 5_000);
    await monitor.tick();
    page = await html();
    expect(section(page, 'Maintenance in progress') ?? '').toContain(`data-incident="${id}" data-status="in_progress"`);
    expect(section(page, 'Scheduled maintenance') ?? '').not.toContain(id);
    expect(block(page)).toContain('<div class="muted">In progress · From ');
    expect(block(page)).toContain('<b>In progress</b>');
    expect(block(page).indexOf('<b>In progress</b>')).toBeLessThan(block(page).indexOf('<b>Scheduled</b>'));
    expect(await (await fetch(`${g.url}/status?lang=zh-CN`)).text()).toContain('<h2>正在进行的维护</h2>');

    await clock.advance(HOUR);
    await monitor.tick();
    page = await html();
    expect(section(page, 'Scheduled maintenance') ?? '').not.toContain(id);
    expect(section(page, 'Maintenance in progress') ?? '').not.toContain(id);
  });
});

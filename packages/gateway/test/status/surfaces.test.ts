/**
 * The public surfaces: every Statuspage v2 document with its exact field names and enums, read
 * by a real Statuspage client library (`statuspage.io`); operator incidents, updates and
 * postmortems; a maintenance window that shows `under_maintenance` during its time only, and one
 * that names no component, which shows in the top-level status instead; the HTML page (90 bars per
 * component, English and Chinese, no script) and the feeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from 'tollgate';
import { COMPONENT_STATUSES, INCIDENT_STATUSES, INDICATORS, MAINTENANCE_STATUSES } from '../../src/status/vocabulary.js';
import type { TestGateway } from '../support/gateway.js';
import { NOW, seedHistory, statusGateway, statuspageClient } from './helpers.js';

const PAGE_KEYS = ['id', 'name', 'url', 'time_zone', 'updated_at'];
const COMPONENT_KEYS = ['id', 'name', 'status', 'created_at', 'updated_at', 'position', 'description', 'showcase', 'start_date', 'group_id', 'page_id', 'group', 'only_show_if_degraded'];
const INCIDENT_KEYS = ['id', 'name', 'status', 'impact', 'created_at', 'updated_at', 'started_at', 'monitoring_at', 'resolved_at', 'shortlink', 'page_id', 'incident_updates', 'components'];
const UPDATE_KEYS = ['id', 'incident_id', 'status', 'body', 'created_at', 'updated_at', 'display_at', 'affected_components', 'deliver_notifications', 'custom_tweet', 'tweet_id'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const HOUR = 3_600_000;

const sorted = (o: object) => Object.keys(o).sort();

function checkPage(p: any) {
  expect(sorted(p)).toEqual([...PAGE_KEYS].sort());
  expect(p.updated_at).toMatch(ISO);
}
function checkComponent(c: any) {
  expect(sorted(c)).toEqual([...COMPONENT_KEYS, ...(c.group ? ['components'] : [])].sort());
  expect(COMPONENT_STATUSES).toContain(c.status);
  expect(c.created_at).toMatch(ISO);
  expect(c.updated_at).toMatch(ISO);
  expect(c.start_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(typeof c.position).toBe('number');
  expect(typeof c.showcase).toBe('boolean');
  expect(typeof c.only_show_if_degraded).toBe('boolean');
}
function checkIncident(i: any, maintenance: boolean) {
  expect(sorted(i)).toEqual([...INCIDENT_KEYS, ...(maintenance ? ['scheduled_for', 'scheduled_until'] : [])].sort());
  if (maintenance) {
    expect(MAINTENANCE_STATUSES).toContain(i.status);
    expect(i.impact).toBe('maintenance');
    expect(i.scheduled_for).toMatch(ISO);
    expect(i.scheduled_until).toMatch(ISO);
  } else {
    expect(INCIDENT_STATUSES).toContain(i.status);
    expect(INDICATORS).toContain(i.impact);
  }
  for (const k of ['created_at', 'updated_at', 'started_at']) expect(i[k]).toMatch(ISO);
  for (const k of ['monitoring_at', 'resolved_at']) if (i[k] !== null) expect(i[k]).toMatch(ISO);
  expect(i.shortlink).toMatch(/^https?:\/\//);
  for (const u of i.incident_updates) {
    expect(sorted(u)).toEqual([...UPDATE_KEYS].sort());
    expect(u.incident_id).toBe(i.id);
    for (const a of u.affected_components ?? []) {
      expect(sorted(a)).toEqual(['code', 'name', 'new_status', 'old_status']);
      expect(COMPONENT_STATUSES).toContain(a.new_status);
    }
  }
  for (let k = 1; k < i.incident_updates.length; k++) expect(i.incident_updates[k - 1].created_at >= i.incident_updates[k].created_at).toBe(true);
  i.components.forEach(checkComponent);
}

describe('status surfaces', () => {
  let g: TestGateway;
  let clock: FakeClock;
  let incidentId: string;
  let maintenanceId: string;
  const get = async (path: string) => {
    const r = await fetch(g.url + path);
    expect(r.status).toBe(200);
    return r;
  };
  const json = async (path: string) => (await (await get(path)).json()) as any;

  beforeAll(async () => {
    ({ g, clock } = await statusGateway());
    await seedHistory(g);
    await g.gateway.services.status.tick();
  });
  afterAll(async () => {
    await g?.close();
  });

  it('operators open, update and post-mortem an incident through the admin API', async () => {
    const created = await g.admin('POST', '/admin/v1/status/incidents', { name: 'Slow answers from sim-small', body: 'We are looking into slow answers.', components: { 'sim-small': 'degraded_performance' } });
    expect(created.status).toBe(200);
    incidentId = created.body.id;
    expect(created.body).toMatchObject({ status: 'investigating', impact: 'minor' });
    expect(created.body.incident_updates[0].affected_components).toEqual([{ code: expect.any(String), name: 'sim-small', old_status: 'operational', new_status: 'degraded_performance' }]);
    let s = await json('/api/v2/summary.json');
    expect(s.components.find((c: any) => c.name === 'sim-small').status).toBe('degraded_performance');
    expect(s.components.find((c: any) => c.name === 'Chat models').status).toBe('degraded_performance');
    expect(s.status).toEqual({ indicator: 'minor', description: 'Partially Degraded Service' });

    await clock.advance(60_000);
    const upd = await g.admin('POST', `/admin/v1/status/incidents/${incidentId}`, { status: 'identified', body: 'A slow disk on the engine host.' });
    expect(upd.body.status).toBe('identified');
    expect(upd.body.incident_updates.map((u: any) => u.status)).toEqual(['identified', 'investigating']);
    await clock.advance(60_000);
    const resolved = await g.admin('POST', `/admin/v1/status/incidents/${incidentId}`, { status: 'resolved', body: 'The disk was replaced.' });
    expect(resolved.body.resolved_at).toBe(new Date(clock.now()).toISOString());
    s = await json('/api/v2/summary.json');
    expect(s.status.indicator).toBe('none');
    expect(s.incidents).toEqual([]);
    const pm = await g.admin('POST', `/admin/v1/status/incidents/${incidentId}/postmortem`, { body: 'A disk reached its write limit; we now watch wear levels.' });
    expect(pm.body.status).toBe('postmortem');
    expect(pm.body.impact).toBe('minor');

    const bad = await g.admin('POST', '/admin/v1/status/incidents', { name: 'x', body: 'y', components: { 'sim-small': 'on_fire' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('components.sim-small');
    // A time is an ISO 8601 string or Unix seconds: another type is named as OpenAI names it, an unreadable string is an invalid value.
    const notTime = await g.admin('POST', '/admin/v1/status/maintenances', { name: 'x', scheduled_for: true, scheduled_until: 1, components: ['sim-small'] });
    expect(notTime.body.error).toMatchObject({ message: "Invalid type for 'scheduled_for': expected an ISO 8601 time or Unix seconds, but got a boolean instead.", param: 'scheduled_for', code: 'invalid_type' });
    const badTime = await g.admin('POST', '/admin/v1/status/maintenances', { name: 'x', scheduled_for: 'next tuesday', scheduled_until: 1, components: ['sim-small'] });
    expect(badTime.body.error).toMatchObject({ message: "Invalid value: 'next tuesday'. Supported values are: an ISO 8601 time or Unix seconds.", param: 'scheduled_for', code: 'invalid_value' });
    const missing = await g.admin('POST', '/admin/v1/status/incidents/nope', { status: 'resolved' });
    expect(missing.status).toBe(404);
    const anon = await fetch(`${g.url}/admin/v1/status/incidents`, { method: 'POST', body: '{}' });
    expect(anon.status).toBe(401);
  });

  it('a maintenance window shows under_maintenance during its time and not outside it', async () => {
    const from = clock.now() + HOUR;
    const created = await g.admin('POST', '/admin/v1/status/maintenances', { name: 'Engine upgrade', body: 'sim-small moves to new hosts.', scheduled_for: new Date(from).toISOString(), scheduled_until: new Date(from + HOUR).toISOString(), components: ['sim-small'] });
    expect(created.status).toBe(200);
    maintenanceId = created.body.id;
    const small = (s: any) => s.components.find((c: any) => c.name === 'sim-small').status;

    let s = await json('/api/v2/summary.json');
    expect(small(s)).toBe('operational');
    expect((await json('/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances.map((m: any) => m.id)).toEqual([maintenanceId]);
    expect((await json('/api/v2/scheduled-maintenances/active.json')).scheduled_maintenances).toEqual([]);
    expect(s.scheduled_maintenances.map((m: any) => [m.id, m.status])).toEqual([[maintenanceId, 'scheduled']]);

    await clock.advance(HOUR + 60_000);
    s = await json('/api/v2/summary.json');
    expect(small(s)).toBe('under_maintenance');
    expect(s.components.find((c: any) => c.name === 'sim-large').status).toBe('operational');
    expect(s.status).toEqual({ indicator: 'none', description: 'Service Under Maintenance' });
    expect((await json('/api/v2/scheduled-maintenances/active.json')).scheduled_maintenances.map((m: any) => [m.id, m.status])).toEqual([[maintenanceId, 'in_progress']]);
    expect((await json('/api/v2/scheduled-maintenances/upcoming.json')).scheduled_maintenances).toEqual([]);
    expect((await json('/api/v2/components.json')).components.find((c: any) => c.name === 'sim-small').status).toBe('under_maintenance');

    await clock.advance(HOUR);
    s = await json('/api/v2/summary.json');
    expect(small(s)).toBe('operational');
    expect(s.status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect(s.scheduled_maintenances).toEqual([]);
    expect((await json('/api/v2/scheduled-maintenances.json')).scheduled_maintenances.map((m: any) => [m.id, m.status])).toEqual([[maintenanceId, 'completed']]);
    expect((await json('/api/v2/scheduled-maintenances/active.json')).scheduled_maintenances).toEqual([]);
  });

  it('every v2 document has Statuspage field names and enum values, and summary is its parts', async () => {
    // An open incident and an upcoming maintenance, so that every list has members.
    await g.admin('POST', '/admin/v1/status/incidents', { name: 'Elevated errors on the admin API', body: 'Investigating.', components: { 'Admin API': 'partial_outage' } });
    const from = clock.now() + 2 * HOUR;
    await g.admin('POST', '/admin/v1/status/maintenances', { name: 'Database upgrade', scheduled_for: from / 1000, scheduled_until: from / 1000 + 3600, components: ['Public API', 'sim-large'] });

    const docs: Record<string, string[]> = {
      'summary.json': ['page', 'status', 'components', 'incidents', 'scheduled_maintenances'],
      'status.json': ['page', 'status'],
      'components.json': ['page', 'components'],
      'incidents.json': ['page', 'incidents'],
      'incidents/unresolved.json': ['page', 'incidents'],
      'scheduled-maintenances.json': ['page', 'scheduled_maintenances'],
      'scheduled-maintenances/upcoming.json': ['page', 'scheduled_maintenances'],
      'scheduled-maintenances/active.json': ['page', 'scheduled_maintenances'],
    };
    const got: Record<string, any> = {};
    for (const [path, keys] of Object.entries(docs)) {
      const r = await get(`/api/v2/${path}`);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(r.headers.get('cache-control')).toBe('public, max-age=10');
      const d = (got[path] = await r.json());
      expect(sorted(d)).toEqual([...keys].sort());
      checkPage(d.page);
      if (d.status) {
        expect(sorted(d.status)).toEqual(['description', 'indicator']);
        expect(INDICATORS).toContain(d.status.indicator);
      }
      (d.components ?? []).forEach(checkComponent);
      (d.incidents ?? []).forEach((i: any) => checkIncident(i, false));
      (d.scheduled_maintenances ?? []).forEach((i: any) => checkIncident(i, true));
    }
    const sum = got['summary.json'];
    expect(sum.status).toEqual(got['status.json'].status);
    expect(sum.components).toEqual(got['components.json'].components);
    expect(sum.incidents).toEqual(got['incidents/unresolved.json'].incidents);
    expect(sum.scheduled_maintenances).toEqual([...got['scheduled-maintenances/upcoming.json'].scheduled_maintenances, ...got['scheduled-maintenances/active.json'].scheduled_maintenances]);
    expect(sum.status).toEqual({ indicator: 'minor', description: 'Minor Service Outage' });
    expect(got['incidents.json'].incidents.map((i: any) => i.status)).toEqual(['investigating', 'postmortem']);
    expect(got['incidents/unresolved.json'].incidents.map((i: any) => i.status)).toEqual(['investigating']);
    // Groups list their children's ids; children name their group.
    const comps = got['components.json'].components;
    const group = comps.find((c: any) => c.group);
    expect(group.name).toBe('Chat models');
    expect(comps.filter((c: any) => c.group_id === group.id).map((c: any) => c.id)).toEqual(group.components);
    // Component ids are the same on every read (and derived, so the same on every instance).
    expect((await json('/api/v2/components.json')).components.map((c: any) => c.id)).toEqual(comps.map((c: any) => c.id));
  });

  it('a real Statuspage client library reads every endpoint', async () => {
    const client = statuspageClient(g);
    const summary = await client.api.getSummary();
    expect(summary.status.indicator).toBe('minor');
    expect(summary.components.map((c) => c.name)).toEqual(['Public API', 'Chat models', 'sim-small', 'sim-large', 'sim-embed', 'Console', 'Admin API']);
    expect((await client.api.getStatus()).status.description).toBe('Minor Service Outage');
    expect((await client.api.getComponents()).components.find((c) => c.name === 'Admin API')?.status).toBe('partial_outage');
    expect((await client.api.incidents.getAll()).incidents.map((i) => i.name)).toEqual(['Elevated errors on the admin API', 'Slow answers from sim-small']);
    expect((await client.api.incidents.getUnresolved()).incidents).toHaveLength(1);
    // statuspage.io 3.3.8 sends all three maintenance calls to upcoming.json (its own endpoint table).
    expect((await client.api.scheduledMaintenances.getUpcoming()).scheduled_maintenances.map((m) => [m.name, m.status])).toEqual([['Database upgrade', 'scheduled']]);
    expect((await client.api.scheduledMaintenances.getAll()).page.name).toBe('Tollgate');
    expect((await client.api.scheduledMaintenances.getActive()).page.name).toBe('Tollgate');
  });

  it('the page renders without JavaScript: 90 bars per component with uptime, in English and Chinese', async () => {
    const en = await (await get('/status')).text();
    expect(en).not.toMatch(/<script/i);
    const blocks = en.split('data-component="').slice(1);
    expect(blocks).toHaveLength(7);
    for (const b of blocks) expect(b.split('</div></div>')[0]!.match(/class="bar"/g)).toHaveLength(90);
    expect(en).toContain('Elevated errors on the admin API');
    expect(en).toContain('Database upgrade');
    expect(en).toMatch(/\d+\.\d\d% uptime/);
    // sim-large had a major outage 12 days ago: that bar is red and says so.
    expect(en).toMatch(/data-day="2026-06-18" data-status="major_outage" title="2026-06-18: Major outage · Major outage 45 min"/);
    const zh = await (await fetch(`${g.url}/status`, { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } })).text();
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('少量服务中断');
    expect(zh).toContain('可用率');
    // Built-in components are named in Chinese there; the JSON keeps their English names.
    for (const name of ['公共 API', '控制台', '管理 API']) expect(zh).toContain(`<span>${name}</span>`);
    expect(zh).not.toContain('<span>Public API</span>');
    expect(await (await get('/status?lang=zh-CN')).text()).toContain('历史事件');
    const one = await (await get(`/status/incidents/${incidentId}`)).text();
    expect(one).toContain('A disk reached its write limit');
    expect((await fetch(`${g.url}/status/incidents/nope`)).status).toBe(404);
  });

  it("the error reference points the platform's own errors to this status page", async () => {
    const docs = await (await get('/docs/errors')).text();
    const section = (id: string) => docs.split(`<section id="${id}">`)[1]!.split('</section>')[0]!;
    for (const id of ['server_error', 'upstream_unavailable', 'engine_overloaded']) expect(section(id)).toContain('<a href="http://gateway.test/status">http://gateway.test/status</a>');
    expect(section('invalid_api_key')).not.toContain('/status');
  });

  it('Atom and RSS feeds list incidents and maintenances', async () => {
    const atom = await (await get('/status/history.atom')).text();
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect(atom.match(/<entry>/g)).toHaveLength(4);
    expect(atom).toContain(`/status/incidents/${incidentId}`);
    const rss = await (await get('/status/history.rss')).text();
    expect(rss.match(/<item>/g)).toHaveLength(4);
    expect(rss).toContain('<title>Engine upgrade</title>');
  });

  it('a maintenance naming no component: Service Under Maintenance on every surface during its window, no component under maintenance', async () => {
    // What the earlier tests left open would outrank maintenance: resolve it.
    for (const i of (await json('/api/v2/incidents/unresolved.json')).incidents) expect((await g.admin('POST', `/admin/v1/status/incidents/${i.id}`, { status: 'resolved', body: 'Resolved.' })).status).toBe(200);
    const before = await json('/api/v2/summary.json');
    expect(before.status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    const from = clock.now() + 60_000;
    const created = await g.admin('POST', '/admin/v1/status/maintenances', { name: 'Network move', body: 'The whole gateway moves to a new network.', scheduled_for: new Date(from).toISOString(), scheduled_until: new Date(from + 30 * 60_000).toISOString() });
    expect(created.status).toBe(200);
    expect(created.body.components).toEqual([]);
    const id = created.body.id;

    await clock.advance(2 * 60_000);
    const s = await json('/api/v2/summary.json');
    expect(s.status).toEqual({ indicator: 'none', description: 'Service Under Maintenance' });
    expect((await json('/api/v2/status.json')).status).toEqual(s.status);
    expect(s.components.map((c: any) => c.status)).toEqual(before.components.map((c: any) => c.status));
    const listed = s.scheduled_maintenances.find((m: any) => m.id === id);
    checkIncident(listed, true);
    expect([listed.status, listed.impact, listed.components]).toEqual(['in_progress', 'maintenance', []]);
    expect((await json('/api/v2/scheduled-maintenances/active.json')).scheduled_maintenances.map((m: any) => m.id)).toEqual([id]);
    const html = await (await get('/status')).text();
    expect(html).toContain('data-indicator="none" data-description="Service Under Maintenance"');
    expect(html).toContain('Network move');

    // A maintenance that names only components no longer on the page (a model taken out of the
    // config) is about nothing the page shows either: the same.
    await clock.advance(30 * 60_000);
    expect((await json('/api/v2/status.json')).status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    const monitor = g.gateway.services.status;
    const gone = await monitor.createIncident({ kind: 'maintenance', name: 'Retire an old model', status: 'scheduled', body: 'Retiring.', components: { 'no-longer-configured': 'under_maintenance' }, affected: null, scheduled_for: clock.now(), scheduled_until: clock.now() + HOUR });
    expect((await json('/api/v2/status.json')).status).toEqual({ indicator: 'none', description: 'Service Under Maintenance' });
    expect((await g.admin('POST', `/admin/v1/status/maintenances/${gone.id}`, { status: 'completed', body: 'Done.' })).status).toBe(200);
    expect((await json('/api/v2/summary.json')).status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
  });

  it('the clock in these tests is the fake one', () => {
    expect(clock.now()).toBeGreaterThan(NOW);
  });
});

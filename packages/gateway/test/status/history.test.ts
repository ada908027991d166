/**
 * The incident history pages: every incident and maintenance, newest first, 25 to a page, beyond
 * the 50 most recent that the main page and incidents.json carry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from 'tollgate';
import type { TestGateway } from '../support/gateway.js';
import { statusGateway } from './helpers.js';

describe('incident history pages', () => {
  let g: TestGateway;
  let clock: FakeClock;
  beforeAll(async () => {
    ({ g, clock } = await statusGateway());
    const monitor = g.gateway.services.status;
    for (let n = 1; n <= 60; n++) {
      const i = await monitor.createIncident({ kind: 'incident', name: `Incident number ${n}`, status: 'investigating', body: `Looking at ${n}.`, components: {}, affected: null });
      await monitor.incidents.update(i.id, () => ({ status: 'resolved', body: `Fixed ${n}.` }));
      await clock.advance(60_000);
    }
    await monitor.createIncident({ kind: 'maintenance', name: 'Database upgrade', status: 'scheduled', body: 'Upgrading.', components: {}, affected: null, scheduled_for: clock.now() + 3_600_000, scheduled_until: clock.now() + 7_200_000 });
    await monitor.refresh();
  });
  afterAll(async () => {
    await g?.close();
  });

  const page = async (q = '', lang = '') => {
    const r = await fetch(`${g.url}/status/history${q}`, { headers: lang ? { 'accept-language': lang } : {} });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    return r.text();
  };
  const names = (html: string) => [...html.matchAll(/<h3><a href="[^"]*">([^<]+)<\/a><\/h3>/g)].map((m) => m[1]);

  it('lists everything newest first, 25 to a page, with links between the pages', async () => {
    const first = await page();
    expect(first).not.toMatch(/<script/i);
    expect(names(first)).toEqual(['Database upgrade', ...Array.from({ length: 24 }, (_, k) => `Incident number ${60 - k}`)]);
    expect(first).toContain('href="http://gateway.test/status/history?page=2&amp;lang=en"');
    const third = await page('?page=3');
    expect(names(third)).toEqual(Array.from({ length: 11 }, (_, k) => `Incident number ${11 - k}`));
    expect(third).toContain('href="http://gateway.test/status/history?page=2&amp;lang=en"');
    expect(third).not.toContain('page=4');
    // Past the end: an empty page that says so; nonsense is page 1.
    expect(names(await page('?page=9'))).toEqual([]);
    expect(names(await page('?page=x'))).toEqual(names(first));
  });

  it('the main page links to it, in the page language', async () => {
    const main = await (await fetch(`${g.url}/status?lang=zh-CN`)).text();
    expect(main).toContain('href="http://gateway.test/status/history?lang=zh-CN"');
    const zh = await page('', 'zh-CN');
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('事件历史');
  });
});

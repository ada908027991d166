/**
 * The status page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * 90 bars per component, no JavaScript needed (it is disabled), a screenshot for the README
 * (docs/screenshots/status-page.png with TOLLGATE_UPDATE_SCREENSHOTS=1, else a temporary directory:
 * support/screenshots.ts), and every bar's contrast with what Chromium paints behind it.
 * Skips, saying why, only when Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrast } from '../support/contrast.js';
import type { TestGateway } from '../support/gateway.js';
import { screenshotPath } from '../support/screenshots.js';
import { seedHistory, statusGateway } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`status page browser test skipped: ${CHROMIUM} is absent (install it: apt-get update && apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('status page in headless Chromium', () => {
  let g: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    ({ g } = await statusGateway());
    await seedHistory(g);
    await g.admin('POST', '/admin/v1/status/incidents', { name: 'Elevated error rate on sim-large', body: 'We are investigating a partial outage on sim-large: 31% of requests failed (62 of 200) over the last 1 min.', components: { 'sim-large': 'partial_outage' } });
    await g.gateway.services.status.tick();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`renders 90 bars per component (${lang}) and writes a screenshot`, async () => {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 960, height: 900 } });
      const page = await context.newPage();
      const res = await page.goto(`${g.url}/status?lang=${lang}`);
      expect(res?.status()).toBe(200);
      const components = page.locator('[data-component]');
      expect(await components.count()).toBe(7);
      for (let i = 0; i < 7; i++) {
        const bars = components.nth(i).locator('.bar');
        expect(await bars.count()).toBe(90);
        // Laid out side by side: each bar is drawn with a width.
        const box = await bars.nth(89).boundingBox();
        expect(box!.width).toBeGreaterThan(2);
        expect(box!.height).toBeGreaterThan(20);
      }
      expect(await page.locator('.banner').getAttribute('data-indicator')).toBe('minor');
      await expect(page.locator('.banner').innerText()).resolves.toBe(lang === 'en' ? 'Minor Service Outage' : '少量服务中断');
      const shot = screenshotPath(`status-page${lang === 'en' ? '' : '-zh-CN'}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).toBe(true);
      await context.close();
    }, 60_000);
  }

  it('every bar, as Chromium paints it, reaches 3:1 against the background behind it (WCAG 2.1 SC 1.4.11)', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 960, height: 900 } });
    const page = await context.newPage();
    expect((await page.goto(`${g.url}/status`))?.status()).toBe(200);
    // Each bar's colour, the first background behind it (transparent when none), and the opacity it is drawn with.
    const painted = await page.locator('.bar').evaluateAll((bars) =>
      bars.map((bar) => {
        let behind = 'rgba(0, 0, 0, 0)';
        let opacity = Number(getComputedStyle(bar).opacity);
        for (let e = bar.parentElement; e; e = e.parentElement) {
          const cs = getComputedStyle(e);
          opacity *= Number(cs.opacity);
          if (behind === 'rgba(0, 0, 0, 0)' && cs.backgroundColor !== 'rgba(0, 0, 0, 0)') behind = cs.backgroundColor;
        }
        return { status: bar.getAttribute('data-status')!, colour: getComputedStyle(bar).backgroundColor, behind, opacity };
      }),
    );
    const seen = [...new Map(painted.map((p) => [`${p.status} ${p.colour} ${p.behind} ${p.opacity}`, p])).values()];
    // The seeded history has every status but "no data" (contrast.test.ts renders that one too).
    expect(new Set(seen.map((p) => p.status))).toEqual(new Set(['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance']));
    const low = seen.filter((p) => p.opacity !== 1 || !p.colour.startsWith('rgb(') || !p.behind.startsWith('rgb(') || contrast(p.colour, p.behind) < 3).map((p) => `${p.status}: ${p.colour} on ${p.behind}, opacity ${p.opacity}: ${contrast(p.colour, p.behind).toFixed(2)}:1`);
    expect(low).toEqual([]);
    await context.close();
  }, 60_000);
});

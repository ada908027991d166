/**
 * The status page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * 90 bars per component, no JavaScript needed (it is disabled), and a screenshot for the README
 * at docs/screenshots/status-page.png. Skips, saying why, only when Chromium is not installed.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { seedHistory, statusGateway } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
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
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}status-page${lang === 'en' ? '' : '-zh-CN'}.png`, fullPage: true });
      expect(existsSync(`${SHOTS}status-page${lang === 'en' ? '' : '-zh-CN'}.png`)).toBe(true);
      await context.close();
    }, 60_000);
  }
});

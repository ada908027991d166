/**
 * The Usage chart's time axis in headless Chromium against a real gateway: every tick label is
 * drawn whole inside the chart, the first and the last included, for each period (hour, day,
 * week, month), in both languages, in two time zones, at desktop and phone width, for an
 * organization with usage and for one with none yet (a chart without a value axis). The chart is
 * a canvas, so the test records where each piece of text is drawn on it (its measured box,
 * through the canvas's own transform) and compares those boxes with the canvas and its container
 * on the page. The browser's clock is held at a time where the first and last buckets fall on
 * ticks (midnight UTC), where a label centred on the first or last point reaches past an edge.
 * Daily points are UTC days: in a zone behind UTC and in one ahead, the axis and the legend name
 * them by their UTC date, with no time of day.
 * Skips, saying why, only when Chromium is not installed.
 */
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { systemClock, type Clock } from 'tollgate';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, openContext, ownerLogin, settled, signIn, text, useConsoleFixture, type Lang } from './support/browser.js';

/** Keeps, for each canvas, the box of every text drawn on it since it was last cleared whole. */
function recordCanvasText(): void {
  const proto = CanvasRenderingContext2D.prototype;
  const fillText = proto.fillText;
  const clearRect = proto.clearRect;
  const drawn = new WeakMap<HTMLCanvasElement, object[]>();
  (window as unknown as { drawnText: (c: HTMLCanvasElement) => object[] }).drawnText = (c) => drawn.get(c) ?? [];
  proto.clearRect = function (x, y, w, h) {
    if (x <= 0 && y <= 0 && x + w >= this.canvas.width && y + h >= this.canvas.height) drawn.set(this.canvas, []);
    clearRect.call(this, x, y, w, h);
  };
  proto.fillText = function (s: string, x: number, y: number, maxWidth?: number) {
    const m = this.measureText(s);
    const t = this.getTransform();
    const a = t.transformPoint(new DOMPoint(x - m.actualBoundingBoxLeft, y - m.actualBoundingBoxAscent));
    const b = t.transformPoint(new DOMPoint(x + m.actualBoundingBoxRight, y + m.actualBoundingBoxDescent));
    const box = { text: s, align: this.textAlign, baseline: this.textBaseline, left: Math.min(a.x, b.x), right: Math.max(a.x, b.x), top: Math.min(a.y, b.y), bottom: Math.max(a.y, b.y) };
    if (!drawn.has(this.canvas)) drawn.set(this.canvas, []);
    drawn.get(this.canvas)!.push(box);
    if (maxWidth === undefined) fillText.call(this, s, x, y);
    else fillText.call(this, s, x, y, maxWidth);
  };
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * The x-axis tick labels of the chart now on the page (a canvas not yet marked seen), each line
 * with its box in page pixels, and the boxes of the canvas and of its container; undefined until
 * that chart has drawn its labels.
 */
function xAxisLabels(page: Page) {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('.chart canvas:not([data-seen])');
    if (!canvas) return undefined;
    const drawn = (window as unknown as { drawnText: (c: HTMLCanvasElement) => ({ text: string; align: string; baseline: string } & Box)[] }).drawnText(canvas);
    const r = canvas.getBoundingClientRect();
    const sx = r.width / canvas.width;
    const sy = r.height / canvas.height;
    // uPlot draws a bottom axis's labels centred under their tick, hanging from the top.
    const labels = drawn
      .filter((d) => d.align === 'center' && d.baseline === 'top')
      .map((d) => ({ text: d.text, left: r.left + d.left * sx, right: r.left + d.right * sx, top: r.top + d.top * sy, bottom: r.top + d.bottom * sy }));
    if (labels.length === 0) return undefined;
    const c = canvas.closest('.chart')!.getBoundingClientRect();
    const box = (b: DOMRect): Box => ({ left: b.left, right: b.right, top: b.top, bottom: b.bottom });
    canvas.setAttribute('data-seen', '');
    return { labels, canvas: box(r), container: box(c) };
  });
}

/** What of `inner` is outside `outer` (half a pixel of rounding allowed), in words; empty when nothing. */
function outside(inner: Box, outer: Box): string[] {
  const out: string[] = [];
  if (inner.left < outer.left - 0.5) out.push(`${(outer.left - inner.left).toFixed(1)} px past the left`);
  if (inner.right > outer.right + 0.5) out.push(`${(inner.right - outer.right).toFixed(1)} px past the right`);
  if (inner.top < outer.top - 0.5) out.push(`${(outer.top - inner.top).toFixed(1)} px past the top`);
  if (inner.bottom > outer.bottom + 0.5) out.push(`${(inner.bottom - outer.bottom).toFixed(1)} px past the bottom`);
  return out;
}

describe.skipIf(!hasChromium)('the usage chart draws every time-axis label whole', () => {
  // Every period's buckets start on a whole minute, hour or day, so with the browser's clock held
  // here the first and last buckets of each start at midnight UTC: a tick of the axis in UTC (a
  // label with the date under the time), and of Asia/Shanghai's hourly and finer axes (08:00).
  const now = Date.parse('2026-11-30T00:00:30Z');
  // The gateway's time runs from a minute before, so the usage it records is in those periods.
  const shift = Date.now() - (now - 60_000);
  const clock: Clock = { now: () => Date.now() - shift, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
  const f = useConsoleFixture({ clock });
  const logins = new Map<string, { email: string; password: string }>();

  // The fixture's organization gets usage of two models (two lines, so a legend); another has none yet.
  beforeAll(async () => {
    const client = new OpenAI({ apiKey: f.g.apiKey, baseURL: f.g.baseURL, maxRetries: 0 });
    for (const model of ['sim-small', 'sim-large']) await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    await f.g.gateway.services.ledger.flush();
    logins.set('with usage', f.owner);
    logins.set('no usage', await ownerLogin(f.g, (await f.g.newTenant('no usage yet')).userId));
  });

  for (const lang of ['en', 'zh-CN'] as Lang[]) {
    for (const state of ['with usage', 'no usage']) {
      it(`${lang}, ${state}: each period, in UTC and Asia/Shanghai, at desktop and phone width`, async () => {
        const login = logins.get(state)!;
        const clipped: string[] = [];
        let checked = 0;
        for (const timezoneId of ['UTC', 'Asia/Shanghai']) {
          for (const width of [1200, 390]) {
            const { context, page } = await openContext(f.browser, lang, width, { timezoneId });
            await page.clock.setFixedTime(now);
            await page.addInitScript(recordCanvasText);
            await signIn(page, f.g.url, login.email, login.password);
            await page.goto(`${f.g.url}/usage`);
            await settled(page);
            // The page opens on the last 7 days; then each other period.
            for (const period of ['week', 'hour', 'day', 'month']) {
              if (period !== 'week') await page.getByLabel(text(lang, 'usage.period')).selectOption(period);
              // The chart of this period: a new canvas (the one read before is marked seen).
              let chart: Awaited<ReturnType<typeof xAxisLabels>>;
              await expect.poll(async () => (chart = await xAxisLabels(page)) !== undefined).toBe(true);
              const where = `${timezoneId}, ${width} px, ${period}`;
              expect(chart!.labels.length, where).toBeGreaterThan(1);
              for (const label of chart!.labels) {
                const off = [...new Set([...outside(label, chart!.canvas), ...outside(label, chart!.container)])];
                if (off.length > 0) clipped.push(`${where}: "${label.text}" ${off.join(', ')}`);
                checked++;
              }
            }
            await context.close();
          }
        }
        expect(checked).toBeGreaterThan(0);
        expect(clipped).toEqual([]);
      }, 300_000);
    }

    // A point a day is a UTC day: at 00:00:30 UTC on Nov 30 it is still Nov 29 in Los Angeles
    // and 8 AM in Shanghai, and the chart says Nov 30 all the same, with no time of day.
    it(`${lang}: daily points are named by their UTC date in Los Angeles and Shanghai, on the axis and in the legend`, async () => {
      const date = lang === 'en' ? /^[A-Z][a-z]{2} \d{1,2}$/ : /^\d{1,2}月\d{1,2}日$/;
      const today = lang === 'en' ? { tick: 'Nov 30', legend: 'Nov 30, 2026' } : { tick: '11月30日', legend: '2026年11月30日' };
      for (const timezoneId of ['America/Los_Angeles', 'Asia/Shanghai']) {
        const { context, page } = await openContext(f.browser, lang, 1200, { timezoneId });
        await page.clock.setFixedTime(now);
        await page.addInitScript(recordCanvasText);
        await signIn(page, f.g.url, f.owner.email, f.owner.password);
        await page.goto(`${f.g.url}/usage`);
        await settled(page);
        await page.getByLabel(text(lang, 'usage.groupBy')).selectOption('model');
        for (const period of ['week', 'month']) {
          const where = `${timezoneId}, ${period}`;
          if (period !== 'week') await page.getByLabel(text(lang, 'usage.period')).selectOption(period);
          await expect.poll(() => page.locator('.chart .u-legend .u-series').count(), { message: where }).toBe(3);
          let chart: Awaited<ReturnType<typeof xAxisLabels>>;
          await expect.poll(async () => (chart = await xAxisLabels(page)) !== undefined).toBe(true);
          const ticks = chart!.labels.map((l) => l.text);
          expect(ticks.filter((t) => !date.test(t)), where).toEqual([]);
          expect(new Set(ticks).size, where).toBe(ticks.length);
          expect(ticks.at(-1), where).toBe(today.tick);
          // Nothing on the page says the days are the viewer's.
          await expect(page.getByText(text(lang, 'usage.width.1d'), { exact: true }).count(), where).resolves.toBe(1);
          await expect(page.getByText(text(lang, 'usage.zone', { zone: timezoneId })).count(), where).resolves.toBe(0);
          // The legend names the point under the pointer: the last one, today in UTC.
          const over = (await page.locator('.chart .u-over').boundingBox())!;
          await page.mouse.move(over.x + over.width - 1, over.y + over.height / 2);
          await expect.poll(() => page.locator('.chart .u-legend .u-series').first().locator('.u-value').innerText(), { message: where }).toBe(today.legend);
        }
        await context.close();
      }
    }, 120_000);
  }
});

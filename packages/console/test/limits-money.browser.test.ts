/**
 * In headless Chromium against a real gateway: what is left of each rate limit on the Limits page
 * (the organization's and the chosen project's) after a key spent part of it; money that is less
 * than a cent shown as itself, not $0.00, on the Limits, Usage and Requests pages, with the exact
 * amount in its title and in the usage CSV; and the two-factor setup's QR code, which encodes the
 * otpauth:// URI and is drawn without breaking the Content-Security-Policy. Both languages, with
 * screenshots (the QR code and the secret masked). Skips, saying why, only without Chromium.
 */
import { readFile } from 'node:fs/promises';
import OpenAI from 'openai';
import QRCode from 'qrcode';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HoldableClock } from '../../gateway/test/support/clocks.js';
import { hasChromium, openContext, screenshot, signIn, text, untranslated, useConsoleFixture, type Lang } from './support/browser.js';

describe.skipIf(!hasChromium)('limits left, small money and the 2FA QR code in the console', () => {
  const clock = new HoldableClock();
  const f = useConsoleFixture({ clock });
  let tokens = 0;
  let requestId = '';

  /** The cell of `field` for sim-small in the table of `scope` (organization or project). */
  const cell = (page: Page, scope: string, field: string) => page.locator(`[data-scope=${scope}] tr[data-model=sim-small] td[data-field=${field}]`);

  it('the Limits page shows exactly what is left of the organization\'s and the project\'s limits', async () => {
    const put = await f.g.admin('PUT', `/admin/v1/organizations/${f.g.orgId}/rate_limits/sim-small`, {
      max_requests_per_1_minute: 3,
      max_tokens_per_1_minute: null,
      max_requests_per_1_day: 100,
      max_tokens_per_1_day: 2000,
    });
    expect(put.status).toBe(200);
    // The key's project (the Default project) gets 10 requests a day of its own.
    const admin = await f.g.admin('POST', `/admin/v1/organizations/${f.g.orgId}/admin_api_keys`, { name: 'limits check' });
    const asAdmin = (path: string, init: RequestInit = {}) => fetch(`${f.g.baseURL}/organization${path}`, { ...init, headers: { authorization: `Bearer ${admin.body.value}`, 'content-type': 'application/json' } });
    const projects = (await (await asAdmin('/projects')).json()) as { data: { id: string; name: string }[] };
    const def = projects.data.find((p) => p.name === 'Default project')!;
    expect((await asAdmin(`/projects/${def.id}/rate_limits/rl-sim-small`, { method: 'POST', body: JSON.stringify({ max_requests_per_1_day: 10 }) })).status).toBe(200);

    // The buckets refill continuously (3 a minute: one request every 20 s; 2,000 tokens a day: one
    // every 43 s). The gateway's time stands still from the requests to the last check, so what is
    // left is exactly what they spent however long two languages of pages take to load.
    clock.hold();
    const client = new OpenAI({ apiKey: f.g.apiKey, baseURL: f.g.baseURL, maxRetries: 0 });
    for (let i = 0; i < 2; i++) {
      const r = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }).withResponse();
      tokens += r.data.usage!.total_tokens;
      requestId ||= r.response.headers.get('x-request-id')!;
    }

    for (const lang of ['en', 'zh-CN'] as const) {
      const { context, page } = await openContext(f.browser, lang);
      await signIn(page, f.g.url, f.owner.email, f.owner.password);
      await page.click(`nav >> text="${text(lang, 'nav.limits')}"`);
      // Tokens are given back when a request settles (in the background): refresh until they are.
      await expect.poll(async () => {
        await page.click(`button:text-is("${text(lang, 'limits.refresh')}")`);
        return cell(page, 'organization', 'max_tokens_per_1_day').getAttribute('data-remaining', { timeout: 5_000 });
      }, { timeout: 60_000 }).toBe(String(2000 - tokens));
      const left = async (scope: string, field: string) => [await cell(page, scope, field).getAttribute('data-remaining'), await cell(page, scope, field).innerText()];
      const fmt = (n: number) => n.toLocaleString(lang);
      expect(await left('organization', 'max_requests_per_1_minute')).toEqual(['1', `${text(lang, 'limits.left', { left: '1' })} ${text(lang, 'limits.ofLimit', { limit: '3' })}`]);
      expect(await left('organization', 'max_requests_per_1_day')).toEqual(['98', `${text(lang, 'limits.left', { left: '98' })} ${text(lang, 'limits.ofLimit', { limit: '100' })}`]);
      expect((await left('organization', 'max_tokens_per_1_day'))[1]).toContain(fmt(2000 - tokens));
      expect(await cell(page, 'organization', 'max_tokens_per_1_minute').getAttribute('data-remaining')).toBeNull();
      // The key's project: its own 10 a day bind (8 left); per minute it has the organization's.
      expect(await left('project', 'max_requests_per_1_day')).toEqual(['8', `${text(lang, 'limits.left', { left: '8' })} ${text(lang, 'limits.ofLimit', { limit: '10' })}`]);
      expect(await left('project', 'max_requests_per_1_minute')).toEqual(await left('organization', 'max_requests_per_1_minute'));

      // This month's spend: two requests of a few millionths of a dollar, not "$0.00".
      const spent = page.locator('[data-testid=spent] .money');
      await expect.poll(() => spent.getAttribute('data-usd'), { timeout: 30_000 }).not.toBe('0');
      const usd = (await spent.getAttribute('data-usd'))!;
      expect(Number(usd)).toBeGreaterThan(0);
      expect(Number(usd)).toBeLessThan(0.001);
      expect(await spent.innerText()).toMatch(lang === 'en' ? /^\$0\.0000\d+$/ : /^US\$0\.0000\d+$/);
      expect(await spent.getAttribute('title')).toBe(text(lang, 'money.exact', { amount: `$${usd}` }));

      if (lang === 'zh-CN') expect(await untranslated(page)).toEqual([]);
      await screenshot(page, 'limits-remaining', lang);
      await context.close();
    }
    clock.release();
  }, 180_000);

  it('a request costing millionths of a dollar reads as such on the Requests and Usage pages, exactly in the CSV', async () => {
    const admin = await f.g.admin('POST', `/admin/v1/organizations/${f.g.orgId}/admin_api_keys`, { name: 'money check' });
    const record = await fetch(`${f.g.baseURL}/organization/requests/${requestId}`, { headers: { authorization: `Bearer ${admin.body.value}` } }).then((r) => r.json() as Promise<{ cost: { exact_value: string } }>);
    const exact = record.cost.exact_value.replace(/0+$/, '');
    expect(Number(exact)).toBeGreaterThan(0);
    expect(Number(exact)).toBeLessThan(0.0001);

    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.click(`nav >> text="${text('en', 'nav.requests')}"`);
    await page.fill('input[name=request_id]', requestId);
    await page.click(`button:text-is("${text('en', 'requests.lookUp')}")`);
    const cost = page.locator('dl.details .money');
    await cost.waitFor();
    expect(await cost.getAttribute('data-usd')).toBe(exact);
    expect(await cost.innerText()).toBe(new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 }).format(Number(exact)));
    expect(await cost.innerText()).not.toBe('$0.00');
    expect(await cost.getAttribute('title')).toBe(`Exact: $${exact}`);

    await page.click(`nav >> text="${text('en', 'nav.usage')}"`);
    await page.waitForSelector('.chart canvas');
    const total = page.locator('td[data-value] .money');
    await total.waitFor();
    const costs = await fetch(`${f.g.baseURL}/organization/costs?start_time=${Math.floor(Date.now() / 1000) - 7 * 86_400}&bucket_width=1d&limit=31`, { headers: { authorization: `Bearer ${admin.body.value}` } }).then(
      (r) => r.json() as Promise<{ data: { results: { amount: { exact_value: string } }[] }[] }>,
    );
    const pico = costs.data.flatMap((b) => b.results).reduce((s, r) => s + BigInt(r.amount.exact_value.replace('.', '')), 0n);
    const apiTotal = `0.${pico.toString().padStart(12, '0')}`.replace(/0+$/, '');
    expect(await total.getAttribute('data-usd')).toBe(apiTotal);
    expect(await total.innerText()).toMatch(/^\$0\.0000\d+$/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button:text-is("${text('en', 'usage.csv')}")`)]);
    const rows = (await readFile((await download.path())!, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    // Plain decimals (never 3.3e-6), and their exact sum is the Costs API's.
    for (const r of rows) expect(r[2]).toMatch(/^\d+(\.\d+)?$/);
    const csvPico = rows.reduce((s, r) => s + BigInt((r[2]!.split('.')[0] ?? '0') + (r[2]!.split('.')[1] ?? '').padEnd(12, '0')), 0n);
    expect(csvPico).toBe(pico);
    await screenshot(page, 'usage-costs', 'en');
    await context.close();

    // The same page in Chinese: the axes and the amounts in the viewer's language, nothing in English.
    const zh = await openContext(f.browser, 'zh-CN');
    await signIn(zh.page, f.g.url, f.owner.email, f.owner.password);
    await zh.page.click(`nav >> text="${text('zh-CN', 'nav.usage')}"`);
    await zh.page.waitForSelector('.chart canvas');
    const zhTotal = zh.page.locator('td[data-value] .money');
    await zhTotal.waitFor();
    expect(await zhTotal.innerText()).toMatch(/^US\$0\.0000\d+$/);
    expect(await zhTotal.getAttribute('title')).toBe(text('zh-CN', 'money.exact', { amount: `$${apiTotal}` }));
    expect(await untranslated(zh.page)).toEqual([]);
    await screenshot(zh.page, 'usage-costs', 'zh-CN');
    await zh.context.close();
  }, 120_000);

  for (const lang of ['en', 'zh-CN'] as const satisfies readonly Lang[]) {
    it(`turning on two-factor sign-in shows the otpauth URI as a QR code (${lang}), with no CSP violation`, async () => {
      const { context, page } = await openContext(f.browser, lang);
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await signIn(page, f.g.url, f.owner.email, f.owner.password);
      await page.click(`nav >> text="${text(lang, 'nav.account')}"`);
      await page.click(`button:text-is("${text(lang, 'totp.start')}")`);
      const qr = page.getByRole('img', { name: text(lang, 'totp.qrLabel') });
      await qr.waitFor();
      const uri = (await page.locator('a[href^="otpauth://"]').getAttribute('href'))!;
      expect(uri).toMatch(/^otpauth:\/\/totp\/Tollgate:.+\?.*secret=[A-Z2-7]+/);
      // The picture is the URI's QR code, module for module.
      const { modules } = QRCode.create(uri, { errorCorrectionLevel: 'M' });
      expect(await qr.getAttribute('viewBox')).toBe(`0 0 ${modules.size + 8} ${modules.size + 8}`);
      const dark = ((await qr.locator('path').getAttribute('d')) ?? '').split('z').filter(Boolean).length;
      expect(dark).toBe(Array.from(modules.data).filter(Boolean).length);
      if (lang === 'zh-CN') expect(await untranslated(page)).toEqual([]);
      // A test secret is still a secret: the committed picture hides it.
      await screenshot(page, 'account-totp', lang, [qr, page.locator('a[href^="otpauth://"]'), page.locator('code')]);
      expect(violations).toEqual([]);
      await context.close();
    }, 120_000);
  }
});

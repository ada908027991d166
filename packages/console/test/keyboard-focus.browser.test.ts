/**
 * A person with a keyboard (or a screen reader) is never left at the top of the document after an
 * action, and is told where the error guide sends them. In headless Chromium against a real
 * gateway: a new key's secret takes focus when it appears and Done gives it back to the form; a
 * key revoked through its dialog and a quota request sent each remove what had focus, and focus
 * stays in the page (the section's heading); every member's
 * navigation links the public status page, and the lookup of a request that failed on the
 * platform's side (server, upstream, overload) links it where the guide says "check the status
 * page". Skips, saying why, only when Chromium is not installed.
 */
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, openContext, settled, signIn, text, useConsoleFixture } from './support/browser.js';

/** What has keyboard focus: its tag, name or test id, and text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return 'BODY';
    return `${e.tagName} ${e.getAttribute('name') ?? e.getAttribute('data-testid') ?? ''} ${(e.textContent ?? '').trim().slice(0, 80)}`.trim();
  });

/** Tabs until the focused element's description matches `re` (at most 40 presses). */
async function tabTo(page: Page, re: RegExp): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (re.test(await focused(page))) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`no element matching ${re} within 40 tabs; at ${await focused(page)}`);
}

describe.skipIf(!hasChromium)('keyboard focus and the way to the status page', () => {
  const f = useConsoleFixture();

  it('a new secret takes focus, Done gives it back; a revoked key leaves focus in the page', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.goto(`${f.g.url}/api-keys`);
    await settled(page);
    await tabTo(page, /^INPUT name/);
    await page.keyboard.type('by keyboard');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=new-key-secret]');
    await expect.poll(() => focused(page)).toBe('INPUT new-key-secret');
    const secret = await page.locator('[data-testid=new-key-secret]').inputValue();
    await expect(page.evaluate(() => window.getSelection()?.toString() || (document.activeElement as HTMLInputElement).value.slice((document.activeElement as HTMLInputElement).selectionStart ?? 0, (document.activeElement as HTMLInputElement).selectionEnd ?? 0))).resolves.toBe(secret);
    await tabTo(page, new RegExp(`^BUTTON\\s+${text('en', 'keys.secretDone')}$`));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-testid=new-key-secret]').count()).toBe(0);
    await expect(focused(page)).resolves.toMatch(/^INPUT name/);

    const row = page.locator('tr', { hasText: 'by keyboard' });
    await row.getByRole('button').focus();
    await page.keyboard.press('Enter');
    await tabTo(page, new RegExp(`^BUTTON\\s+${text('en', 'keys.revokeSubmit')}$`));
    await page.keyboard.press('Enter');
    await expect.poll(() => row.count()).toBe(0);
    await expect.poll(() => focused(page)).not.toBe('BODY');
    await expect(page.evaluate(() => document.querySelector('main')!.contains(document.activeElement))).resolves.toBe(true);
    await context.close();
  });

  it('a quota request sent leaves focus on its section', async () => {
    expect((await f.g.admin('PUT', `/admin/v1/organizations/${f.g.orgId}/billing`, { hard_limit_usd: 10 })).status).toBe(200);
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.goto(`${f.g.url}/limits`);
    await settled(page);
    await page.locator('input[name=hard_limit_usd]').fill('25');
    await page.locator('textarea[name=reason]').fill('a launch');
    await page.locator('textarea[name=reason]').focus();
    await tabTo(page, new RegExp(`^BUTTON\\s+${text('en', 'limits.quotaSubmit')}$`));
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=quota-unavailable]');
    await expect.poll(() => focused(page)).toBe(`H2  ${text('en', 'limits.quotaTitle')}`);
    // Shift+Tab goes back from the section, not from the end of the page.
    await page.keyboard.press('Shift+Tab');
    await expect(page.evaluate(() => document.querySelector('main')!.contains(document.activeElement) && document.activeElement!.compareDocumentPosition(document.querySelector('#quota-title')!) & Node.DOCUMENT_POSITION_FOLLOWING)).resolves.toBeTruthy();
    await context.close();
  });

  it("every member's navigation links the status page; a request that failed on the platform's side links it too", async () => {
    const client = new OpenAI({ apiKey: f.g.apiKey, baseURL: f.g.baseURL, maxRetries: 0 });
    const failed = await client.chat.completions
      .create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }, { headers: { 'x-tollgate-fault': 'server_error' } })
      .then(() => undefined, (e: InstanceType<typeof OpenAI.APIError>) => e);
    expect(failed?.status).toBe(500);
    const limited = await client.chat.completions
      .create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }, { headers: { 'x-tollgate-fault': 'rate_limit_tokens' } })
      .then(() => undefined, (e: InstanceType<typeof OpenAI.APIError>) => e);
    expect(limited?.status).toBe(429);

    for (const lang of ['en', 'zh-CN'] as const) {
      const { context, page } = await openContext(f.browser, lang);
      await signIn(page, f.g.url, f.owner.email, f.owner.password);
      const link = page.locator('nav.sidenav').getByRole('link', { name: text(lang, 'nav.serviceStatus'), exact: true });
      await expect(link.getAttribute('href')).resolves.toBe('/status');

      await page.goto(`${f.g.url}/requests/${failed!.requestID}`);
      await page.waitForSelector('.error-box');
      const statusLink = page.locator('.error-box').getByRole('link', { name: text(lang, 'requests.checkStatus') });
      await expect(statusLink.getAttribute('href')).resolves.toBe('/status');
      // A limit the caller reached is not the platform's failure: no status page there.
      await page.goto(`${f.g.url}/requests/${limited!.requestID}`);
      await page.waitForSelector('.error-box');
      // (Its catalog entry links to the error reference; nothing links to the status page.)
      await expect(page.locator('.error-box a[href="/status"]').count()).resolves.toBe(0);
      await expect(page.locator('.error-box').getByRole('link', { name: text(lang, 'requests.checkStatus') }).count()).resolves.toBe(0);

      await link.click();
      await page.waitForURL(`${f.g.url}/status`);
      await expect(page.locator('h1').first().innerText()).resolves.toBeTruthy();
      await context.close();
    }
  });
});

describe.skipIf(!hasChromium)('an error of the catalog in Chinese', () => {
  const f = useConsoleFixture();

  it('says a sign-in refused for too many attempts by the catalog\'s Chinese title and fix, the message after it marked English', async () => {
    const { context, page } = await openContext(f.browser, 'zh-CN');
    await page.goto(`${f.g.url}/login`);
    const email = `nobody-${Date.now()}@example.com`;
    for (let i = 0; i < 6; i++) {
      await page.fill('input[name=email]', email);
      await page.fill('input[name=password]', `not the password ${i}`);
      await page.press('input[name=password]', 'Enter');
      await expect.poll(() => page.locator('[role=alert]').count()).toBe(1);
    }
    const alert = page.locator('[role=alert]');
    await expect.poll(() => alert.innerText()).toContain('登录尝试次数过多');
    await expect(alert.innerText()).resolves.toContain('等待消息中给出的时间');
    await expect(alert.locator('span[lang=en]').innerText()).resolves.toMatch(/^Too many sign-in attempts\. Please try again in /);
    await expect(alert.locator('code').innerText()).resolves.toBe('too_many_login_attempts');
    await context.close();
  });
});

describe.skipIf(!hasChromium)('keyboard focus on a refused form', () => {
  const f = useConsoleFixture({ operator: true });

  it('a button pressed by keyboard keeps focus through its busy state, and the refusal is said in the form\'s words', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.goto(`${f.g.url}/operator/organizations`);
    await settled(page);
    await page.locator('input[name=name]').fill('No owner name');
    await page.locator('input[name=owner_email]').fill(`new-${Date.now()}@example.com`);
    await page.locator('input[name=owner_name]').focus();
    await tabTo(page, new RegExp(`^BUTTON\\s+${text('en', 'orgs.createSubmit')}$`));
    await page.keyboard.press('Enter');
    const section = page.getByRole('region', { name: text('en', 'orgs.create') });
    await expect.poll(() => section.locator('[role=alert]').count()).toBe(1);
    await expect(section.locator('[role=alert]').innerText()).resolves.toContain(text('en', 'orgs.ownerNameNeeded'));
    await expect.poll(() => focused(page)).toBe(`BUTTON  ${text('en', 'orgs.createSubmit')}`);
    await context.close();
  });
});

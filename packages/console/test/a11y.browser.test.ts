/**
 * Accessibility of every console page in both languages, checked with axe-core in headless
 * Chromium against a real gateway: the public pages (sign-in, with its error; setup; an invite),
 * every page in the navigation of an owner who is also the operator (so the operator's pages are
 * in it), a project's details, a key shown once and the dialog that asks before revoking it, a
 * looked-up failed request, a pending quota request and the dialog that decides it, the not-found page, and a reader's view with the
 * refusal at an owner's page. No violation that axe rates serious or critical may be left. Skips,
 * saying why, only when Chromium is not installed.
 */
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { rejection } from '../../gateway/test/support/rejection.js';
import { seriousViolations, type AxeFinding } from './support/axe.js';
import { hasChromium, openContext, screenshot, settled, signIn, text, useConsoleFixture, type Lang } from './support/browser.js';

describe.skipIf(!hasChromium)('accessibility of every console page (axe-core)', () => {
  const f = useConsoleFixture({ operator: true });
  let inviteToken: string;
  let failedRequestId: string;
  const readerLogin = { email: `a11y-reader-${Date.now()}@example.com`, password: 'a-reader-password-long-enough' };

  it('has something on every page to check: a success, a failed request, an invite, a reader', async () => {
    const client = new OpenAI({ apiKey: f.g.apiKey, baseURL: f.g.baseURL, maxRetries: 0 });
    await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    const e = await rejection<InstanceType<typeof OpenAI.APIError>>(
      client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }, { headers: { 'x-tollgate-fault': 'rate_limit_requests' } }),
    );
    failedRequestId = e.requestID!;
    // A hard limit for the Limits page to show and a quota request to raise.
    expect((await f.g.admin('PUT', `/admin/v1/organizations/${f.g.orgId}/billing`, { hard_limit_usd: 10 })).status).toBe(200);
    expect(failedRequestId).toBeTruthy();
    const adminKey = await f.g.admin('POST', `/admin/v1/organizations/${f.g.orgId}/admin_api_keys`, { name: 'a11y invites' });
    const invite = await fetch(`${f.g.baseURL}/organization/invites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey.body.value}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `a11y-${Date.now()}@example.com`, role: 'reader' }),
    });
    expect(invite.status).toBe(200);
    inviteToken = ((await invite.json()) as { token: string }).token;
    const reader = await f.g.admin('POST', '/admin/v1/users', { email: readerLogin.email, name: 'Reader' });
    expect((await f.g.admin('POST', `/admin/v1/organizations/${f.g.orgId}/members`, { user_id: reader.body.id, role: 'reader' })).status).toBe(200);
    expect((await f.g.admin('POST', `/admin/v1/users/${reader.body.id}/password`, { password: readerLogin.password })).status).toBe(200);
  }, 60_000);

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`finds no serious or critical violation on any page in ${lang}`, async () => {
      const found = await checkEveryPage(lang);
      expect(found, JSON.stringify(found, null, 2)).toEqual({});
    }, 300_000);
  }

  async function checkEveryPage(lang: Lang): Promise<Record<string, AxeFinding[]>> {
    const found: Record<string, AxeFinding[]> = {};
    const { context, page } = await openContext(f.browser, lang, 1200, { bypassCSP: true });
    const check = async (name: string, p: Page = page) => {
      await settled(p);
      const v = await seriousViolations(p);
      if (v.length > 0) found[name] = v;
    };

    await page.goto(`${f.g.url}/login`);
    await check('login');
    await page.fill('input[name=email]', f.owner.email);
    await page.fill('input[name=password]', 'not-the-password-at-all');
    await page.click('button[type=submit]');
    await page.waitForSelector('[role=alert]');
    await check('login (wrong password)');
    await page.goto(`${f.g.url}/setup`);
    await check('setup (no link)');
    await page.goto(`${f.g.url}/invite#token=${inviteToken}`);
    await page.waitForSelector('input[name=password]');
    await check('invite');
    // The other language's pictures of these pages are written by the tests that act on them.
    if (lang === 'zh-CN') await screenshot(page, 'invite', lang);

    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    const links = await page.locator('nav.sidenav a:not([data-leaves-console])').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(links).toContain('/operator/quota-requests');
    // An owner who is also the operator: the operator's pages are listed apart, under their heading
    // (two "Audit log" links otherwise read as one page twice).
    const operatorList = page.getByRole('list', { name: text(lang, 'nav.operator') });
    const operatorLinks = await operatorList.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(operatorLinks).toEqual(links.filter((h) => h.startsWith('/operator/')));
    expect(operatorLinks).toContain('/operator/audit-log');
    for (const href of links) {
      await page.click(`nav.sidenav a[href="${href}"]`);
      await page.waitForURL((u) => u.pathname === href);
      await check(href);
    }

    // States that only appear after an action.
    await page.click('nav.sidenav a[href="/projects"]');
    await settled(page);
    await page.locator('table a').first().click();
    await page.waitForSelector('#rl-title');
    await check('/projects/<id>');
    if (lang === 'zh-CN') await screenshot(page, 'projects-rate-limits', lang);

    await page.click('nav.sidenav a[href="/api-keys"]');
    await settled(page);
    await page.fill('#create-key ~ form input[name=name]', `a11y key ${lang}`);
    await page.click(`button:text-is("${text(lang, 'keys.createSubmit')}")`);
    await page.getByTestId('new-key-secret').waitFor();
    await check('/api-keys (secret shown once)');
    // The English one comes from the test that uses the key; the secret is masked in both.
    if (lang === 'zh-CN') await screenshot(page, 'api-keys-created', lang, [page.getByTestId('new-key-secret')]);
    // Revoking is asked first, in a dialog in the page.
    await page.getByRole('button', { name: text(lang, 'keys.revokeNamed', { name: `a11y key ${lang}` }) }).click();
    await page.getByRole('alertdialog').waitFor();
    await check('/api-keys (the revoke dialog)');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog', { state: 'detached' });

    await page.click('nav.sidenav a[href="/requests"]');
    await settled(page);
    await page.fill('input[name=request_id]', failedRequestId);
    await page.click(`button:text-is("${text(lang, 'requests.lookUp')}")`);
    await page.waitForSelector('.error-box');
    await check('/requests (a failed request)');
    if (lang === 'zh-CN') await screenshot(page, 'request-lookup', lang);

    await page.click('nav.sidenav a[href="/limits"]');
    await settled(page);
    // One pending request per organization: the first language's run makes it.
    if ((await page.locator('tr[data-status=pending]').count()) === 0) {
      await page.fill('input[name=hard_limit_usd]', '500');
      await page.fill('textarea[name=reason]', `a11y check ${lang}`);
      await page.click(`button:text-is("${text(lang, 'limits.quotaSubmit')}")`);
      await page.waitForSelector('tr[data-status=pending]');
    }
    await check('/limits (a pending quota request)');
    await page.click('nav.sidenav a[href="/operator/quota-requests"]');
    await page.waitForSelector('tr[data-status=pending]');
    await check('/operator/quota-requests (a pending request)');
    // The decision's note is written in a dialog in the page.
    await page.locator('tr[data-status=pending] button').first().click();
    await page.waitForSelector('dialog[open]');
    await check('/operator/quota-requests (the approval dialog)');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog', { state: 'detached' });

    await page.goto(`${f.g.url}/no-such-page`);
    await check('not found');
    await context.close();

    // A reader's view: fewer pages, and the refusal at an owner's page.
    const reader = await openContext(f.browser, lang, 1200, { bypassCSP: true });
    await signIn(reader.page, f.g.url, readerLogin.email, readerLogin.password);
    await check('/api-keys (a reader)', reader.page);
    await reader.page.goto(`${f.g.url}/limits`);
    await reader.page.waitForSelector('main [role=alert]');
    await check('/limits (a reader, refused)', reader.page);
    await reader.context.close();
    return found;
  }
});

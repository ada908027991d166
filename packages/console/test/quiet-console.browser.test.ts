/**
 * A console used normally logs nothing in the browser's console, in headless Chromium against a
 * real gateway: every page of the navigation (an owner who is also the operator sees them all),
 * a project's and an organization's detail, and the Requests page on a request whose key has since
 * been revoked and on an id that names no request, in the states a new organization is in (no
 * spend limit on the organization or on any project). What devtools would show as red: a console
 * error (a failed request is logged as one), an uncaught exception, an answer of 400 or more, a
 * request that failed. A read whose "none" is an answer asks so (`?optional=true`, 204 for none)
 * rather than taking a 404. Skips, saying why, only when Chromium is not installed.
 */
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, openContext, settled, signIn, text, useConsoleFixture } from './support/browser.js';

describe.skipIf(!hasChromium)('the console logs no error in the browser console when used normally', () => {
  const f = useConsoleFixture({ operator: true });

  /** Everything devtools would show in red while `page` is open. */
  function redLines(page: Page): string[] {
    const red: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') red.push(`console: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => red.push(`exception: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) red.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => red.push(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
    return red;
  }

  it('visits every page, the details, a revoked key\'s request and an unknown request id, with nothing in red', async () => {
    // A request made with a key that is revoked afterwards: its lookup reads a key the project no longer has.
    const made = await f.g.admin('POST', '/admin/v1/keys', { organization_id: f.g.orgId, user_id: f.g.userId, name: 'since-revoked' });
    expect(made.status).toBe(200);
    const sent = await new OpenAI({ apiKey: made.body.key, baseURL: f.g.baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }).withResponse();
    const requestId = sent.response.headers.get('x-request-id')!;
    expect((await f.g.admin('POST', `/admin/v1/keys/${made.body.id}/revoke`)).status).toBe(200);
    await f.g.gateway.services.ledger.flush();
    const unknownId = `req_${'0'.repeat(32)}`;

    const { context, page } = await openContext(f.browser, 'en');
    const red = redLines(page);
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await settled(page);
    const links = await page.locator('nav.sidenav a:not([data-leaves-console])').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    // The member's pages, the owner's and the operator's.
    expect(links).toEqual(expect.arrayContaining(['/api-keys', '/projects', '/limits', '/usage', '/requests', '/operator/organizations', '/operator/status']));
    for (const href of links) {
      await page.click(`nav.sidenav a[href="${href}"]`);
      await settled(page);
      expect(await page.locator('[role=alert]').count(), `${href} shows an error`).toBe(0);
    }

    // Limits: no spend limit on the organization, said so.
    await page.click('nav.sidenav a[href="/limits"]');
    await settled(page);
    await page.getByText(text('en', 'spend.none')).first().waitFor();

    // A project's detail (the Default project: no spend limit of its own either).
    await page.click('nav.sidenav a[href="/projects"]');
    await settled(page);
    await page.getByRole('link', { name: 'Default project' }).click();
    await page.getByText(text('en', 'spend.none')).first().waitFor();
    await settled(page);

    // An organization's detail, as the operator sees it.
    await page.goto(`${f.g.url}/operator/organizations/${f.g.orgId}`);
    await settled(page);

    // The request whose key was revoked: shown, the key said revoked.
    await page.goto(`${f.g.url}/requests/${requestId}`);
    await page.waitForSelector('p.ok');
    await page.getByText(text('en', 'requests.keyRevoked')).waitFor();
    expect(await page.getByText(text('en', 'requests.namesFailed')).count()).toBe(0);

    // An id no request has: the page says so.
    await page.goto(`${f.g.url}/requests/${unknownId}`);
    await expect(page.locator('[role=alert]').innerText()).resolves.toBe(text('en', 'requests.notFound', { id: unknownId }));

    expect(red).toEqual([]);
    await context.close();
  }, 180_000);
});

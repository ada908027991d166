/**
 * Pages that grow with the organization stay quick and reach everything, in headless Chromium
 * against a real gateway: the API keys page of an organization with 30 projects and more than a
 * hundred keys makes a fixed handful of requests (no request per project) and its Next button
 * reaches the keys past the first hundred; the operator's audit log reaches an organization past
 * the first hundred. Skips, saying why, only when Chromium is not installed.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, openContext, settled, signIn, text, useConsoleFixture } from './support/browser.js';

/** The API requests (not the app's files) the page sends from now on, as `METHOD path?query`. */
function apiRequests(page: Page, base: string): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!r.url().startsWith(base) || !/^\/(v1|console\/api|admin\/v1)\//.test(url.pathname)) return;
    seen.push(`${r.method()} ${url.pathname}${url.search}`);
  });
  return seen;
}

describe.skipIf(!hasChromium)('pages that grow with the organization', () => {
  const f = useConsoleFixture({ operator: true });

  it('the API keys page: a fixed number of requests with 30 projects, and Next reaches the keys past the first hundred', async () => {
    const store = f.g.gateway.services.store;
    const projects = [];
    for (let i = 0; i < 30; i++) projects.push(await store.projects.create(f.g.orgId, { name: `team ${String(i).padStart(2, '0')}` }));
    const keyIds: string[] = [];
    for (let i = 0; i < 105; i++) {
      const made = await f.g.admin('POST', '/admin/v1/keys', { organization_id: f.g.orgId, user_id: f.g.userId, name: `key ${String(i).padStart(3, '0')}`, project_id: projects[i % 30]!.id });
      expect(made.status).toBe(200);
      keyIds.push(made.body.id);
    }
    const oldest = keyIds[0]!;
    const newest = keyIds.at(-1)!;

    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    const sent = apiRequests(page, f.g.url);
    await page.goto(`${f.g.url}/api-keys`);
    await page.waitForSelector(`tr[data-key-id="${newest}"]`);
    await settled(page);
    // The app's own requests (session, configuration) and the page's two: the projects a key may
    // go in and one page of keys. None per project.
    expect(sent.filter((r) => /\/projects\/[^/]+\/api_keys/.test(r))).toEqual([]);
    expect(sent).toContain('GET /console/api/api_keys?limit=100');
    expect(sent.length, sent.join('\n')).toBeLessThanOrEqual(5);
    await expect(page.locator('tr[data-key-id]').count()).resolves.toBe(100);
    await expect(page.locator(`tr[data-key-id="${oldest}"]`).count()).resolves.toBe(0);
    // Every project is offered for a new key.
    await expect(page.getByLabel(text('en', 'keys.project')).locator('option').count()).resolves.toBe(31);

    // The second page: the oldest keys, one more request.
    const before = sent.length;
    const pager = page.getByRole('navigation', { name: text('en', 'keys.listTitle'), exact: true });
    await pager.getByRole('button', { name: text('en', 'pager.next') }).click();
    const row = page.locator(`tr[data-key-id="${oldest}"]`);
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain('team 00');
    await expect(page.locator(`tr[data-key-id="${newest}"]`).count()).resolves.toBe(0);
    expect(sent.slice(before)).toEqual([expect.stringMatching(/^GET \/console\/api\/api_keys\?limit=100&after=key_\w+$/)]);
    await expect(pager.getByRole('button', { name: text('en', 'pager.next') }).isDisabled()).resolves.toBe(true);
    // Back to the newest.
    await pager.getByRole('button', { name: text('en', 'pager.previous') }).click();
    await page.waitForSelector(`tr[data-key-id="${newest}"]`);
    await context.close();
  }, 180_000);

  it("the operator's audit log reaches an organization past the first hundred", async () => {
    const names: { id: string; name: string }[] = [];
    for (let i = 0; i < 101; i++) {
      const made = await f.g.admin('POST', '/admin/v1/organizations', { name: `org ${String(i).padStart(3, '0')}` });
      expect(made.status).toBe(200);
      names.push({ id: made.body.id, name: made.body.name });
    }
    const last = names.at(-1)!;

    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.goto(`${f.g.url}/operator/audit-log`);
    await settled(page);
    const picker = page.getByLabel(text('en', 'common.organization'), { exact: true });
    const ids = () => picker.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    await expect.poll(async () => (await ids()).length).toBe(100);
    expect(await ids()).not.toContain(last.id);

    const pager = page.getByRole('navigation', { name: text('en', 'audit.orgPages'), exact: true });
    await pager.getByRole('button', { name: text('en', 'pager.next') }).click();
    await expect.poll(ids).toContain(last.id);
    await picker.selectOption(last.id);
    await page.waitForSelector('tr[data-type="organization.created"]');
    expect(new URL(page.url()).searchParams.get('org')).toBe(last.id);
    await context.close();
  }, 180_000);
});

/**
 * Pages that grow with the organization stay quick and reach everything, in headless Chromium
 * against a real gateway: the API keys page of an organization with 30 projects and more than a
 * hundred keys makes a fixed handful of requests (no request per project) and its Next button
 * reaches the keys past the first hundred; the Usage page names keys and service accounts of 30
 * projects (an archived one's too) from one paged list each, with no request per project; the
 * operator's audit log reaches an organization past the first hundred. Skips, saying why, only
 * when Chromium is not installed.
 */
import OpenAI from 'openai';
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

  it('the Usage page: keys and service accounts of 30 projects named from one paged list each, none read per project', async () => {
    const admin = await f.g.admin('POST', `/admin/v1/organizations/${f.g.orgId}/admin_api_keys`, { name: 'usage names' });
    const org = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${f.g.baseURL}/organization${path}`, { method, headers: { authorization: `Bearer ${admin.body.value}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect(r.status, `${method} ${path}`).toBe(200);
      return r.json() as Promise<any>;
    };
    const projects: { id: string }[] = [];
    for (let i = 0; i < 30; i++) projects.push(await org('POST', '/projects', { name: `usage ${String(i).padStart(2, '0')}` }));
    // A key and a service account in every project; the newest project's key and account, and the
    // first project's key (its project then archived: its usage stays), make requests.
    const keys: { id: string; key: string }[] = [];
    const accounts: { id: string; name: string; api_key: { id: string; name: string; value: string } }[] = [];
    for (const [i, p] of projects.entries()) {
      const made = await f.g.admin('POST', '/admin/v1/keys', { organization_id: f.g.orgId, user_id: f.g.userId, name: `usage key ${String(i).padStart(2, '0')}`, project_id: p.id });
      expect(made.status).toBe(200);
      keys.push(made.body);
      accounts.push(await org('POST', `/projects/${p.id}/service_accounts`, { name: `bot ${String(i).padStart(2, '0')}` }));
    }
    const chat = (apiKey: string) => new OpenAI({ apiKey, baseURL: f.g.baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    for (const secret of [keys[29]!.key, keys[0]!.key, accounts[29]!.api_key.value]) await chat(secret);
    await f.g.gateway.services.ledger.flush();
    await org('POST', `/projects/${projects[0]!.id}/archive`);

    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await settled(page);
    const sent = apiRequests(page, f.g.url);
    await page.click(`nav >> text="${text('en', 'nav.usage')}"`);
    await page.waitForSelector('td[data-value]');
    await page.getByLabel(text('en', 'usage.metric')).selectOption('requests');
    const name = (id: string) => page.locator(`tr[data-group="${id}"] td`).first().locator('[data-name]');
    await page.getByLabel(text('en', 'usage.groupBy')).selectOption('api_key_id');
    await expect(name(keys[29]!.id).innerText()).resolves.toBe('usage key 29');
    await expect(name(keys[0]!.id).innerText()).resolves.toBe('usage key 00');
    await expect(name(accounts[29]!.api_key.id).innerText()).resolves.toBe(accounts[29]!.api_key.name);
    await page.getByLabel(text('en', 'usage.groupBy')).selectOption('user_id');
    await expect(name(accounts[29]!.id).innerText()).resolves.toBe('bot 29');
    await expect(name(f.g.userId).count()).resolves.toBe(1);
    await settled(page);

    // The organization's keys (more than a hundred with the other test's: two pages) and its
    // service accounts (one page) in one paged list each; nothing per project or per object.
    const of = (re: RegExp) => sent.filter((r) => re.test(r));
    expect(of(/\/projects\/[^/?]+\/(api_keys|service_accounts)/), sent.join('\n')).toEqual([]);
    expect(of(/^GET \/console\/api\/api_keys\?/)).toEqual([
      'GET /console/api/api_keys?owner_project_access=any&include_archived=true&limit=100',
      expect.stringMatching(/^GET \/console\/api\/api_keys\?owner_project_access=any&include_archived=true&limit=100&after=key_\w+$/),
    ]);
    expect(of(/^GET \/console\/api\/service_accounts\?/)).toEqual(['GET /console/api/service_accounts?include_archived=true&limit=100']);
    expect(of(/\/(users|api_keys|service_accounts|projects)\/[^/?]+$/)).toEqual([]);
    // Besides the reports (one per kind of usage and grouping), those lists and the members: four
    // requests, however many projects.
    expect(sent.filter((r) => !/^GET \/v1\/organization\/(usage\/\w+|costs)\?/.test(r)), sent.join('\n')).toHaveLength(4);
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

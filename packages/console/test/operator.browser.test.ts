/**
 * The operator's pages end to end in headless Chromium against a real gateway: the operator
 * creates an organization with its first owner and tier and sees it listed with its tier and this
 * month's spend (equal to the billing API's), changes its tier and hard limit, sets the owner's
 * password; sees a failing
 * upstream's circuit breaker open on the Models page; opens an incident, posts an update, resolves
 * it and finds it so on the public status page; schedules maintenance; filters the organization's
 * audit log down to its creation. The new owner reads the same log on the owner's page. Every
 * operator page is rendered in both languages (Chinese with no English left) and at phone width,
 * with screenshots. Skips, saying why, only when Chromium is not installed.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../gateway/test/support/gateway.js';
import { hasChromium, launch, openContext, screenshot, signIn, text, untranslated, type Lang } from './support/browser.js';

const OWNER_EMAIL = 'ada@acme.example';
const INCIDENT = 'Errors on down-upstream';
const OWNER_PASSWORD = 'owner-password-long-enough';

describe.skipIf(!hasChromium)('the operator pages in headless Chromium', () => {
  let g: TestGateway;
  let browser: Browser;
  const operator = { email: `operator-${Date.now()}@example.com`, password: 'operator-password-long-enough' };

  beforeAll(async () => {
    g = await startTestGateway({
      models: [
        // Priced high enough that one short request shows as cents of spend.
        { name: 'sim-small', pricing: { input_per_1m: 10_000, output_per_1m: 10_000 } },
        // Nothing listens on port 9: every call fails to connect, and one failure opens the breaker.
        { name: 'down-upstream', provider: 'openai-compatible', deployments: [{ name: 'down-a', base_url: 'http://127.0.0.1:9/v1', timeouts: { connect_ms: 2000 } }], breaker: { consecutive_failures: 1, open_ms: 600_000 } },
      ],
    });
    const user = await g.admin('POST', '/admin/v1/users', { email: operator.email, name: 'Olga Petrova' });
    expect((await g.admin('POST', `/admin/v1/users/${user.body.id}/password`, { password: operator.password, operator: true })).status).toBeLessThan(300);
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  const nav = (page: Page, lang: Lang, key: Parameters<typeof text>[1]) => page.click(`nav.sidenav >> text="${text(lang, key)}"`);
  let orgId = '';

  it('creates an organization with its owner and tier, and lists it with its tier and spend', async () => {
    const { context, page } = await openContext(browser, 'en');
    await signIn(page, g.url, operator.email, operator.password);
    // An operator without an organization lands on the organizations.
    await page.waitForSelector(`h1:text-is("${text('en', 'orgs.title')}")`);
    await page.getByLabel(text('en', 'orgs.name')).fill('Acme Research');
    await page.getByLabel(text('en', 'limits.tier')).selectOption('tier-1');
    await page.getByLabel(text('en', 'orgs.ownerEmail')).fill(OWNER_EMAIL);
    await page.getByLabel(text('en', 'orgs.ownerName')).fill('Ada Owner');
    await page.click(`button:text-is("${text('en', 'orgs.createSubmit')}")`);
    await expect(page.locator('.notice').innerText()).resolves.toBe(text('en', 'orgs.created', { name: 'Acme Research', email: OWNER_EMAIL }));

    const orgs = (await g.admin('GET', '/admin/v1/organizations?limit=100')).body.data as { id: string; name: string }[];
    orgId = orgs.find((o) => o.name === 'Acme Research')!.id;
    const members = (await g.admin('GET', `/admin/v1/organizations/${orgId}/members`)).body.data;
    expect(members.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([[OWNER_EMAIL, 'owner']]);

    // The owner's key spends a little: the list shows the same amount as the billing API.
    const key = await g.admin('POST', '/admin/v1/keys', { organization_id: orgId, user_id: members[0].id, name: 'acme' });
    const chat = await fetch(`${g.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.body.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'Say hello to the operator.' }] }),
    });
    expect(chat.status).toBe(200);
    const spent = (await g.admin('GET', `/admin/v1/organizations/${orgId}/billing`)).body.spent_usd as number;
    expect(spent).toBeGreaterThan(0.01);
    await page.reload();
    const row = page.locator(`tr[data-org-id="${orgId}"]`);
    await expect(row.locator('[data-field=tier]').innerText()).resolves.toBe('tier-1');
    await expect(row.locator('[data-field=spent]').innerText()).resolves.toBe(new Intl.NumberFormat('en', { style: 'currency', currency: 'USD' }).format(spent));
    await expect(row.locator('[data-field=hard-limit]').innerText()).resolves.toBe(text('en', 'spend.none'));

    // The chosen organization: a new tier and hard limit, seen in the list and through the API.
    await row.getByRole('link', { name: 'Acme Research' }).click();
    await page.getByRole('form', { name: text('en', 'orgs.changeTier') }).getByLabel(text('en', 'limits.tier')).selectOption('tier-2');
    await page.click(`button:text-is("${text('en', 'orgs.saveTier')}")`);
    await expect.poll(() => row.locator('[data-field=tier]').innerText()).toBe('tier-2');
    await page.getByLabel(text('en', 'orgs.hardLimitUsd')).fill('100');
    await page.click(`button:text-is("${text('en', 'orgs.saveLimits')}")`);
    await expect.poll(() => row.locator('[data-field=hard-limit]').innerText()).toBe('$100.00');
    expect((await g.admin('GET', `/admin/v1/organizations/${orgId}`)).body.tier).toBe('tier-2');
    expect((await g.admin('GET', `/admin/v1/organizations/${orgId}/billing`)).body.hard_limit_usd).toBe(100);

    // A hard limit finer than a cent (the admin API keeps one) does not stop the form saving the soft limit.
    expect((await g.admin('PUT', `/admin/v1/organizations/${orgId}/billing`, { hard_limit_usd: 0.0101 })).status).toBe(200);
    await page.reload();
    await expect(page.getByLabel(text('en', 'orgs.hardLimitUsd')).inputValue()).resolves.toBe('0.0101');
    await page.getByLabel(text('en', 'orgs.softLimitUsd')).fill('0.01');
    await page.click(`button:text-is("${text('en', 'orgs.saveLimits')}")`);
    await expect.poll(async () => (await g.admin('GET', `/admin/v1/organizations/${orgId}/billing`)).body.soft_limit_usd).toBe(0.01);
    expect((await g.admin('GET', `/admin/v1/organizations/${orgId}/billing`)).body.hard_limit_usd).toBe(0.0101);
    expect((await g.admin('PUT', `/admin/v1/organizations/${orgId}/billing`, { hard_limit_usd: 100, soft_limit_usd: null })).status).toBe(200);

    // The first owner gets a password from the operator, to sign in with (the last test does).
    await page.getByRole('button', { name: text('en', 'orgs.setPasswordOf', { email: OWNER_EMAIL }) }).click();
    const pw = page.getByRole('form', { name: text('en', 'orgs.setPasswordOf', { email: OWNER_EMAIL }) });
    await pw.getByLabel(text('en', 'password.new')).fill(OWNER_PASSWORD);
    await pw.getByLabel(text('en', 'password.repeat')).fill(OWNER_PASSWORD);
    await pw.getByRole('button', { name: text('en', 'orgs.setPassword') }).click();
    await expect(page.locator('.notice').innerText()).resolves.toBe(text('en', 'orgs.passwordSet', { email: OWNER_EMAIL }));
    await context.close();
  }, 120_000);

  it("shows a failing upstream's circuit breaker open on the Models page", async () => {
    const chat = await fetch(`${g.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'down-upstream', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).toBeGreaterThanOrEqual(500);
    const { context, page } = await openContext(browser, 'en');
    await signIn(page, g.url, operator.email, operator.password);
    await nav(page, 'en', 'nav.models');
    const down = page.locator('li[data-deployment="down-a"]');
    await expect(down.getAttribute('data-breaker')).resolves.toBe('open');
    await expect(down.innerText()).resolves.toContain(text('en', 'breaker.open'));
    await expect(page.locator('tr[data-model="sim-small"]').innerText()).resolves.toContain(text('en', 'models.noDeployments'));
    await context.close();
  }, 120_000);

  it('opens, updates and resolves an incident that the public status page shows; schedules maintenance', async () => {
    const { context, page } = await openContext(browser, 'en');
    await signIn(page, g.url, operator.email, operator.password);
    await nav(page, 'en', 'nav.statusPage');
    const form = page.locator('section[aria-labelledby=incident-new] form');
    await form.getByLabel(text('en', 'statusAdmin.title')).fill(INCIDENT);
    await form.getByLabel(text('en', 'statusAdmin.componentStatus')).selectOption('major_outage');
    await form.getByRole('checkbox', { name: 'down-upstream' }).check();
    await form.getByLabel(text('en', 'statusAdmin.message')).fill('Calls to down-upstream fail; we are looking into it.');
    await form.getByRole('button', { name: text('en', 'statusAdmin.open') }).click();
    const item = page.locator('li[data-incident-id]', { hasText: INCIDENT });
    await expect.poll(() => item.getAttribute('data-status')).toBe('investigating');
    const unresolved = await (await fetch(`${g.url}/api/v2/incidents/unresolved.json`)).json();
    expect(unresolved.incidents.map((i: { name: string }) => i.name)).toEqual([INCIDENT]);
    expect(unresolved.incidents[0].components.map((c: { name: string }) => c.name)).toEqual(['down-upstream']);

    await item.getByLabel(text('en', 'statusAdmin.newStatus')).selectOption('identified');
    await item.getByLabel(text('en', 'statusAdmin.message')).fill('The upstream host is down; traffic is moving to another region.');
    await item.getByRole('button', { name: text('en', 'statusAdmin.postUpdate') }).click();
    await expect.poll(() => item.getAttribute('data-status')).toBe('identified');

    await item.getByRole('button', { name: text('en', 'statusAdmin.resolveNamed', { name: INCIDENT }) }).click();
    await expect.poll(() => item.getAttribute('data-status')).toBe('resolved');
    const all = await (await fetch(`${g.url}/api/v2/incidents.json`)).json();
    const mine = all.incidents.find((i: { name: string }) => i.name === INCIDENT);
    expect(mine.status).toBe('resolved');
    expect(mine.incident_updates.map((u: { status: string }) => u.status)).toEqual(['resolved', 'identified', 'investigating']);
    expect((await (await fetch(`${g.url}/api/v2/incidents/unresolved.json`)).json()).incidents).toEqual([]);
    const html = await (await fetch(`${g.url}/status`, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain(INCIDENT);

    // Maintenance tomorrow from 02:00 to 03:00, the viewer's time: "tomorrow" in the browser's
    // time zone, not this process's (they differ, and between 02:00 and 03:00 in the browser's
    // zone a date taken from this process's calendar was today's, already under way).
    const tomorrow = await page.evaluate(() => {
      const d = new Date(Date.now() + 86_400_000);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    const local = (h: number) => `${tomorrow}T${String(h).padStart(2, '0')}:00`;
    const m = page.locator('section[aria-labelledby=maintenance-new] form');
    await m.getByLabel(text('en', 'statusAdmin.title')).fill('Database upgrade');
    await m.getByLabel(text('en', 'statusAdmin.from')).fill(local(2));
    await m.getByLabel(text('en', 'statusAdmin.until')).fill(local(3));
    await m.getByRole('checkbox', { name: text('en', 'statusAdmin.component.api') }).check();
    await m.getByRole('button', { name: text('en', 'statusAdmin.schedule') }).click();
    await page.locator('li[data-incident-id][data-status=scheduled]', { hasText: 'Database upgrade' }).waitFor();
    const upcoming = await (await fetch(`${g.url}/api/v2/scheduled-maintenances/upcoming.json`)).json();
    expect(upcoming.scheduled_maintenances.map((x: { name: string }) => x.name)).toEqual(['Database upgrade']);
    await context.close();
  }, 120_000);

  it("filters an organization's audit log to its creation; its owner reads the same log", async () => {
    const { context, page } = await openContext(browser, 'en');
    await signIn(page, g.url, operator.email, operator.password);
    await page.goto(`${g.url}/operator/organizations/${orgId}`);
    await page.getByRole('link', { name: text('en', 'orgs.viewAudit') }).click();
    await page.waitForSelector('tr[data-type]');
    const types = async () => page.locator('tr[data-type]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    // Creation, first owner, key, tier and limit changes: all the operator's.
    expect(new Set(await types())).toEqual(new Set(['organization.created', 'user.added', 'api_key.created', 'organization.updated']));
    await page.getByLabel(text('en', 'audit.eventType')).selectOption('organization.created');
    await page.getByLabel(text('en', 'audit.actor')).fill(operator.email);
    await page.getByLabel(text('en', 'audit.from'), { exact: true }).fill(new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' }));
    await page.click(`button:text-is("${text('en', 'audit.apply')}")`);
    await expect.poll(types).toEqual(['organization.created']);
    const row = page.locator('tr[data-type="organization.created"]');
    await expect(row.innerText()).resolves.toContain(operator.email);
    await expect(row.innerText()).resolves.toContain('"tier":"tier-1"');
    // A date range before today finds nothing.
    await page.getByLabel(text('en', 'audit.from'), { exact: true }).fill('2020-01-01');
    await page.getByLabel(text('en', 'audit.to'), { exact: true }).fill('2020-01-02');
    await page.click(`button:text-is("${text('en', 'audit.apply')}")`);
    await page.waitForSelector(`text="${text('en', 'audit.none')}"`);
    await context.close();

    // The owner the operator made signs in and opens the owner's audit log.
    const owner = await openContext(browser, 'en');
    await signIn(owner.page, g.url, OWNER_EMAIL, OWNER_PASSWORD);
    await nav(owner.page, 'en', 'nav.auditLog');
    await owner.page.waitForSelector('tr[data-type="organization.created"]');
    await owner.context.close();
  }, 120_000);

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`renders every operator page in ${lang}${lang === 'zh-CN' ? ' with no English left' : ''}, and at phone width`, async () => {
      const { context, page } = await openContext(browser, lang);
      await signIn(page, g.url, operator.email, operator.password);
      const links = await page.locator('nav.sidenav a:not([data-leaves-console])').evaluateAll((as) => as.map((a) => [a.getAttribute('href')!, a.textContent!] as const));
      expect(links.map(([href]) => href)).toEqual(['/operator/organizations', '/operator/quota-requests', '/operator/models', '/operator/status', '/operator/audit-log', '/account']);
      for (const [href, label] of links) {
        await page.click(`nav.sidenav a[href="${href}"]`);
        await page.waitForSelector('h1');
        await page.waitForFunction(() => !document.querySelector('[role=status].muted'));
        if (href === '/operator/audit-log') {
          await page.getByLabel(text(lang, 'common.organization')).selectOption(orgId);
          await page.waitForSelector('tr[data-type]');
        }
        if (href === '/operator/organizations') await page.waitForSelector(`tr[data-org-id="${orgId}"]`);
        if (lang === 'zh-CN') expect(await untranslated(page), `${label} (${href})`).toEqual([]);
        else expect((await untranslated(page)).length, `${label} (${href})`).toBeGreaterThan(0);
        expect(await page.locator('[role=alert]').count(), `${href} shows an error`).toBe(0);
        // The account page is the members' test's picture, the quota requests' English one the quota test's (with a request).
        if (href.startsWith('/operator/') && !(href === '/operator/quota-requests' && lang === 'en')) await screenshot(page, href.replace(/^\//, '').replace(/\//g, '-'), lang);
      }
      // One organization: its spend, tier and limits forms, members.
      await page.click(`nav.sidenav a[href="/operator/organizations"]`);
      await page.click(`tr[data-org-id="${orgId}"] a`);
      await page.waitForSelector(`tr[data-user-id]`);
      if (lang === 'zh-CN') expect(await untranslated(page), 'organization detail').toEqual([]);
      await screenshot(page, 'operator-organization-detail', lang);
      await context.close();

      const phone = await openContext(browser, lang, 390);
      await signIn(phone.page, g.url, operator.email, operator.password);
      for (const href of ['/operator/organizations', '/operator/models', '/operator/status', `/operator/audit-log?org=${orgId}`]) {
        await phone.page.goto(`${g.url}${href}`);
        await phone.page.waitForSelector('h1');
        await phone.page.waitForFunction(() => !document.querySelector('[role=status].muted'));
        // What sticks out past the screen's right edge (wide tables scroll inside their own box).
        const wider = await phone.page.evaluate(() =>
          Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.table-wrap')).map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
        );
        expect(wider, href).toEqual([]);
      }
      await screenshot(phone.page, 'phone-operator-audit-log', lang);
      await phone.context.close();
    }, 180_000);
  }
});

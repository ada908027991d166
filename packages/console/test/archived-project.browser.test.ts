/**
 * An archived project's console page is read-only, as the gateway treats it: its members, service
 * accounts, rate limits, model permissions, spend limit and alerts are shown, no control that
 * would change them is, and the page says why, in English and in Simplified Chinese (with no
 * English left). Headless Chromium against a real gateway; skips, saying why, only when Chromium
 * is not installed.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, openContext, orgApi, settled, signIn, text, untranslated, useConsoleFixture, type Lang } from './support/browser.js';

describe.skipIf(!hasChromium)('an archived project in the console', () => {
  const f = useConsoleFixture();

  /** The Administration API, each call of the setup expected to succeed. */
  async function setup() {
    const call = await orgApi(f.g, 'archived project test');
    return async (method: string, path: string, body?: unknown) => {
      const r = await call(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(200);
      return r.body;
    };
  }

  /** The controls of the project's details a user could change something with. */
  const changeControls = (page: Page) =>
    page.locator('section[aria-labelledby="project-title"]').locator('button:enabled, select:enabled, input:enabled, textarea:enabled, [role="button"]');

  async function open(lang: Lang, projectId: string, accountId: string) {
    const { context, page } = await openContext(f.browser, lang);
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.goto(`${f.g.url}/projects/${projectId}`);
    await settled(page);
    // Every section has read what it shows.
    await page.locator(`tr[data-service-account-id="${accountId}"]`).waitFor();
    await page.locator('tr[data-alert]').waitFor();
    await page.locator('tr[data-model]').first().waitFor();
    await page.getByTestId('spend-limit-current').waitFor();
    await settled(page);
    return { context, page };
  }

  it('shows what it has with no control to change it, and says it cannot be changed, in en and zh-CN', async () => {
    const call = await setup();
    const p = await call('POST', '/projects', { name: 'Old team' });
    const sa = await call('POST', `/projects/${p.id}/service_accounts`, { name: 'old-bot' });
    await call('POST', `/projects/${p.id}/spend_limit`, { threshold_amount: 500, currency: 'USD', interval: 'month' });
    await call('POST', `/projects/${p.id}/spend_alerts`, { threshold_amount: 300, currency: 'USD', interval: 'month', notification_channel: { type: 'email', recipients: ['ops@example.com'] } });
    await call('POST', `/projects/${p.id}/model_permissions`, { mode: 'allow_list', model_ids: ['sim-small'] });

    // Active, the same page offers its changes (what the archived page must not).
    const active = await open('en', p.id, sa.id);
    await expect(changeControls(active.page).count()).resolves.toBeGreaterThan(5);
    await expect(active.page.getByTestId('project-read-only').count()).resolves.toBe(0);
    await active.context.close();

    await call('POST', `/projects/${p.id}/archive`);
    for (const lang of ['en', 'zh-CN'] as const) {
      const { context, page } = await open(lang, p.id, sa.id);
      await expect(changeControls(page).evaluateAll((els) => els.map((e) => e.outerHTML.slice(0, 120)))).resolves.toEqual([]);
      await expect(page.getByTestId('project-read-only').innerText()).resolves.toBe(text(lang, 'projects.archivedReadOnly'));
      // Still read: the account with its role, the limit, the alert, the allowed model.
      await expect(page.locator(`tr[data-service-account-id="${sa.id}"] td`).nth(1).innerText()).resolves.toBe(text(lang, 'projects.roleMember'));
      await expect(page.getByTestId('spend-limit-current').innerText()).resolves.toContain('5');
      await expect(page.locator('tr[data-alert] td').nth(1).innerText()).resolves.toBe('ops@example.com');
      await expect(page.locator('input[name="model_ids"][value="sim-small"]').isChecked()).resolves.toBe(true);
      if (lang === 'zh-CN') await expect(untranslated(page)).resolves.toEqual([]);
      await context.close();
    }
  });
});

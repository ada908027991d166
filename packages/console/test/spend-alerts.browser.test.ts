/**
 * Spend alerts in the console, as issue 15 lists them with the spend limit on a project's page
 * (and the organization's on the Limits page): added with an amount and recipients, listed, a
 * refusal said in the page, removed after a dialog; what the page shows is what the Administration
 * API answers. Headless Chromium against a real gateway; skips, saying why, only when Chromium is
 * not installed.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Browser as Session } from '../../gateway/test/console/browser.js';
import { hasChromium, openContext, settled, signIn, text, useConsoleFixture, type Lang } from './support/browser.js';

describe.skipIf(!hasChromium)('spend alerts on the Limits page and a project page', () => {
  const f = useConsoleFixture();

  /** Adds an alert through the section's form, by keyboard: amount, recipients, Enter. */
  async function addAlert(page: Page, section: ReturnType<Page['locator']>, usd: string, recipients: string) {
    await section.getByLabel(text('en', 'alerts.amount')).fill(usd);
    const to = section.getByLabel(text('en', 'alerts.recipients'), { exact: true });
    await to.fill(recipients);
    await to.press('Enter');
  }

  async function alertsOf(path: string): Promise<{ threshold_amount: number; notification_channel: { recipients: string[] } }[]> {
    const owner = new Session(f.g.url);
    expect((await owner.signIn(f.owner.email, f.owner.password)).status).toBe(200);
    const r = await owner.call('GET', path);
    expect(r.status).toBe(200);
    return r.body.data;
  }

  it("adds, lists and removes a project's alerts and the organization's", async () => {
    const lang: Lang = 'en';
    const { context, page } = await openContext(f.browser, lang);
    await signIn(page, f.g.url, f.owner.email, f.owner.password);

    // A project's page.
    await page.goto(`${f.g.url}/projects`);
    await settled(page);
    await page.getByRole('link', { name: 'Default project', exact: true }).click();
    const section = page.getByRole('region', { name: text(lang, 'projects.spendAlerts') });
    await section.getByTestId('spend-alerts-none').waitFor();
    await addAlert(page, section, '12.5', 'ops@example.com, cfo@example.com');
    const row = section.locator('tr[data-alert]');
    await row.first().waitFor();
    await expect(row.first().innerText()).resolves.toMatch(/\$12\.50\s+ops@example\.com, cfo@example\.com/);
    const projectId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(await alertsOf(`/v1/organization/projects/${projectId}/spend_alerts`)).toMatchObject([{ threshold_amount: 1250, notification_channel: { recipients: ['ops@example.com', 'cfo@example.com'] } }]);

    // A recipient that is not an address: the gateway's refusal is said in the section.
    await addAlert(page, section, '20', 'not-an-address');
    await expect(section.locator('[role=alert]').innerText()).resolves.toContain('not-an-address');
    await expect(row.count()).resolves.toBe(1);

    // Removing is asked first.
    await section.getByRole('button', { name: text(lang, 'alerts.removeNamed', { amount: '$12.50' }) }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: text(lang, 'alerts.removeSubmit') }).click();
    await section.getByTestId('spend-alerts-none').waitFor();
    expect(await alertsOf(`/v1/organization/projects/${projectId}/spend_alerts`)).toEqual([]);

    // The organization's, on the Limits page.
    await page.goto(`${f.g.url}/limits`);
    await settled(page);
    const org = page.getByRole('region', { name: text(lang, 'limits.orgSpendAlerts') });
    await org.getByTestId('spend-alerts-none').waitFor();
    await addAlert(page, org, '100', 'finance@example.com');
    await org.locator('tr[data-alert]').waitFor();
    expect(await alertsOf('/v1/organization/spend_alerts')).toMatchObject([{ threshold_amount: 10000, notification_channel: { recipients: ['finance@example.com'] } }]);
    await context.close();
  });
});

/**
 * A member of two organizations (an invite from another organization accepted) reaches both in the
 * console: the header lists them, and Switch moves the session to the chosen one, with the role
 * there (a reader's navigation has no owner pages). A member of one organization sees its name
 * only. Headless Chromium against a real gateway; skips, saying why, only when Chromium is not
 * installed.
 */
import { describe, expect, it } from 'vitest';
import { hasChromium, openContext, settled, signIn, text, useConsoleFixture } from './support/browser.js';

describe.skipIf(!hasChromium)('choosing the organization in the header', () => {
  const f = useConsoleFixture();

  it('lists no choice for one organization, and switches between two, each with its role', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await settled(page);
    const choice = page.getByRole('combobox', { name: text('en', 'common.organization') });
    await expect(choice.count()).resolves.toBe(0);
    const first = (await f.g.admin('GET', `/admin/v1/organizations/${f.g.orgId}`)).body.name as string;
    await expect(page.locator('header .org').innerText()).resolves.toBe(first);

    const second = await f.g.admin('POST', '/admin/v1/organizations', { name: 'Second Org' });
    expect((await f.g.admin('POST', `/admin/v1/organizations/${second.body.id}/members`, { user_id: f.g.userId, role: 'reader' })).status).toBe(200);
    await page.reload();
    await settled(page);
    await choice.waitFor();
    await expect(choice.locator('option').allInnerTexts()).resolves.toEqual([first, 'Second Org']);
    await expect(page.locator('nav.sidenav a[href="/limits"]').count()).resolves.toBe(1);

    // By keyboard: choose, then Switch (the choice alone switches nothing).
    await choice.focus();
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('header').innerText()).resolves.toContain(`${f.owner.email} · ${text('en', 'role.owner')}`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${f.g.url}/api-keys`);
    await expect.poll(() => page.locator('header').innerText()).toContain(`${f.owner.email} · ${text('en', 'role.reader')}`);
    await expect(choice.inputValue()).resolves.toBe(second.body.id);
    await expect(page.locator('nav.sidenav a[href="/limits"]').count()).resolves.toBe(0);
    // A reload keeps the organization chosen (the session is in it).
    await page.reload();
    await settled(page);
    await expect(choice.inputValue()).resolves.toBe(second.body.id);

    await choice.selectOption(f.g.orgId);
    await page.getByRole('button', { name: text('en', 'nav.switchOrganization') }).click();
    await expect.poll(() => page.locator('nav.sidenav a[href="/limits"]').count()).toBe(1);
    await context.close();
  });

  it('keeps the page the viewer was on when the other organization has it for them, else opens API keys', async () => {
    /** An organization where the first owner is a reader: the one the test above made, or a new one when it did not run. */
    const readerOrg = async (): Promise<string> => {
      const made = (await f.g.admin('GET', '/admin/v1/organizations')).body.data.find((o: { name: string }) => o.name === 'Second Org') as { id: string } | undefined;
      if (made) return made.id;
      const org = await f.g.admin('POST', '/admin/v1/organizations', { name: 'Reader Org' });
      expect((await f.g.admin('POST', `/admin/v1/organizations/${org.body.id}/members`, { user_id: f.g.userId, role: 'reader' })).status).toBe(200);
      return org.body.id as string;
    };
    const second = await readerOrg();
    // The first owner is an owner of a third organization too.
    const third = await f.g.admin('POST', '/admin/v1/organizations', { name: 'Third Org' });
    expect((await f.g.admin('POST', `/admin/v1/organizations/${third.body.id}/members`, { user_id: f.g.userId, role: 'owner' })).status).toBe(200);
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    // The header's choice, exactly (a project page has an "Add a member of the organization" choice too).
    const choice = page.locator('header').getByRole('combobox', { name: text('en', 'common.organization'), exact: true });
    const switchTo = async (orgId: string) => {
      await choice.selectOption(orgId);
      await page.getByRole('button', { name: text('en', 'nav.switchOrganization') }).click();
      await expect.poll(() => choice.inputValue()).toBe(orgId);
      await settled(page);
    };
    // Polled after a switch: the session's new organization can show before the navigation that follows it commits.
    const path = () => new URL(page.url()).pathname;

    // People, which every member has: the third organization's people.
    await page.goto(`${f.g.url}/people`);
    await settled(page);
    await switchTo(third.body.id);
    await expect.poll(path).toBe('/people');
    await expect(page.locator('h1').innerText()).resolves.toBe(text('en', 'people.title'));

    // A project is the organization's own: the other organization's project list instead.
    await page.goto(`${f.g.url}/projects`);
    await settled(page);
    await page.locator('a[href^="/projects/proj_"]').first().click();
    await page.waitForURL(/\/projects\/proj_/);
    await settled(page);
    const thirdProject = path();
    await switchTo(f.g.orgId);
    await expect.poll(path).toBe('/projects');
    // Read again for the organization switched to: its projects, none of the third's.
    await expect.poll(() => page.locator('a[href^="/projects/proj_"]').count()).toBeGreaterThan(0);
    await expect(page.locator(`a[href="${thirdProject}"]`).count()).resolves.toBe(0);

    // Limits are for owners: a reader there lands on API keys. The account page stays.
    await page.goto(`${f.g.url}/limits`);
    await settled(page);
    await switchTo(second);
    await expect.poll(path).toBe('/api-keys');
    await page.goto(`${f.g.url}/account`);
    await settled(page);
    await switchTo(third.body.id);
    await expect.poll(path).toBe('/account');
    await context.close();
  });
});

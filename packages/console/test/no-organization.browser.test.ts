/**
 * A person removed from their only organization, in headless Chromium against a real gateway: on
 * reloading she gets a page saying she belongs to no organization, with a way to sign out, in her
 * language; never the "Operator" label (she is none) nor the API's `no_organization` error on every
 * section. Removed while a page is open, the next thing she opens says the same. An operator who
 * belongs to no organization keeps the operator label and is told the organization's page is not
 * theirs. Skips, saying why, only when Chromium is not installed.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Browser as Session } from '../../gateway/test/console/browser.js';
import { hasChromium, openContext, ownerLogin, settled, signIn, text, untranslated, useConsoleFixture, type Lang } from './support/browser.js';

const PASSWORD = 'a-member-password-long-enough';

describe.skipIf(!hasChromium)('a viewer who belongs to no organization', () => {
  const f = useConsoleFixture();
  let owner: Session;

  beforeAll(async () => {
    owner = new Session(f.g.url);
    expect((await owner.signIn(f.owner.email, f.owner.password)).status).toBe(200);
  }, 60_000);

  /** A reader through an invite; returns her id. */
  async function reader(email: string): Promise<string> {
    const inv = await owner.call('POST', '/v1/organization/invites', { email, role: 'reader' });
    expect(inv.status).toBe(200);
    const accepted = await new Session(f.g.url).call('POST', '/console/api/invites/accept', { token: inv.body.token, name: email.split('@')[0], password: PASSWORD });
    expect(accepted.status).toBe(200);
    return accepted.body.user.id as string;
  }

  const remove = async (id: string) => expect((await owner.call('DELETE', `/v1/organization/users/${id}`)).status).toBe(200);

  /** What the page shows: its heading, the header's organization label, and any error note. */
  const shown = async (page: Page) => ({
    heading: await page.locator('h1').innerText(),
    org: await page.locator('header .org').allInnerTexts(),
    errors: await page.locator('.error').allInnerTexts(),
    nav: await page.locator('nav.sidenav').count(),
  });

  for (const lang of ['en', 'zh-CN'] as Lang[]) {
    it(`removed, she reloads: a page saying so and a way to sign out, no "Operator", no raw error (${lang})`, async () => {
      const email = `nora-${lang}@example.com`;
      const id = await reader(email);
      const { context, page } = await openContext(f.browser, lang);
      await signIn(page, f.g.url, email, PASSWORD);
      await page.goto(`${f.g.url}/api-keys`);
      await settled(page);
      expect((await shown(page)).org).toEqual([expect.any(String)]);

      await remove(id);
      const answers: number[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400) answers.push(r.status());
      });
      await page.reload();
      await page.getByRole('heading', { name: text(lang, 'noOrg.title') }).waitFor();
      await settled(page);
      expect(await shown(page)).toEqual({ heading: text(lang, 'noOrg.title'), org: [], errors: [], nav: 0 });
      await expect(page.getByText(text(lang, 'noOrg.body')).count()).resolves.toBe(1);
      await expect(page.getByText(text('en', 'nav.operator'), { exact: true }).count()).resolves.toBe(0);
      await expect(page.getByText(text('zh-CN', 'nav.operator'), { exact: true }).count()).resolves.toBe(0);
      await expect(page.getByText('no_organization').count()).resolves.toBe(0);
      // The page asks the API for nothing it would refuse.
      expect(answers).toEqual([]);
      if (lang === 'zh-CN') await expect(untranslated(page)).resolves.toEqual([]);

      // Every page of the console says the same.
      for (const path of ['/people', '/projects', '/operator/organizations', '/account']) {
        await page.goto(`${f.g.url}${path}`);
        await settled(page);
        expect((await shown(page)).heading).toBe(text(lang, 'noOrg.title'));
      }

      // The page's own sign-out button ends the session.
      await page.getByRole('main').getByRole('button', { name: text(lang, 'nav.signOut') }).click();
      await page.waitForURL(/\/login$/);
      await context.close();
    });
  }

  it('removed while a page is open: the next page she opens says so instead of the API errors', async () => {
    const email = 'olive@example.com';
    const id = await reader(email);
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, email, PASSWORD);
    await page.goto(`${f.g.url}/api-keys`);
    await settled(page);
    await remove(id);
    // No reload: the app's own navigation, whose requests now answer 401 no_organization.
    await page.getByRole('link', { name: text('en', 'nav.people'), exact: true }).click();
    await page.getByRole('heading', { name: text('en', 'noOrg.title') }).waitFor();
    expect(await shown(page)).toEqual({ heading: text('en', 'noOrg.title'), org: [], errors: [], nav: 0 });
    await context.close();
  });

  it('an operator in no organization keeps the operator label and is told an organization page is not theirs', async () => {
    const email = 'opal@example.com';
    const id = await reader(email);
    const { password } = await ownerLogin(f.g, id, true);
    await remove(id);
    const { context, page } = await openContext(f.browser, 'en');
    await page.goto(`${f.g.url}/login`);
    await page.fill('input[type=email][name=email]', email);
    await page.fill('input[type=password][name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('nav.sidenav');
    await page.goto(`${f.g.url}/api-keys`);
    await settled(page);
    const s = await shown(page);
    expect(s).toMatchObject({ heading: text('en', 'noOrg.operatorTitle'), org: [text('en', 'nav.operator')], errors: [], nav: 1 });
    await expect(page.getByRole('link', { name: text('en', 'nav.organizations') }).count()).resolves.toBe(1);
    await context.close();
  });
});

/**
 * The console offers each member only what their role may do, as the gateway decides it, in
 * headless Chromium against a real gateway. An owner's pages show no action the gateway would
 * refuse (the last owner's role, archiving the Default project, a quota request with no hard
 * limit to raise, one already pending or below the limit). A reader invited to one project makes
 * keys only in the projects she may use (one of hers chosen), sees no service-account choice she
 * cannot make, and revokes only her own keys. A refusal that happens anyway (a membership or
 * role taken away while the page is open) is a plain sentence. Skips, saying why, only when
 * Chromium is not installed.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Browser as Session } from '../../gateway/test/console/browser.js';
import { hasChromium, openContext, settled, signIn, text, useConsoleFixture } from './support/browser.js';

const PASSWORD = 'a-member-password-long-enough';

/** The project select's options (text) and the chosen one's text. */
async function projectChoices(page: Page): Promise<{ options: string[]; chosen: string }> {
  const select = page.getByLabel(text('en', 'keys.project'), { exact: true });
  return {
    options: await select.locator('option').allInnerTexts(),
    chosen: await select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.text ?? ''),
  };
}

/** The text of the element that describes `id`'s element (aria-describedby). */
const description = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim());

describe.skipIf(!hasChromium)('what each role is offered in the console', () => {
  const f = useConsoleFixture();
  let owner: Session;
  const projects: Record<string, string> = {};

  beforeAll(async () => {
    owner = new Session(f.g.url);
    expect((await owner.signIn(f.owner.email, f.owner.password)).status).toBe(200);
    for (const name of ['P1', 'P3']) {
      const p = await owner.call('POST', '/v1/organization/projects', { name });
      expect(p.status).toBe(200);
      projects[name] = p.body.id;
    }
    expect((await owner.call('POST', '/console/api/api_keys', { name: 'owner-key', project_id: projects.P1 })).status).toBe(200);
  }, 60_000);

  /** A new member through an invite, signed in with the API (for the set-up) and known by id. */
  async function member(email: string, role: 'owner' | 'reader', invited: string[] = []): Promise<{ id: string; session: Session }> {
    const inv = await owner.call('POST', '/v1/organization/invites', { email, role, projects: invited.map((id) => ({ id, role: 'member' })) });
    expect(inv.status).toBe(200);
    const session = new Session(f.g.url);
    const accepted = await session.call('POST', '/console/api/invites/accept', { token: inv.body.token, name: email.split('@')[0], password: PASSWORD });
    expect(accepted.status).toBe(200);
    return { id: accepted.body.user.id as string, session };
  }

  it("an owner's pages hold back what the gateway would refuse: the last owner's role, archiving the Default project, a quota request it would not take", async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);

    // People: the only owner's role cannot change, and the page says why.
    await page.goto(`${f.g.url}/people`);
    await settled(page);
    const role = page.getByLabel(text('en', 'people.roleOf', { email: f.owner.email }));
    await expect(role.isDisabled()).resolves.toBe(true);
    await expect(description(page, `select[aria-label="${text('en', 'people.roleOf', { email: f.owner.email })}"]`)).resolves.toBe(text('en', 'people.lastOwner'));

    // Projects: the Default project has no Archive button (the gateway never archives it); P1 has.
    await page.goto(`${f.g.url}/projects`);
    await settled(page);
    await page.getByRole('link', { name: 'Default project', exact: true }).click();
    await page.getByRole('heading', { name: text('en', 'projects.archive') }).waitFor();
    await expect(page.getByText(text('en', 'projects.defaultNotArchived')).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: text('en', 'projects.archive') }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'P1', exact: true }).click();
    await page.getByRole('heading', { name: 'P1', level: 2 }).waitFor();
    await expect(page.getByRole('button', { name: text('en', 'projects.archive') }).count()).resolves.toBe(1);

    // Limits: no hard limit, nothing to raise: no request form, the reason instead.
    await page.goto(`${f.g.url}/limits`);
    await settled(page);
    await page.getByText(text('en', 'limits.quotaNoHardLimit')).waitFor();
    await expect(page.locator('input[name=hard_limit_usd]').count()).resolves.toBe(0);
    // The organization's own spend limit, set on this page, is not a hard limit to raise: still no form.
    await page.fill('input[name=usd]', '50');
    await page.locator('form:has(input[name=usd])').getByRole('button', { name: text('en', 'common.save') }).click();
    await expect.poll(() => page.getByTestId('enforced-limit').innerText()).toBe('$50.00');
    await expect(page.getByText(text('en', 'limits.quotaNoHardLimit')).count()).resolves.toBe(1);
    await expect(page.locator('input[name=hard_limit_usd]').count()).resolves.toBe(0);
    // A hard limit the operator approved: the form comes, asking for more than it.
    expect((await f.g.admin('PUT', `/admin/v1/organizations/${f.g.orgId}/billing`, { hard_limit_usd: 50 })).status).toBe(200);
    await page.reload();
    const asked = page.locator('input[name=hard_limit_usd]');
    await asked.waitFor();
    await expect(asked.getAttribute('min')).resolves.toBe('50.01');
    await expect(description(page, 'input[name=hard_limit_usd]')).resolves.toBe(text('en', 'limits.quotaAbove', { amount: '$50.00' }));
    // Below the limit: the browser keeps the form (the gateway would refuse it).
    let sent = 0;
    page.on('request', (r) => void (r.url().endsWith('/console/api/quota_requests') && r.method() === 'POST' && sent++));
    await asked.fill('20');
    await page.fill('textarea[name=reason]', 'launch week');
    await page.getByRole('button', { name: text('en', 'limits.quotaSubmit') }).click();
    await expect(asked.evaluate((i: HTMLInputElement) => i.validity.rangeUnderflow)).resolves.toBe(true);
    await asked.fill('500');
    await page.getByRole('button', { name: text('en', 'limits.quotaSubmit') }).click();
    await page.waitForSelector('tr[data-status=pending]');
    expect(sent).toBe(1);
    // One pending request at a time: the form gives way to the reason.
    await page.getByText(text('en', 'limits.quotaPending')).waitFor();
    await expect(page.locator('input[name=hard_limit_usd]').count()).resolves.toBe(0);
    await context.close();
  }, 120_000);

  it('a reader invited to one project makes keys in the projects she may use, with no service account, and revokes only her own keys', async () => {
    const email = `dee-${Date.now()}@example.com`;
    const dee = await member(email, 'reader', [projects.P3!]);
    expect((await dee.session.call('POST', '/console/api/api_keys', { name: 'dee-own', project_id: projects.P3 })).status).toBe(200);

    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, email, PASSWORD);
    await page.goto(`${f.g.url}/api-keys`);
    await settled(page);
    await page.waitForSelector('tr:has-text("dee-own")');

    // Her projects: the Default project (every member may use it) and P3, P3 chosen; not P1.
    await expect(projectChoices(page)).resolves.toEqual({ options: ['Default project', 'P3'], chosen: 'P3' });
    await expect(description(page, 'select[name=project_id]')).resolves.toBe(text('en', 'keys.projectsHint'));
    // A service account is an owner's: the choice is there, disabled, with the reason.
    const sa = page.getByRole('radio', { name: text('en', 'keys.ownerServiceAccount') });
    await expect(sa.isDisabled()).resolves.toBe(true);
    await expect(description(page, 'input[name=owner][value=service_account]')).resolves.toBe(text('en', 'keys.serviceAccountOwnersOnly'));

    // Revoke on her own key only.
    await expect(page.locator('tr', { hasText: 'owner-key' }).getByRole('button').count()).resolves.toBe(0);
    const mine = page.locator('tr', { hasText: 'dee-own' });
    await mine.getByRole('button', { name: text('en', 'keys.revokeNamed', { name: 'dee-own' }) }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: text('en', 'keys.revokeSubmit'), exact: true }).click();
    await mine.waitFor({ state: 'detached' });
    const left = await owner.call('GET', `/v1/organization/projects/${projects.P3}/api_keys`);
    expect(left.body.data.map((k: { name: string }) => k.name)).not.toContain('dee-own');
    await expect(page.locator('main [role=alert]').count()).resolves.toBe(0);

    // A key in P3, the project chosen for her, is made.
    await page.fill('#create-key ~ form input[name=name]', 'dee-p3');
    await page.getByRole('button', { name: text('en', 'keys.createSubmit') }).click();
    await page.getByTestId('new-key-secret').waitFor();
    await page.getByRole('button', { name: text('en', 'keys.secretDone') }).click();

    // Taken out of P3 while the page is open: the gateway's refusal is said plainly, and P3 leaves the list.
    expect((await owner.call('DELETE', `/v1/organization/projects/${projects.P3}/users/${dee.id}`)).status).toBe(200);
    await page.fill('#create-key ~ form input[name=name]', 'too late');
    await page.getByLabel(text('en', 'keys.project'), { exact: true }).selectOption({ label: 'P3' });
    await page.getByRole('button', { name: text('en', 'keys.createSubmit') }).click();
    const alert = page.locator('#create-key ~ form [role=alert]');
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toContain(text('en', 'keys.projectUnavailable'));
    await expect(alert.innerText()).resolves.not.toContain('No such project');
    await expect.poll(async () => (await projectChoices(page)).options).toEqual(['Default project']);
    await context.close();
  }, 120_000);

  it('an owner made a reader while the page is open is told plainly that the role does not allow the change', async () => {
    const email = `olga-${Date.now()}@example.com`;
    const olga = await member(email, 'owner');
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, email, PASSWORD);
    await page.goto(`${f.g.url}/api-keys`);
    await settled(page);
    const row = page.locator('tr', { hasText: 'owner-key' });
    await row.waitFor();
    expect((await owner.call('POST', `/v1/organization/users/${olga.id}`, { role: 'reader' })).status).toBe(200);
    await row.getByRole('button', { name: text('en', 'keys.revokeNamed', { name: 'owner-key' }) }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: text('en', 'keys.revokeSubmit'), exact: true }).click();
    // Said in the dialog the change was asked in.
    const alert = page.getByRole('alertdialog').locator('[role=alert]');
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toContain(text('en', 'error.roleNotPermitted'));
    await expect(alert.innerText()).resolves.not.toContain('Missing scopes');
    // Nothing was revoked.
    const keys = await owner.call('GET', `/v1/organization/projects/${projects.P1}/api_keys`);
    expect(keys.body.data.map((k: { name: string }) => k.name)).toContain('owner-key');
    await context.close();
  }, 120_000);
});

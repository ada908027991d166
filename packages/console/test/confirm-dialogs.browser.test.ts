/**
 * Changes that cannot be taken back are asked first in a dialog in the page, never the browser's
 * confirm(), in headless Chromium against a real gateway: revoking a key, removing a member from
 * the organization or from a project, removing a service account, archiving a project. Each
 * dialog is an alertdialog named by its question and described by what follows; the keyboard
 * starts on Cancel; Escape and Cancel change nothing (checked through the API) and give the
 * keyboard back to the button that opened it; the button that says what it does does it. A
 * refusal is said in the dialog. Skips, saying why, only when Chromium is not installed.
 */
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Browser as Session } from '../../gateway/test/console/browser.js';
import { hasChromium, openContext, settled, signIn, text, untranslated, useConsoleFixture, type Lang } from './support/browser.js';

const PASSWORD = 'a-member-password-long-enough';

/** The browser's own dialogs (confirm, alert, prompt) the page opened: none is expected. */
function nativeDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (d) => {
    seen.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return seen;
}

const isFocused = (l: Locator) => l.evaluate((el) => el === document.activeElement);

/**
 * The dialog `opener` opens, checked as a person meets it: its question, what follows, the
 * keyboard on Cancel, a confirm button named `action`. Escape closes it and gives the keyboard
 * back to `opener`; opened again, Cancel closes it; `unchanged` is checked after each.
 */
async function declineTwice(page: Page, opener: Locator, lang: Lang, want: { title: string; message: string; action: string }, unchanged: () => Promise<void>): Promise<void> {
  await opener.click();
  const dialog = page.getByRole('alertdialog', { name: want.title, exact: true });
  await dialog.waitFor();
  await expect(dialog.evaluate((d) => document.getElementById(d.getAttribute('aria-describedby') ?? '')?.textContent)).resolves.toBe(want.message);
  await expect(isFocused(dialog.getByRole('button', { name: text(lang, 'common.cancel'), exact: true }))).resolves.toBe(true);
  await expect(dialog.getByRole('button', { name: want.action, exact: true }).count()).resolves.toBe(1);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await expect(isFocused(opener)).resolves.toBe(true);
  await unchanged();

  await opener.click();
  await dialog.waitFor();
  await dialog.getByRole('button', { name: text(lang, 'common.cancel'), exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await unchanged();
}

/** Opens the dialog again and confirms with the button named `action`; it closes once done. */
async function confirm(page: Page, opener: Locator, title: string, action: string): Promise<void> {
  await opener.click();
  const dialog = page.getByRole('alertdialog', { name: title, exact: true });
  await dialog.getByRole('button', { name: action, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

describe.skipIf(!hasChromium)('confirmations in the console', () => {
  const f = useConsoleFixture();
  let owner: Session;
  let project: { id: string; name: string };

  const keyNames = async () => (await owner.call('GET', `/v1/organization/projects/${project.id}/api_keys`)).body.data.map((k: { name: string }) => k.name);
  const orgEmails = async () => (await owner.call('GET', '/v1/organization/users')).body.data.map((u: { email: string }) => u.email);

  /** A new member through an invite, with the projects given. */
  async function member(email: string, role: 'owner' | 'reader', projects: string[] = []): Promise<string> {
    const inv = await owner.call('POST', '/v1/organization/invites', { email, role, projects: projects.map((id) => ({ id, role: 'member' })) });
    expect(inv.status).toBe(200);
    const accepted = await new Session(f.g.url).call('POST', '/console/api/invites/accept', { token: inv.body.token, name: email.split('@')[0], password: PASSWORD });
    expect(accepted.status).toBe(200);
    return accepted.body.user.id as string;
  }

  beforeAll(async () => {
    owner = new Session(f.g.url);
    expect((await owner.signIn(f.owner.email, f.owner.password)).status).toBe(200);
    const p = await owner.call('POST', '/v1/organization/projects', { name: 'Checkout' });
    expect(p.status).toBe(200);
    project = { id: p.body.id, name: p.body.name };
    expect((await owner.call('POST', '/console/api/api_keys', { name: 'ci-key', project_id: project.id })).status).toBe(200);
  }, 60_000);

  it('revokes a key only once "Revoke key" is pressed in the dialog', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    const prompts = nativeDialogs(page);
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await settled(page);
    const row = page.locator('tr', { hasText: 'ci-key' });
    const revoke = row.getByRole('button', { name: text('en', 'keys.revokeNamed', { name: 'ci-key' }) });
    const want = { title: text('en', 'keys.revokeTitle', { name: 'ci-key' }), message: text('en', 'keys.revokeMessage'), action: text('en', 'keys.revokeSubmit') };
    expect(want.action).toBe('Revoke key');
    await declineTwice(page, revoke, 'en', want, async () => {
      await expect(keyNames()).resolves.toContain('ci-key');
      await expect(row.count()).resolves.toBe(1);
    });
    await confirm(page, revoke, want.title, want.action);
    await row.waitFor({ state: 'detached' });
    await expect(keyNames()).resolves.not.toContain('ci-key');
    expect(prompts).toEqual([]);
    await context.close();
  }, 120_000);

  it('says a refusal in the dialog: a key already revoked elsewhere', async () => {
    const made = await owner.call('POST', '/console/api/api_keys', { name: 'gone-key', project_id: project.id });
    expect(made.status).toBe(200);
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await settled(page);
    const revoke = page.locator('tr', { hasText: 'gone-key' }).getByRole('button', { name: text('en', 'keys.revokeNamed', { name: 'gone-key' }) });
    expect((await owner.call('DELETE', `/v1/organization/projects/${project.id}/api_keys/${made.body.id}`)).status).toBe(200);
    await revoke.click();
    const dialog = page.getByRole('alertdialog', { name: text('en', 'keys.revokeTitle', { name: 'gone-key' }) });
    await dialog.getByRole('button', { name: text('en', 'keys.revokeSubmit'), exact: true }).click();
    // The refusal stays where the action was asked, until the dialog is closed.
    const alert = dialog.locator('[role=alert]');
    await expect(alert.innerText()).resolves.toContain(`No such API key: ${made.body.id}`);
    await expect(alert.innerText()).resolves.toContain('resource_not_found');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await context.close();
  }, 120_000);

  it('removes a member of the organization only once "Remove member" is pressed', async () => {
    const email = `sam-${Date.now()}@example.com`;
    await member(email, 'reader');
    const { context, page } = await openContext(f.browser, 'en');
    const prompts = nativeDialogs(page);
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.goto(`${f.g.url}/people`);
    await settled(page);
    const remove = page.getByRole('button', { name: text('en', 'people.removeNamed', { email }), exact: true });
    const want = { title: text('en', 'people.removeTitle', { email }), message: text('en', 'people.removeMessage'), action: text('en', 'people.removeSubmit') };
    await declineTwice(page, remove, 'en', want, async () => {
      await expect(orgEmails()).resolves.toContain(email);
    });
    await confirm(page, remove, want.title, want.action);
    await page.locator(`tr[data-user-email="${email}"]`).waitFor({ state: 'detached' });
    await expect(orgEmails()).resolves.not.toContain(email);
    expect(prompts).toEqual([]);
    await context.close();
  }, 120_000);

  it("a project's member, service account and the project itself: each asked first, in English and Chinese", async () => {
    const email = `rita-${Date.now()}@example.com`;
    const rita = await member(email, 'reader', [project.id]);
    const bot = await owner.call('POST', `/v1/organization/projects/${project.id}/service_accounts`, { name: 'nightly-bot' });
    expect(bot.status).toBe(200);
    const projectEmails = async () => (await owner.call('GET', `/v1/organization/projects/${project.id}/users`)).body.data.map((u: { email: string }) => u.email);
    const accounts = async () => (await owner.call('GET', `/v1/organization/projects/${project.id}/service_accounts`)).body.data.map((s: { name: string }) => s.name);
    const status = async () => (await owner.call('GET', `/v1/organization/projects/${project.id}`)).body.status;

    // In Chinese: the project member's dialog, every word of it in Chinese.
    const zh = await openContext(f.browser, 'zh-CN');
    await signIn(zh.page, f.g.url, f.owner.email, f.owner.password);
    await zh.page.goto(`${f.g.url}/projects/${project.id}`);
    await settled(zh.page);
    const removeRita = (p: Page, lang: Lang) => p.getByRole('button', { name: text(lang, 'people.removeNamed', { email }), exact: true });
    await removeRita(zh.page, 'zh-CN').click();
    const zhDialog = zh.page.getByRole('alertdialog', { name: text('zh-CN', 'projects.removeMemberTitle', { email, project: project.name }) });
    await zhDialog.waitFor();
    await expect(zhDialog.innerText()).resolves.toContain(text('zh-CN', 'projects.removeMemberKeysStop'));
    await expect(zhDialog.getByRole('button', { name: text('zh-CN', 'projects.removeMemberSubmit') }).count()).resolves.toBe(1);
    await expect(untranslated(zh.page)).resolves.toEqual([]);
    await zh.page.keyboard.press('Escape');
    await zhDialog.waitFor({ state: 'detached' });
    await zh.context.close();

    const { context, page } = await openContext(f.browser, 'en');
    const prompts = nativeDialogs(page);
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.goto(`${f.g.url}/projects/${project.id}`);
    await settled(page);

    // A reader's keys in a project that is not the Default one stop working when she leaves it.
    const memberWant = { title: text('en', 'projects.removeMemberTitle', { email, project: project.name }), message: text('en', 'projects.removeMemberKeysStop'), action: text('en', 'projects.removeMemberSubmit') };
    await declineTwice(page, removeRita(page, 'en'), 'en', memberWant, async () => {
      await expect(projectEmails()).resolves.toContain(email);
    });
    await confirm(page, removeRita(page, 'en'), memberWant.title, memberWant.action);
    await expect(projectEmails()).resolves.not.toContain(email);
    // Out of the project, still in the organization.
    await expect(orgEmails()).resolves.toContain(email);
    expect((await owner.call('GET', `/v1/organization/users/${rita}`)).status).toBe(200);

    const removeBot = page.getByRole('button', { name: text('en', 'projects.deleteSaNamed', { name: 'nightly-bot' }), exact: true });
    const botWant = { title: text('en', 'projects.deleteSaTitle', { name: 'nightly-bot' }), message: text('en', 'projects.deleteSaMessage'), action: text('en', 'projects.deleteSaSubmit') };
    await declineTwice(page, removeBot, 'en', botWant, async () => {
      await expect(accounts()).resolves.toContain('nightly-bot');
    });
    await confirm(page, removeBot, botWant.title, botWant.action);
    await removeBot.waitFor({ state: 'detached' });
    await expect(accounts()).resolves.not.toContain('nightly-bot');

    const archive = page.getByRole('button', { name: text('en', 'projects.archive'), exact: true });
    const archiveWant = { title: text('en', 'projects.archiveTitle', { name: project.name }), message: text('en', 'projects.archiveMessage'), action: text('en', 'projects.archive') };
    await declineTwice(page, archive, 'en', archiveWant, async () => {
      await expect(status()).resolves.toBe('active');
    });
    await confirm(page, archive, archiveWant.title, archiveWant.action);
    await expect(status()).resolves.toBe('archived');
    expect(prompts).toEqual([]);
    await context.close();
  }, 180_000);
});

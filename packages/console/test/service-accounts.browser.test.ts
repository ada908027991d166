/**
 * A project's service accounts on its console page, as the Administration API has them: each with
 * its role (an account made without a key has none until one is given), renamed, given a role,
 * given another key (shown once, working at once) and removed (its keys refused), each change
 * read back from the API. In Simplified Chinese the section has no English left. Headless
 * Chromium against a real gateway; skips, saying why, only when Chromium is not installed.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { hasChromium, openContext, orgApi, settled, signIn, text, untranslated, useConsoleFixture } from './support/browser.js';

describe.skipIf(!hasChromium)("a project's service accounts in the console", () => {
  const f = useConsoleFixture();

  it('shows each role; renames, changes the role, creates another key (shown once, working) and removes', async () => {
    const call = await orgApi(f.g, 'service accounts test');
    const projectId = (await call('POST', '/projects', { name: 'bots' })).body.id as string;
    const sas = `/projects/${projectId}/service_accounts`;
    const keyed = (await call('POST', sas, { name: 'ci-bot' })).body;
    const alone = (await call('POST', sas, { name: 'lone-bot', create_service_account_only: true })).body;
    expect([keyed.role, alone.role]).toEqual(['member', 'none']);

    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.goto(`${f.g.url}/projects/${projectId}`);
    await settled(page);
    const row = (id: string) => page.locator(`tr[data-service-account-id="${id}"]`);
    await row(alone.id).waitFor();
    const roleOf = (name: string) => page.getByRole('combobox', { name: text('en', 'projects.saRoleOf', { name }) });
    await expect(roleOf('ci-bot').locator('option:checked').innerText()).resolves.toBe(text('en', 'projects.roleMember'));
    await expect(roleOf('lone-bot').locator('option:checked').innerText()).resolves.toBe(text('en', 'projects.roleNone'));

    // Rename, in a dialog that starts with the current name.
    await page.getByRole('button', { name: text('en', 'projects.renameSaNamed', { name: 'ci-bot' }) }).click();
    const rename = page.getByRole('dialog', { name: text('en', 'projects.renameSaTitle', { name: 'ci-bot' }) });
    const newName = rename.getByLabel(text('en', 'projects.saNewName'));
    await expect(newName.inputValue()).resolves.toBe('ci-bot');
    await newName.fill('deploy-bot');
    await rename.getByRole('button', { name: text('en', 'common.save') }).click();
    await expect.poll(() => row(keyed.id).locator('td').first().innerText()).toBe('deploy-bot');
    await expect(rename.count()).resolves.toBe(0);
    expect((await call('GET', `${sas}/${keyed.id}`)).body.name).toBe('deploy-bot');

    // A role for the account that had none: only owner or member can be chosen.
    await expect(roleOf('lone-bot').locator('option[value="none"]').isDisabled()).resolves.toBe(true);
    await roleOf('lone-bot').selectOption('owner');
    await expect.poll(async () => (await call('GET', `${sas}/${alone.id}`)).body.role).toBe('owner');

    // Another key, shown once, works at once; the account's first key keeps working.
    await page.getByRole('button', { name: text('en', 'projects.saCreateKeyNamed', { name: 'deploy-bot' }) }).click();
    const keyDialog = page.getByRole('dialog', { name: text('en', 'projects.saCreateKeyTitle', { name: 'deploy-bot' }) });
    await keyDialog.getByLabel(text('en', 'projects.saKeyName')).fill('second');
    await keyDialog.getByRole('button', { name: text('en', 'projects.saCreateKey') }).click();
    const secret = await page.getByTestId('new-key-secret').inputValue();
    expect(secret).toMatch(/^sk-svcacct-/);
    const chat = (apiKey: string) => new OpenAI({ apiKey, baseURL: f.g.baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect((await chat(secret)).choices).toHaveLength(1);
    expect((await chat(keyed.api_key.value)).choices).toHaveLength(1);
    const keys = (await call('GET', `/projects/${projectId}/api_keys`)).body.data as { name: string; owner: { service_account?: { id: string } } }[];
    expect(keys.filter((k) => k.owner.service_account?.id === keyed.id).map((k) => k.name).sort()).toEqual(['Secret Key', 'second']);
    await page.getByRole('button', { name: text('en', 'keys.secretDone') }).click();
    await expect(page.getByTestId('new-key-secret').count()).resolves.toBe(0);

    // Removed, asked first: its keys are refused.
    await page.getByRole('button', { name: text('en', 'projects.deleteSaNamed', { name: 'deploy-bot' }) }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: text('en', 'projects.deleteSaSubmit') }).click();
    await expect.poll(() => row(keyed.id).count()).toBe(0);
    expect((await call('GET', `${sas}/${keyed.id}`)).status).toBe(404);
    await expect(chat(secret)).rejects.toMatchObject({ status: 401 });
    await context.close();

    const zh = await openContext(f.browser, 'zh-CN');
    await signIn(zh.page, f.g.url, f.owner.email, f.owner.password);
    await zh.page.goto(`${f.g.url}/projects/${projectId}`);
    await settled(zh.page);
    await zh.page.locator(`tr[data-service-account-id="${alone.id}"]`).waitFor();
    await zh.page.getByRole('button', { name: text('zh-CN', 'projects.saCreateKeyNamed', { name: 'lone-bot' }) }).click();
    await zh.page.getByRole('dialog').waitFor();
    await expect(untranslated(zh.page)).resolves.toEqual([]);
    await zh.context.close();
  });
});

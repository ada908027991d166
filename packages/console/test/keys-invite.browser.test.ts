/**
 * API keys and invites end to end in headless Chromium against a real gateway, checked with the
 * official SDK: a key's secret is shown exactly once and works; revoked, the SDK gets 401. An
 * owner invites a person (a reader, the form's default); the invite link signs them up and in, and
 * the key they create makes model requests. The new reader, as OpenAI's Reader, invites a reader
 * in turn from the People page, which offers her no other role and none of the owners' actions.
 * Skips, saying why, only when Chromium is not installed.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { rejection } from '../../gateway/test/support/rejection.js';
import { Browser as Session } from '../../gateway/test/console/browser.js';
import { hasChromium, useConsoleFixture, openContext, screenshot, settled, signIn, text, untranslated } from './support/browser.js';

const chat = (apiKey: string, baseURL: string) =>
  new OpenAI({ apiKey, baseURL, maxRetries: 0 }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });

describe.skipIf(!hasChromium)('API keys and invites in the console', () => {
  const f = useConsoleFixture();

  it('creates a key whose secret is shown once and works with the SDK; revoked, the SDK gets 401', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.fill('#create-key ~ form input[name=name]', 'browser key');
    await page.click(`button:text-is("${text('en', 'keys.createSubmit')}")`);
    const secretBox = page.getByTestId('new-key-secret');
    const secret = await secretBox.inputValue();
    expect(secret).toMatch(/^sk-/);
    await page.waitForSelector('tr:has-text("browser key")');
    await screenshot(page, 'api-keys-created', 'en', [secretBox]);

    const ok = await chat(secret, f.g.baseURL);
    expect(ok.choices[0]!.message.content).toBeTruthy();

    // "Done": the secret leaves the page and is nowhere on it (the list shows the redacted value).
    await page.click(`button:text-is("${text('en', 'keys.secretDone')}")`);
    await secretBox.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.waitForSelector('tr:has-text("browser key")');
    expect(await page.content()).not.toContain(secret);
    const row = page.locator('tr', { hasText: 'browser key' });
    expect(await row.locator('code').innerText()).toBe(`sk-...${secret.slice(-4)}`);
    await screenshot(page, 'api-keys', 'en');

    await row.getByRole('button', { name: text('en', 'keys.revokeNamed', { name: 'browser key' }) }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: text('en', 'keys.revokeSubmit'), exact: true }).click();
    await row.waitFor({ state: 'detached' });
    const e = await rejection<InstanceType<typeof OpenAI.APIError>>(chat(secret, f.g.baseURL));
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(e.status).toBe(401);
    await context.close();
  }, 120_000);

  it('invites a person: the link signs them up and in, and the key they create works', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.click(`nav >> text="${text('en', 'nav.people')}"`);
    const email = `invitee-${Date.now()}@example.com`;
    await page.fill('#invite-title ~ form input[name=email]', email);
    await page.click(`button:text-is("${text('en', 'people.inviteSubmit')}")`);
    const link = await page.getByTestId('invite-link').inputValue();
    expect(link).toMatch(new RegExp(`^${f.g.url.replace(/[.]/g, '\\.')}/invite#token=inv_`));
    await page.waitForSelector(`td:text-is("${email}")`);
    await screenshot(page, 'people', 'en', [page.getByTestId('invite-link')]);
    await context.close();

    const invitee = await openContext(f.browser, 'en');
    await invitee.page.goto(link);
    await invitee.page.waitForSelector('input[name=name]');
    expect(await invitee.page.locator('input[name=email]').inputValue()).toBe(email);
    await screenshot(invitee.page, 'invite', 'en');
    await invitee.page.fill('input[name=name]', 'Invited Person');
    await invitee.page.fill('input[name=password]', 'a-long-enough-password');
    await invitee.page.fill('input[name=password_repeat]', 'a-long-enough-password');
    await invitee.page.click('button[type=submit]');
    await invitee.page.waitForSelector('nav.sidenav');
    await expect(invitee.page.locator('.who').innerText()).resolves.toContain(email);
    // A reader: no Limits or Usage in the navigation; People, to invite readers.
    const nav = await invitee.page.locator('nav.sidenav').innerText();
    expect(nav).not.toContain(text('en', 'nav.limits'));
    expect(nav).not.toContain(text('en', 'nav.usage'));
    expect(nav).toContain(text('en', 'nav.people'));

    await invitee.page.fill('#create-key ~ form input[name=name]', 'invitee key');
    await invitee.page.click(`button:text-is("${text('en', 'keys.createSubmit')}")`);
    const secret = await invitee.page.getByTestId('new-key-secret').inputValue();
    // The invitee is a reader, and readers use the API: the key the page made (permissions All,
    // the form's default) lists models and makes model requests.
    expect((await new OpenAI({ apiKey: secret, baseURL: f.g.baseURL, maxRetries: 0 }).models.list()).data.length).toBeGreaterThan(0);
    expect((await chat(secret, f.g.baseURL)).choices[0]!.message.content).toEqual(expect.any(String));

    // People: she invites a reader; the role offered is reader only, and owners' actions are absent.
    await invitee.page.click(`nav >> text="${text('en', 'nav.people')}"`);
    await invitee.page.waitForSelector('#invite-title ~ form input[name=email]');
    await settled(invitee.page);
    const roles = await invitee.page.locator('#invite-title ~ form select[name=role] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(roles).toEqual(['reader']);
    await expect(invitee.page.getByText(text('en', 'people.readerInvites')).count()).resolves.toBe(1);
    await expect(invitee.page.getByRole('button', { name: text('en', 'people.cancelNamed', { email }) }).count()).resolves.toBe(0);
    await expect(invitee.page.getByRole('button', { name: text('en', 'people.removeNamed', { email: f.owner.email }) }).count()).resolves.toBe(0);
    await expect(invitee.page.getByLabel(text('en', 'people.roleOf', { email: f.owner.email })).count()).resolves.toBe(0);
    await expect(invitee.page.getByRole('heading', { name: text('en', 'people.security') }).count()).resolves.toBe(0);
    const second = `second-${Date.now()}@example.com`;
    await invitee.page.fill('#invite-title ~ form input[name=email]', second);
    await invitee.page.click(`button:text-is("${text('en', 'people.inviteSubmit')}")`);
    expect(await invitee.page.getByTestId('invite-link').inputValue()).toMatch(/\/invite#token=inv_/);
    await invitee.page.waitForSelector(`td:text-is("${second}")`);
    const owner = new Session(f.g.url);
    await owner.signIn(f.owner.email, f.owner.password);
    const invites = (await owner.call('GET', '/v1/organization/invites?limit=100')).body.data as { email: string; role: string }[];
    expect(invites.find((i) => i.email === second)?.role).toBe('reader');
    await invitee.context.close();

    // In Chinese, the reader's People page has no English left.
    const zh = await openContext(f.browser, 'zh-CN');
    await signIn(zh.page, f.g.url, email, 'a-long-enough-password');
    await zh.page.goto(`${f.g.url}/people`);
    await zh.page.waitForSelector('#invite-title ~ form input[name=email]');
    await settled(zh.page);
    expect(await untranslated(zh.page)).toEqual([]);
    await zh.context.close();
  }, 180_000);
});

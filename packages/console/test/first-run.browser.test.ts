/**
 * First run end to end: `tollgate serve` started on an empty data directory writes the console's
 * one-time setup link to the owner-only first-start credentials file (never to stdout); the link,
 * opened in headless Chromium, makes the first owner with the password they choose and signs them
 * in (an operator too); the link is then used up: the file no longer has it and a second visit is
 * refused with the catalog's message. Taking over an account that exists (the first start's
 * admin@localhost) gives it the name typed on the page. Skips, saying why, only when Chromium is
 * not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launch, openContext, screenshot, settled, signIn, text, useConsoleFixture } from './support/browser.js';
import type { Browser } from 'playwright-core';
import { track } from '../../gateway/test/support/children.js';

const CLI = new URL('../../gateway/dist/cli/main.js', import.meta.url).pathname;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

/** The setup link line of the first-start credentials file (undefined while absent). */
function setupLinkIn(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return /^TOLLGATE_CONSOLE_SETUP_URL=(.*)$/m.exec(readFileSync(file, 'utf8'))?.[1];
}

async function waitFor<T>(get: () => T | undefined, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasChromium)('first run: the one-time setup link', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-first-run-'));
  const credentials = join(dir, 'data', 'first-start-credentials.env');
  let url: string;
  let child: ChildProcess;
  let stdout = '';
  let exited: Promise<unknown>;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\``);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'tollgate.yaml'), `server: { host: 127.0.0.1, port: ${port}, public_url: "${url}" }\n`);
    child = track(spawn(process.execPath, [CLI, 'serve'], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] }));
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.resume();
    exited = new Promise((resolve) => child.on('exit', resolve));
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    child?.kill('SIGTERM');
    await exited;
  }, 30_000);

  it('makes the first owner from the link written at first start, signed in; the link then is used up', async () => {
    const link = await waitFor(() => setupLinkIn(credentials), 'the setup link in the first-start credentials file');
    expect(link).toMatch(new RegExp(`^${url.replace(/[.]/g, '\\.')}/setup#token=tgsetup_[A-Za-z0-9_-]{43}$`));
    const token = link.split('#token=')[1]!;
    // The gateway must be listening (it writes the file just after it starts to).
    await waitFor(() => (/"msg":"listening"/.test(stdout) ? true : undefined), 'the gateway to listen');
    expect(stdout).not.toContain(token);

    // The page in Chinese too, for the screenshots (the link is in the address, not on the page).
    const zh = await openContext(browser, 'zh-CN');
    await zh.page.goto(link);
    await zh.page.waitForSelector('input[name=password_repeat]');
    await expect(zh.page.locator('h1').innerText()).resolves.toBe(text('zh-CN', 'setup.title'));
    await screenshot(zh.page, 'setup', 'zh-CN');
    await zh.context.close();

    const email = 'first-owner@example.com';
    const password = 'the first owner chose this';
    const { context, page } = await openContext(browser, 'en');
    await page.goto(link);
    await page.waitForSelector('input[name=password_repeat]');
    await screenshot(page, 'setup', 'en');
    await page.fill('input[name=name]', 'First Owner');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.fill('input[name=password_repeat]', password);
    await page.click(`button:text-is("${text('en', 'setup.submit')}")`);
    await page.waitForSelector('nav.sidenav');
    await settled(page);
    await expect(page.locator('.who').innerText()).resolves.toContain(email);
    await expect(page.locator('.who').innerText()).resolves.toContain(text('en', 'role.owner'));
    // The first owner is the operator too: the operator's pages are in their navigation.
    await expect(page.locator('nav.sidenav a[href="/operator/quota-requests"]').count()).resolves.toBe(1);
    await context.close();

    // Used up: gone from the file, and the same link opened again is refused.
    expect(setupLinkIn(credentials)).toBeUndefined();
    const again = await openContext(browser, 'en');
    await again.page.goto(link);
    await again.page.waitForSelector('input[name=password_repeat]');
    await again.page.fill('input[name=name]', 'Someone Else');
    await again.page.fill('input[name=email]', 'second@example.com');
    await again.page.fill('input[name=password]', 'someone else tries this');
    await again.page.fill('input[name=password_repeat]', 'someone else tries this');
    await again.page.click(`button:text-is("${text('en', 'setup.submit')}")`);
    await expect(again.page.locator('main [role=alert]').innerText()).resolves.toContain('This setup link is not valid or has already been used.');
    await expect(again.page.locator('nav.sidenav').count()).resolves.toBe(0);
    const config = await fetch(`${url}/console/api/config`);
    expect(((await config.json()) as { setup_required: boolean }).setup_required).toBe(false);
    await again.context.close();

    // The owner signs in later with the password they chose.
    const later = await openContext(browser, 'en');
    await signIn(later.page, url, email, password);
    await expect(later.page.locator('.who').innerText()).resolves.toContain(email);
    await later.context.close();
  }, 180_000);
});

describe.skipIf(!hasChromium)('first run: taking over the first start\'s admin@localhost', () => {
  const f = useConsoleFixture();

  it('gives the account the name typed on the setup page', async () => {
    // As the first start makes it: admin@localhost, "Administrator", an owner without a password.
    const made = await f.g.admin('POST', '/admin/v1/users', { email: 'admin@localhost', name: 'Administrator' });
    expect(made.status).toBe(200);
    expect((await f.g.admin('POST', `/admin/v1/organizations/${f.g.orgId}/members`, { user_id: made.body.id, role: 'owner' })).status).toBe(200);
    const link = await f.g.gateway.services.console.createSetupLink();
    expect(link).toBeDefined();

    const { context, page } = await openContext(f.browser, 'en');
    await page.goto(link!.replace(/^https?:\/\/[^/]+/, f.g.url));
    await page.waitForSelector('input[name=password_repeat]');
    await page.fill('input[name=name]', 'Ada Lovelace');
    await page.fill('input[name=email]', 'admin@localhost');
    await page.fill('input[name=password]', 'the first owner chose this');
    await page.fill('input[name=password_repeat]', 'the first owner chose this');
    await page.click(`button:text-is("${text('en', 'setup.submit')}")`);
    await page.waitForSelector('nav.sidenav');
    await page.click(`nav >> text="${text('en', 'nav.account')}"`);
    await settled(page);
    await expect(page.locator('main').innerText()).resolves.toContain('Ada Lovelace · admin@localhost');
    await page.click(`nav >> text="${text('en', 'nav.people')}"`);
    await page.waitForSelector('tr[data-user-email="admin@localhost"]');
    await expect(page.locator('tr[data-user-email="admin@localhost"] td').first().innerText()).resolves.toBe('Ada Lovelace');
    expect((await f.g.admin('GET', `/admin/v1/users/${made.body.id}`)).body.name).toBe('Ada Lovelace');
    await context.close();
  }, 120_000);
});

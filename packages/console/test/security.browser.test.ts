/**
 * The console's defences end to end in headless Chromium against a real gateway: a state change
 * sent from the signed-in page without its CSRF token, or with a wrong one, is refused 403 and
 * changes nothing, and so is a form another site posts; a session cookie planted before sign-in
 * is never the signed-in one and is ended by it; sign-out and "sign out everywhere" end the
 * sessions on the server; a reader sees no billing, limits or usage, a refusal at their URLs, and
 * 403 from the APIs behind them. Skips, saying why, only when Chromium is not installed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { Browser as CookieJar } from '../../gateway/test/console/browser.js';
import { hasChromium, openContext, screenshot, settled, signIn, text, useConsoleFixture, type Lang } from './support/browser.js';

const COOKIE = 'tollgate_session';

interface InPageAnswer {
  status: number;
  body: { error?: { code: string | null; message: string } } & Record<string, unknown>;
}

/** A request made by the page's own script (same origin, the browser's cookie); `csrf` as given. */
function fromPage(page: Page, method: string, path: string, body?: unknown, csrf?: string): Promise<InPageAnswer> {
  return page.evaluate(
    async ({ method, path, body, csrf }) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (csrf !== undefined) headers['x-csrf-token'] = csrf;
      const r = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const t = await r.text();
      return { status: r.status, body: t ? JSON.parse(t) : {} };
    },
    { method, path, body, csrf },
  );
}

/** The session cookie the browser holds now (HTTP-only: the page's script cannot read it). */
async function sessionCookie(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((c) => c.name === COOKIE)?.value;
}

/** Whether a session token still opens the console, asked from outside the browser. */
async function sessionLives(url: string, token: string): Promise<boolean> {
  const r = await fetch(`${url}/console/api/session`, { headers: { cookie: `${COOKIE}=${token}` } });
  return r.status === 200;
}

describe.skipIf(!hasChromium)('the console refuses CSRF, session fixation and a reader at billing', () => {
  const f = useConsoleFixture();
  let other: Server | undefined;
  afterAll(() => other?.close());

  /** The organization's project names, read with an admin key of the organization (not the browser). */
  let orgAdminKey: string | undefined;
  const projectNames = async () => {
    orgAdminKey ??= (await f.g.admin('POST', `/admin/v1/organizations/${f.g.orgId}/admin_api_keys`, { name: 'security check' })).body.value as string;
    const r = await fetch(`${f.g.baseURL}/organization/projects?limit=100&include_archived=true`, { headers: { authorization: `Bearer ${orgAdminKey}` } });
    expect(r.status).toBe(200);
    return ((await r.json()) as { data: { name: string }[] }).data.map((p) => p.name);
  };

  it('refuses a state change without the CSRF token or with a wrong one, and changes nothing', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);

    for (const csrf of [undefined, 'not-the-token', `${'0'.repeat(64)}`]) {
      const project = await fromPage(page, 'POST', '/v1/organization/projects', { name: 'made without the token' }, csrf);
      expect(project.status, `project, csrf ${csrf}`).toBe(403);
      expect(project.body.error?.code).toBe('invalid_csrf_token');
      const key = await fromPage(page, 'POST', '/console/api/api_keys', { name: 'made without the token' }, csrf);
      expect(key.status, `key, csrf ${csrf}`).toBe(403);
      expect(key.body.error?.code).toBe('invalid_csrf_token');
      // Signing out is a state change too: refused, the session goes on.
      const out = await fromPage(page, 'DELETE', '/console/api/session', undefined, csrf);
      expect(out.status, `sign-out, csrf ${csrf}`).toBe(403);
    }
    expect(await projectNames()).not.toContain('made without the token');
    const session = await fromPage(page, 'GET', '/console/api/session');
    expect(session.status).toBe(200);

    // The same request with the session's token is admitted: the refusals were the token's doing.
    const csrf = session.body.csrf_token as string;
    const made = await fromPage(page, 'POST', '/v1/organization/projects', { name: 'made with the token' }, csrf);
    expect(made.status).toBe(200);
    expect(await projectNames()).toContain('made with the token');
    await context.close();
  }, 120_000);

  it('refuses a form another site posts to the console with the signed-in cookie', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    // Another site (localhost is not the same site as 127.0.0.1): a page that posts a form at once.
    const target = `${f.g.url}/v1/organization/projects`;
    other = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form method="POST" action="${target}" enctype="text/plain"><input name='{"name":"made by another site","x":"' value='"}'></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => other!.listen(0, resolve));
    const port = (other.address() as AddressInfo).port;
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url() === target), page.goto(`http://localhost:${port}/`)]);
    expect([401, 403]).toContain(answer.status());
    expect(await projectNames()).not.toContain('made by another site');
    await context.close();
  }, 120_000);

  it('never keeps a session cookie planted before sign-in, and ends it; sign-out ends the new one', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await page.goto(`${f.g.url}/login`);
    await page.waitForSelector('input[name=email]');
    // An attacker signs in with an account of their own and plants that session in the victim's browser.
    const mallory = await member(`mallory@example.com`, 'mallory-password-long-enough');
    const attacker = new CookieJar(f.g.url);
    expect((await attacker.signIn(mallory.email, mallory.password)).status).toBe(200);
    const planted = attacker.token!;
    await context.addCookies([{ name: COOKIE, value: planted, url: f.g.url }]);

    await page.fill('input[name=email]', f.owner.email);
    await page.fill('input[name=password]', f.owner.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('nav.sidenav');
    const signedIn = await sessionCookie(context);
    expect(signedIn).toBeDefined();
    expect(signedIn).not.toBe(planted);
    expect(await sessionLives(f.g.url, signedIn!)).toBe(true);
    // The planted session ended with the sign-in: the attacker cannot ride on it.
    expect(await sessionLives(f.g.url, planted)).toBe(false);
    expect((await attacker.call('GET', '/v1/organization/projects')).status).toBe(401);

    // A made-up token planted the same way is not adopted either.
    await page.click(`button:text-is("${text('en', 'nav.signOut')}")`);
    await page.waitForSelector('input[name=email]');
    expect(await sessionLives(f.g.url, signedIn!)).toBe(false);
    const madeUp = `tgs_${'A'.repeat(43)}`;
    await context.addCookies([{ name: COOKIE, value: madeUp, url: f.g.url }]);
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    const second = await sessionCookie(context);
    expect(second).not.toBe(madeUp);
    expect(await sessionLives(f.g.url, second!)).toBe(true);
    await context.close();
  }, 120_000);

  it('"sign out everywhere" ends the sessions of every browser', async () => {
    const a = await openContext(f.browser, 'en');
    const b = await openContext(f.browser, 'en');
    await signIn(a.page, f.g.url, f.owner.email, f.owner.password);
    await signIn(b.page, f.g.url, f.owner.email, f.owner.password);
    const tokenB = (await sessionCookie(b.context))!;
    expect(await sessionLives(f.g.url, tokenB)).toBe(true);

    await a.page.click('nav.sidenav a[href="/account"]');
    await a.page.click(`button:text-is("${text('en', 'account.signOutEverywhere')}")`);
    await a.page.waitForSelector('input[name=email]');
    expect(await sessionLives(f.g.url, tokenB)).toBe(false);
    await b.page.reload();
    await b.page.waitForSelector('input[name=email]');
    expect(new URL(b.page.url()).pathname).toBe('/login');
    await a.context.close();
    await b.context.close();
  }, 120_000);

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`a reader (${lang}) sees no billing, limits or usage, is refused at their URLs, and their APIs answer 403`, async () => {
      await readerIsRefused(lang);
    }, 120_000);
  }

  /** A reader of the organization with a password, made by the operator. */
  async function member(email: string, password: string): Promise<{ email: string; password: string }> {
    const user = await f.g.admin('POST', '/admin/v1/users', { email, name: email.split('@')[0] });
    expect((await f.g.admin('POST', `/admin/v1/organizations/${f.g.orgId}/members`, { user_id: user.body.id, role: 'reader' })).status).toBe(200);
    expect((await f.g.admin('POST', `/admin/v1/users/${user.body.id}/password`, { password })).status).toBe(200);
    return { email, password };
  }

  async function readerIsRefused(lang: Lang) {
    const { email, password } = await member(`reader-${lang}@example.com`, 'a-reader-password-long-enough');

    const { context, page } = await openContext(f.browser, lang);
    const billingCalls: string[] = [];
    page.on('request', (r) => {
      if (/\/console\/api\/billing|\/v1\/organization\/(costs|usage)/.test(r.url())) billingCalls.push(r.url());
    });
    await signIn(page, f.g.url, email, password);
    const nav = await page.locator('nav.sidenav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(nav).toContain('/api-keys');
    for (const owners of ['/limits', '/usage', '/projects']) expect(nav).not.toContain(owners);
    // People is there: a reader invites readers (keys-invite.browser.test.ts).
    expect(nav).toContain('/people');
    const navText = await page.locator('nav.sidenav').innerText();
    for (const label of ['nav.limits', 'nav.usage'] as const) expect(navText).not.toContain(text(lang, label));

    for (const path of ['/limits', '/usage']) {
      await page.goto(`${f.g.url}${path}`);
      await page.waitForSelector('[role=alert]');
      await expect(page.locator('main h1').innerText()).resolves.toBe(text(lang, 'error.forbiddenTitle'));
      await expect(page.locator('main [role=alert]').innerText()).resolves.toBe(text(lang, 'error.forbiddenPage'));
      await expect(page.locator('main').innerText()).resolves.not.toContain('$');
    }
    await settled(page);
    await screenshot(page, 'reader-refused', lang);
    // The page asked for nothing it may not see, and the APIs it would have asked refuse the reader.
    expect(billingCalls).toEqual([]);
    const now = Math.floor(Date.now() / 1000);
    for (const path of ['/console/api/billing', `/v1/organization/costs?start_time=${now - 86_400}`]) {
      const r = await fromPage(page, 'GET', path);
      expect(r.status, path).toBe(403);
      expect(r.body.error?.code, path).toBe('insufficient_permissions');
    }
    const costs = await fromPage(page, 'GET', `/v1/organization/costs?start_time=${now - 86_400}`);
    expect(costs.body.error?.message).toMatch(/^You have insufficient permissions for this operation\. Missing scopes: /);
    await context.close();
  }
});

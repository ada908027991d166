/**
 * The console end to end in headless Chromium against a real gateway: a signed-out visitor is
 * sent to sign in, a wrong password is refused with the message, the right one opens the console,
 * signing out ends the session; every page in both languages (Simplified Chinese with no English
 * left) and at phone width (table headers broken between words only), with screenshots; the icon, so that no page has a failed request;
 * and a signed-out visitor's sign-in page, which leaves no error in the browser's console.
 * Skips, saying why, only when Chromium is not installed.
 */
import { describe, expect, it } from 'vitest';
import { hasChromium, useConsoleFixture, openContext, screenshot, signIn, text, untranslated, type Lang, CHROMIUM } from './support/browser.js';

if (!hasChromium) console.warn(`console browser tests skipped: ${CHROMIUM} is absent (install it: apt-get update && apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('the console in headless Chromium', () => {
  const f = useConsoleFixture();

  it('sends a signed-out visitor to /login, refuses a wrong password, signs in and out', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await page.goto(`${f.g.url}/`);
    await page.waitForSelector('input[type=email][name=email]');
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'login', 'en');

    await page.fill('input[name=email]', f.owner.email);
    await page.fill('input[name=password]', 'not-the-password-at-all');
    await page.click('button[type=submit]');
    await expect(page.locator('[role=alert]').innerText()).resolves.toBe(text('en', 'login.failed'));

    await page.fill('input[name=password]', f.owner.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('nav.sidenav');
    await expect(page.locator('h1').innerText()).resolves.toBe(text('en', 'keys.title'));
    await expect(page.locator('.who').innerText()).resolves.toContain(f.owner.email);

    await page.click(`button:text-is("${text('en', 'nav.signOut')}")`);
    await page.waitForSelector('input[type=email][name=email]');
    // The session is gone on the server too: a protected page sends the visitor back to sign in.
    await page.goto(`${f.g.url}/api-keys`);
    await page.waitForSelector('input[type=email][name=email]');
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  }, 120_000);

  it('has an icon: no console page answers a request with an error, /favicon.ico included', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    await page.goto(`${f.g.url}/login`);
    await page.waitForSelector('input[name=email]');
    const icon = await page.evaluate(() => (document.querySelector('link[rel=icon]') as HTMLLinkElement | null)?.href);
    expect(icon).toBe(`${f.g.url}/favicon.svg`);
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    // Signed in (signed out: the test below).
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') failed.push(m.text());
    });
    for (const path of ['/requests', '/usage']) {
      await page.goto(`${f.g.url}${path}`);
      await page.waitForSelector('h1');
    }
    // What a browser asks for on a page without an icon link (the status page, a JSON answer).
    for (const url of [icon!, `${f.g.url}/favicon.ico`]) {
      const r = await page.request.get(url, { headers: { accept: 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8' } });
      expect(r.status(), url).toBe(200);
      expect(r.headers()['content-type']).toBe('image/svg+xml');
      expect((await r.text()).startsWith('<svg')).toBe(true);
    }
    await page.goto(`${f.g.url}/status`);
    await page.waitForSelector('h1');
    expect(failed).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows a signed-out visitor the sign-in page with no error in the browser console', async () => {
    const { context, page } = await openContext(f.browser, 'en');
    // What devtools would show: console errors (a failed request is logged as one), uncaught
    // exceptions, and any answer that is an error.
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    const loginPage = async (path: string) => {
      await page.goto(`${f.g.url}${path}`);
      await page.waitForSelector('input[type=email][name=email]');
      expect(new URL(page.url()).pathname).toBe('/login');
    };
    // A first visit, straight to /login and by way of / and a signed-in page.
    for (const path of ['/login', '/', '/api-keys']) await loginPage(path);
    // A cookie that names no session any more (expired, or ended elsewhere).
    await context.addCookies([{ name: 'tollgate_session', value: 'no-longer-a-session', url: f.g.url }]);
    await loginPage('/login');
    await context.clearCookies();
    // Signed in, then out: the sign-in page again, and again on a reload.
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    await page.click(`button:text-is("${text('en', 'nav.signOut')}")`);
    await page.waitForSelector('input[type=email][name=email]');
    await loginPage('/login');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`renders every page in ${lang}${lang === 'zh-CN' ? ' with no English left' : ''}, and at phone width`, async () => {
      await everyPage(lang);
    }, 180_000);
  }

  async function everyPage(lang: Lang) {
    const { context, page } = await openContext(f.browser, lang);
    await page.goto(`${f.g.url}/login`);
    await page.waitForSelector('input[name=email]');
    await expect(page.locator('h1').innerText()).resolves.toBe(text(lang, 'login.title'));
    if (lang === 'zh-CN') await screenshot(page, 'login', lang);
    await signIn(page, f.g.url, f.owner.email, f.owner.password);
    const links = await page.locator('nav.sidenav a:not([data-leaves-console])').evaluateAll((as) => as.map((a) => [a.getAttribute('href')!, a.textContent!] as const));
    expect(links.length).toBeGreaterThan(3);
    for (const [href, label] of links) {
      await page.click(`nav.sidenav a[href="${href}"]`);
      await page.waitForSelector(`h1`);
      await page.waitForFunction(() => !document.querySelector('[role=status].muted'));
      const name = href.replace(/^\//, '').replace(/\//g, '-');
      // The same check finds the English page's strings, so an empty answer in Chinese means something.
      if (lang === 'zh-CN') expect(await untranslated(page), `${label} (${href})`).toEqual([]);
      else expect((await untranslated(page)).length, `${label} (${href})`).toBeGreaterThan(0);
      expect(await page.locator('[role=alert]').count(), `${href} shows an error`).toBe(0);
      await screenshot(page, name, lang);
    }
    await context.close();
    // Phone width: the navigation wraps above the page, nothing is wider than the screen.
    const phone = await openContext(f.browser, lang, 390);
    await signIn(phone.page, f.g.url, f.owner.email, f.owner.password);
    // Nothing makes the page scroll sideways (wide tables scroll inside their own box).
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The keys table's headers break between words only ("API 密钥" may take two lines, "创建时间" one):
    // a Chinese header one character a line made the header row several times its height.
    await phone.page.waitForSelector('table th');
    // (The actions column's header is for screen readers only: no line to count.)
    const broken = await phone.page.locator('table th:not(:has(.visually-hidden))').evaluateAll((ths) =>
      ths.flatMap((th) => {
        const words = th.textContent!.trim().split(/\s+/).filter(Boolean);
        const range = document.createRange();
        range.selectNodeContents(th);
        const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
        return words.length > 0 && lines > words.length ? [`"${th.textContent}": ${lines} lines`] : [];
      }),
    );
    expect(broken).toEqual([]);
    await screenshot(phone.page, 'phone-api-keys', lang);
    await phone.context.close();
  }
});

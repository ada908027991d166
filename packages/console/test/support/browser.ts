/**
 * Drives the console in headless Chromium (Debian's /usr/bin/chromium through playwright-core),
 * against a real gateway that serves the built console. Screenshots go to
 * docs/screenshots/console/<page>-<lang>.png, which the README points to, when
 * TOLLGATE_UPDATE_SCREENSHOTS=1, else to a temporary directory (gateway/test/support/screenshots.ts).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { MESSAGES } from '../../src/i18n/messages.js';
import { afterAll, beforeAll } from 'vitest';
import type { Clock } from 'tollgate';
import { startTestGateway, type TestGateway } from '../../../gateway/test/support/gateway.js';
import { screenshotPath } from '../../../gateway/test/support/screenshots.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export type Lang = 'en' | 'zh-CN';

export const launch = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

/**
 * A fresh browser profile (no cookies) whose browser language is `lang`, in the time zone
 * `timezoneId` (Asia/Shanghai unless given). `bypassCSP` lets a test inject its own script
 * (axe-core) into pages whose CSP allows only the console's scripts.
 */
export async function openContext(browser: Browser, lang: Lang, width = 1200, opts: { bypassCSP?: boolean; timezoneId?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: lang === 'en' ? 'en-US' : 'zh-CN', viewport: { width, height: 860 }, timezoneId: opts.timezoneId ?? 'Asia/Shanghai', bypassCSP: opts.bypassCSP === true });
  context.setDefaultTimeout(30_000);
  return { context, page: await context.newPage() };
}

/** The console's string in `lang`, placeholders filled. */
export function text(lang: Lang, key: keyof (typeof MESSAGES)['en'], vars: Record<string, string | number> = {}): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (_m, n: string) => String(vars[n]));
}

/** Waits until the page in view has its heading and has finished loading what it shows. */
export async function settled(page: Page): Promise<void> {
  await page.waitForSelector('h1');
  await page.waitForFunction(() => !document.querySelector('[role=status].muted'));
}

export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.fill('input[type=email][name=email]', email);
  await page.fill('input[type=password][name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav.sidenav');
}

/**
 * Writes the page to console/<name>-<lang>.png under docs/screenshots/ (TOLLGATE_UPDATE_SCREENSHOTS=1)
 * or a temporary directory; returns its path. `mask` covers elements that show a secret (a key shown
 * once): the pictures are committed, and a secret never is, not even a test's.
 */
export async function screenshot(page: Page, name: string, lang: Lang, mask: Locator[] = []): Promise<string> {
  const path = screenshotPath(`console/${name}-${lang}.png`);
  await page.screenshot({ path, fullPage: true, mask });
  return path;
}

/**
 * Gives the organization's first owner (made by the test gateway) a password, and with `operator`
 * the operator's pages too; returns how to sign in.
 */
export async function ownerLogin(g: TestGateway, userId = g.userId, operator = false): Promise<{ email: string; password: string }> {
  const password = `pw-${Math.random().toString(36).slice(2)}-long-enough`;
  const set = await g.admin('POST', `/admin/v1/users/${userId}/password`, { password, ...(operator ? { operator: true } : {}) });
  if (set.status >= 300) throw new Error(`set password: ${set.status} ${JSON.stringify(set.body)}`);
  const user = await g.admin('GET', `/admin/v1/users/${userId}`);
  return { email: user.body.email as string, password };
}

/**
 * The Administration API (/v1/organization…) with a new admin key of the gateway's organization,
 * for a test to set up what the console then shows and to read back what it changed.
 */
export async function orgApi(g: TestGateway, keyName: string): Promise<(method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>> {
  const key = await g.admin('POST', `/admin/v1/organizations/${g.orgId}/admin_api_keys`, { name: keyName });
  return async (method, path, body) => {
    const res = await fetch(`${g.baseURL}/organization${path}`, {
      method,
      headers: { authorization: `Bearer ${key.body.value}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}

/**
 * Every piece of text a viewer can see or hear on the page (text nodes, labels for screen
 * readers, placeholders, titles) that is English where the page should be Chinese: the
 * console's own English strings whose Chinese differs, and any run of three English words.
 */
export async function untranslated(page: Page): Promise<string[]> {
  const seen: string[] = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('code, pre, script, style, [data-testid], [translate=no]')) continue;
      const v = n.textContent?.trim();
      if (v) out.push(v);
    }
    for (const el of Array.from(document.querySelectorAll('[aria-label], [placeholder], [title], [alt]'))) {
      for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
        const v = el.getAttribute(a)?.trim();
        if (v) out.push(v);
      }
    }
    out.push(document.title);
    return out;
  });
  const english = Object.entries(MESSAGES.en)
    .filter(([k, v]) => MESSAGES['zh-CN'][k as keyof (typeof MESSAGES)['en']] !== v)
    .map(([, v]) => new RegExp(`^${v.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.*')}$`));
  return seen.filter((s) => english.some((re) => re.test(s)) || /[A-Za-z]{2,}(\s+[A-Za-z]{2,}){2,}/.test(s));
}

export interface ConsoleFixture {
  g: TestGateway;
  browser: Browser;
  owner: { email: string; password: string };
}

/**
 * A describe block's gateway (its first owner with a password; with `operator` the owner is an
 * operator too; on `clock` when given) and browser, started once.
 */
export function useConsoleFixture(opts: { operator?: boolean; clock?: Clock } = {}): ConsoleFixture {
  const f = {} as ConsoleFixture;
  beforeAll(async () => {
    f.g = await startTestGateway({}, opts.clock ? { clock: opts.clock } : {});
    f.owner = await ownerLogin(f.g, f.g.userId, opts.operator === true);
    f.browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await f.browser?.close();
    await f.g?.close();
  });
  return f;
}

/**
 * Accessibility of every public status page, checked with axe-core (every rule it runs by
 * default, any impact) in headless Chromium, in English and Chinese: the page in every state of
 * `STATES` (each top-level status, each component status, incidents of each impact, a
 * maintenance in progress), and the page of an incident or maintenance for each kind, status and
 * impact that occurs (open, resolved, postmortem; upcoming, in progress, completed) — pages that
 * differ only in their text are checked once. No violation may be left. Skips, saying why, only
 * when Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from 'tollgate';
import { addAxe, axeViolations, type AxeFinding } from '../support/axe.js';
import type { TestGateway } from '../support/gateway.js';
import { seedHistory, statusGateway } from './helpers.js';
import { enter, STATES, type Opened } from './states.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`status page accessibility test skipped: ${CHROMIUM} is absent (install it: apt-get update && apt-get install -y chromium)`);
const LANGS = ['en', 'zh-CN'] as const;

describe.skipIf(!hasChromium)('accessibility of every status page (axe-core)', () => {
  let g: TestGateway;
  let clock: FakeClock;
  let browser: Browser;
  /** A page for each language, each in a context (a renderer process) of its own: the two are checked side by side. */
  const pages = {} as Record<(typeof LANGS)[number], Page>;

  beforeAll(async () => {
    ({ g, clock } = await statusGateway());
    await seedHistory(g);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    for (const lang of LANGS) {
      const context = await browser.newContext({ viewport: { width: 960, height: 900 } });
      // Every page checked is a new document: axe-core comes with each, instead of being added to each.
      await addAxe(context);
      pages[lang] = await context.newPage();
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  /** axe's findings on each path in each language, keyed by path and language (the languages at the same time: nothing changes while they are checked). */
  async function check(paths: string[]): Promise<Record<string, AxeFinding[]>> {
    const found: Record<string, AxeFinding[]> = {};
    await Promise.all(
      LANGS.map(async (lang) => {
        const page = pages[lang];
        for (const path of paths) {
          const res = await page.goto(`${g.url}${path}?lang=${lang}`);
          expect(res?.status(), `${path} (${lang})`).toBe(200);
          const v = await axeViolations(page);
          if (v.length > 0) found[`${path} (${lang})`] = v;
        }
      }),
    );
    return found;
  }

  /** The incidents' and maintenances' pages not checked yet for their kind, status and impact. */
  const seen = new Set<string>();
  async function newIncidentPages(): Promise<string[]> {
    const list = async (kind: string) => (await g.admin('GET', `/admin/v1/status/incidents?kind=${kind}`)).body.data as { id: string; status: string; impact: string }[];
    const fresh = [...(await list('incident')), ...(await list('maintenance'))].filter((i) => !seen.has(`${i.status}:${i.impact}`));
    for (const i of fresh) seen.add(`${i.status}:${i.impact}`);
    return fresh.map((i) => `/status/incidents/${i.id}`);
  }

  let opened: Opened | null = null;
  for (const state of STATES) {
    it(`${state.name}: the page, and its incidents' pages`, async () => {
      opened = await enter(g, clock, state, opened);
      const found = await check(['/status', ...(await newIncidentPages())]);
      expect(found, JSON.stringify(found, null, 2)).toEqual({});
    }, 120_000);
  }

  it('the pages of a postmortem and of an upcoming maintenance', async () => {
    const incidents = (await g.admin('GET', '/admin/v1/status/incidents')).body.data as { id: string }[];
    expect((await g.admin('POST', `/admin/v1/status/incidents/${incidents[0]!.id}/postmortem`, { body: 'What happened, and what we changed.' })).status).toBe(200);
    const from = clock.now() + 86_400_000;
    expect((await g.admin('POST', '/admin/v1/status/maintenances', { name: 'Upcoming database upgrade', scheduled_for: new Date(from).toISOString(), scheduled_until: new Date(from + 3_600_000).toISOString(), components: ['Public API'] })).status).toBe(200);
    const pages = await newIncidentPages();
    expect(pages).toHaveLength(2);
    const found = await check(['/status', ...pages]);
    expect(found, JSON.stringify(found, null, 2)).toEqual({});
  }, 120_000);
});

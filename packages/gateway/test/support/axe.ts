/**
 * axe-core in the page under test: its script (from node_modules, the pinned version) is added to
 * the page, which needs a context opened with `bypassCSP` when the page's CSP admits only its own
 * scripts (the console's does, rightly). Every rule axe runs by default (WCAG A and AA, and its
 * best practices such as `heading-order`).
 */
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  /** Each failing element: its selector and what axe says is wrong. */
  nodes: string[];
}

type AxeApi = typeof import('axe-core');

/**
 * Loads axe-core into every document of `context` as the document starts: Chromium is given the
 * script once, instead of `axeViolations` adding it to each page it checks. A test that checks
 * page after page by navigating saves what adding it costs (the 650 kB script sent and injected,
 * a second or more a page on a loaded machine, about as long as axe's own run). axe finds the
 * same either way.
 */
export async function addAxe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ path: AXE_SCRIPT });
}

/** The page's axe-core violations, of any impact (an empty list when there are none); adds axe-core to the page if `addAxe` did not. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: AxeApi }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
    }));
  });
}

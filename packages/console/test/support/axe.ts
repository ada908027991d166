/**
 * axe-core in the page under test: its script (from node_modules, the pinned version) is added to
 * the page, which needs a context opened with `bypassCSP` (the console's CSP admits only its own
 * scripts, rightly). Reports what a screen-reader or keyboard user would be blocked by: the
 * violations axe rates serious or critical.
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  /** Each failing element: its selector and what axe says is wrong. */
  nodes: string[];
}

type AxeApi = typeof import('axe-core');

/** The page's serious and critical axe-core violations (an empty list when there are none). */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SCRIPT });
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: AxeApi }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
    }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * axe-core in the console's pages (see gateway/test/support/axe.ts; the console's CSP needs a
 * context opened with `bypassCSP`). Reports what a screen-reader or keyboard user would be
 * blocked by: the violations axe rates serious or critical.
 */
import type { Page } from 'playwright-core';
import { axeViolations, type AxeFinding } from '../../../gateway/test/support/axe.js';

export type { AxeFinding };

/** The page's serious and critical axe-core violations (an empty list when there are none). */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  return (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

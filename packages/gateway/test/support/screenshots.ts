/**
 * Where the browser tests write their screenshots. By default a temporary directory of the run
 * (made by this file as a vitest globalSetup, removed when the run ends): a test run leaves the
 * working tree as it found it. With `TOLLGATE_UPDATE_SCREENSHOTS=1`, the repository's
 * docs/screenshots/, the pictures the README shows, to be committed with the change that altered
 * the pages.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UPDATE_SCREENSHOTS = process.env.TOLLGATE_UPDATE_SCREENSHOTS === '1';

const DOCS = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
/** The run's directory, passed to the test workers through their environment. */
const RUN_DIR = 'TOLLGATE_TEST_SCREENSHOT_DIR';

/** Vitest globalSetup: the run's directory, and its removal at the end. */
export default function setup(): (() => void) | undefined {
  if (UPDATE_SCREENSHOTS || process.env[RUN_DIR] !== undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-screenshots-'));
  process.env[RUN_DIR] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}

/** Without the global setup (another config): a directory of this process's own. */
let own: string | undefined;

/** The file `name` (a path under docs/screenshots/, e.g. `console/login-en.png`) is written to; its directory exists. */
export function screenshotPath(name: string): string {
  const base = UPDATE_SCREENSHOTS ? DOCS : (process.env[RUN_DIR] ?? (own ??= mkdtempSync(join(tmpdir(), 'tollgate-screenshots-'))));
  const path = join(base, name);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

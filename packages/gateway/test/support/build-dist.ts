/**
 * Vitest globalSetup: some tests run the compiled gateway (`packages/gateway/dist/cli/main.js`)
 * as a real process. If `src` changed since the last build they would test stale code and pass
 * or fail for the wrong reason, so the packages are rebuilt (`tsc -b`) first when any source
 * file, tsconfig or package.json is newer than that package's build info; the console (served by
 * the gateway, driven by the browser tests) is rebuilt (`vite build`) when its sources are newer
 * than its dist/index.html. Runs once per
 * `vitest run`, in the main process, so parallel test files never build at the same time.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const PACKAGES = ['protocol', 'client', 'gateway'];

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function mtimeOrZero(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The packages whose dist is older than their sources (or missing). */
export function staleDists(root = ROOT): string[] {
  const shared = Math.max(mtimeOrZero(join(root, 'tsconfig.base.json')), mtimeOrZero(join(root, 'tsconfig.json')));
  return PACKAGES.filter((p) => {
    const dir = join(root, 'packages', p);
    const sources = Math.max(shared, newestMtime(join(dir, 'src')), mtimeOrZero(join(dir, 'tsconfig.json')), mtimeOrZero(join(dir, 'package.json')));
    return mtimeOrZero(join(dir, 'dist', '.tsbuildinfo')) < sources;
  });
}

/** Whether the console's build (dist/index.html) is older than its sources, or missing. */
export function staleConsole(root = ROOT): boolean {
  const dir = join(root, 'packages', 'console');
  const inputs = ['src', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'].map((f) => join(dir, f));
  const sources = Math.max(...inputs.map((f) => (mtimeOrZero(f) === 0 ? 0 : newestMtime(f))));
  return mtimeOrZero(join(dir, 'dist', 'index.html')) < sources;
}

export default function setup(): void {
  const stale = staleDists();
  if (stale.length > 0) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    process.stderr.write(`[build-dist] dist older than src in ${stale.join(', ')}: running tsc -b\n`);
    execFileSync(process.execPath, [tsc, '-b'], { cwd: ROOT, stdio: 'inherit' });
  }
  if (staleConsole()) {
    const dir = join(ROOT, 'packages', 'console');
    const vite = join(dirname(createRequire(join(dir, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
    process.stderr.write('[build-dist] console dist older than its sources: running vite build\n');
    // The build `npm run build` makes: vitest sets NODE_ENV=test, with which vite would bundle
    // React's development build (StrictMode then runs every effect twice: a page's requests too).
    execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: dir, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  }
}

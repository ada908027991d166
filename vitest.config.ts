import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const TESTS = 'packages/*/test/**/*.test.ts';

/**
 * The test files that replace a module (`vi.mock`) or stub a global or the environment: they run
 * in a fresh process each, as every file used to. The others share their worker's modules, where
 * a module imported by an earlier file would already be the real one, and a stub would outlive
 * its file.
 */
const NEEDS_ISOLATION = readdirSync(join(ROOT, 'packages'))
  .flatMap((pkg) => {
    const dir = join('packages', pkg, 'test');
    try {
      return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f));
    } catch {
      return [];
    }
  })
  .filter((f) => f.endsWith('.test.ts') && /\bvi\.(mock|doMock|stubGlobal|stubEnv)\(/.test(readFileSync(join(ROOT, f), 'utf8')));

/**
 * The files that take longest: they start gateway processes (a cluster, the CLI) or drive
 * Chromium. Started first, so that on a few cores the run does not end with one of them running
 * alone.
 */
const SLOW = [/\/test\/cluster\//, /\.browser\.test\.ts$/, /\/test\/cli\/serve\.test\.ts$/, /\/test\/identity\/(many-keys|secret-file-race)\.test\.ts$/];

/**
 * Of those, the two longest, before the others (which go largest first, and the status page's
 * accessibility check is a small file): that check (a browser and a gateway through 29 states,
 * about as long as all the rest of the run on a 2-core machine), then the CLI's serve tests (some
 * 35 processes started one after another).
 */
const LONGEST = [/\/test\/status\/a11y\.browser\.test\.ts$/, /\/test\/cli\/serve\.test\.ts$/];

/**
 * Vitest's order (the last run's durations, slowest first; without them, as on a fresh CI
 * checkout, the largest files first), with the longest and then the known slow files first when a
 * file has no recorded duration.
 */
class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const { cache, config } = this.ctx;
    const timed = files.every((f) => cache.getFileTestResults(`${f.project.name}:${relative(config.root, f.moduleId)}`));
    if (timed) return sorted;
    const slow = (f: TestSpecification) => SLOW.some((re) => re.test(f.moduleId));
    const longest = LONGEST.flatMap((re) => sorted.filter((f) => re.test(f.moduleId)));
    const rest = sorted.filter((f) => !longest.includes(f));
    return [...longest, ...rest.filter(slow), ...rest.filter((f) => !slow(f))];
  }
}

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the workspace packages from source, so `vitest` needs no build and a test sees the
    // code as it is now. The same mapping is in tsconfig.test.json's `paths` (one set of types for
    // tests and sources). The packages' own `exports` stay dist-only: what is published is built.
    // Order matters: a string alias also matches its subpaths, so the subpath comes first.
    alias: [
      { find: '@tollgate/client/node', replacement: fileURLToPath(new URL('./packages/client/src/node.ts', import.meta.url)) },
      { find: '@tollgate/protocol', replacement: src('protocol') },
      { find: '@tollgate/client', replacement: src('client') },
      { find: 'tollgate', replacement: src('gateway') },
    ],
  },
  test: {
    // Tests that run the compiled gateway must not run a stale build: rebuild when src is newer.
    // Run once, by the root; the projects below inherit the rest (not `include`: a project's
    // would be added to the root's).
    // And a run that leaves files in the repository's data/ fails (data-dir-guard.ts). Screenshots
    // go to a temporary directory of the run unless TOLLGATE_UPDATE_SCREENSHOTS=1 (screenshots.ts).
    globalSetup: ['packages/gateway/test/support/build-dist.ts', 'packages/gateway/test/support/data-dir-guard.ts', 'packages/gateway/test/support/screenshots.ts'],
    // Every file: the processes its tests started (support/children.ts) are killed after the test,
    // or the file, that started them, whether it passed, failed or timed out.
    setupFiles: ['packages/gateway/test/support/children-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits for a condition (a ledger flushed, a page refreshed). Its default deadline
    // (1 s) is shorter than a loaded 2-core machine can take to get there; a condition that never
    // comes still fails, later. vi.waitFor has no such setting: its calls give their own timeout.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // At least two files at a time: vitest's default (one worker fewer than the cores) ran them
    // one at a time on a 2-core machine, where the main process has little to do after the
    // transforms and most files wait on sockets, child processes or a browser part of the time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFirst },
    projects: [
      // A worker keeps the modules it has imported from one file to the next, instead of importing
      // the whole gateway again for each file (2 to 6 s a file, most of the run's time). The
      // sources keep nothing between gateways but caches of pure functions (name memos, the
      // tokenizer's tables), every file starts its own gateways, stores and servers, and a test
      // that changes process.env puts it back.
      { extends: true, test: { name: 'tollgate', globalSetup: [], isolate: false, include: [TESTS], exclude: [...configDefaults.exclude, ...NEEDS_ISOLATION] } },
      ...(NEEDS_ISOLATION.length > 0 ? [{ extends: true, test: { name: 'tollgate (isolated)', globalSetup: [], isolate: true, include: NEEDS_ISOLATION } }] : []),
    ],
  },
});

/**
 * `npm start`'s stdout is the gateway's JSON log and nothing else of ours: the build it runs first
 * (tsc, then Vite's report of the console's files) writes to stderr, and a build that fails shows
 * its errors there and starts no gateway. The repository's own `start` script runs, verbatim, in a
 * scratch package whose `build` and gateway entry stand in for the real ones (the real build takes
 * a minute): the build prints chatter on stdout, the gateway one JSON line. npm's own banner
 * ("> start", the command) is npm's, on stdout unless `--silent`, which the README says to use
 * when piping the log.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = realpathSync(new URL('../../../..', import.meta.url).pathname);
const START = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
const LOG_LINE = '{"level":30,"service":"tollgate","msg":"listening"}';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-npm-start-'));
  mkdirSync(join(dir, 'packages', 'gateway', 'dist', 'cli'), { recursive: true });
  // The gateway: its JSON log line on stdout, and the arguments it was started with.
  writeFileSync(join(dir, 'packages', 'gateway', 'dist', 'cli', 'main.js'), `console.log(${JSON.stringify(LOG_LINE)}); console.error('argv: ' + process.argv.slice(2).join(' '));\n`);
  // The build: what tsc and vite print (on stdout), a warning on stderr; BUILD_FAILS makes it fail as tsc does.
  writeFileSync(
    join(dir, 'build.mjs'),
    [
      "if (process.env.BUILD_FAILS) { console.log(\"src/x.ts(1,7): error TS2322: Type 'string' is not assignable to type 'number'.\"); process.exit(2); }",
      "console.log('vite v7.3.8 building client environment for production...');",
      "console.log('dist/index.html                   0.72 kB │ gzip:   0.41 kB');",
      "console.error('(!) a build warning');",
    ].join('\n'),
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'start-check', private: true, scripts: { build: 'node build.mjs', start: START } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm start [args]` in the scratch package: its exit code, stdout and stderr. */
async function npmStart(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  // Not the log level of an npm that started this test run (npm test --silent would pass it on).
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  try {
    const { stdout, stderr } = await run('npm', ['start', ...args], { cwd: dir, env: { ...inherited, npm_config_update_notifier: 'false', ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('npm start', () => {
  it('writes only the gateway\'s log to stdout with --silent; the build\'s output goes to stderr', async () => {
    const r = await npmStart(['--silent']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${LOG_LINE}\n`);
    expect(r.stderr).toContain('vite v7.3.8 building client environment for production...');
    expect(r.stderr).toContain('dist/index.html');
    expect(r.stderr).toContain('(!) a build warning');
    expect(r.stderr).toContain('argv: serve');
  });

  it('without --silent, the only other lines on stdout are npm\'s own banner', async () => {
    const r = await npmStart([]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines.at(-1)).toBe(LOG_LINE);
    // "> start-check start" (or "> start") and "> <the script>", before the gateway's line.
    expect(lines.slice(0, -1).every((l) => l.startsWith('> '))).toBe(true);
    expect(r.stderr).toContain('dist/index.html');
  });

  it('a build that fails shows its errors on stderr, exits non-zero and starts no gateway', async () => {
    const r = await npmStart(['--silent'], { BUILD_FAILS: '1' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(r.stderr).not.toContain('argv: serve');
  });
});

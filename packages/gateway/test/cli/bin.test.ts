/**
 * The `tollgate` command as npm installs it: node_modules/.bin/tollgate is a symlink that npm
 * creates on `npm install` (the workspace's bin), and the command must run through that link.
 * The entry used to compare its own path with argv[1], which through the link never matched: the
 * linked command printed nothing and exited 0.
 */
import { lstatSync, mkdtempSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileChild as run } from '../support/children.js';

const ROOT = realpathSync(new URL('../../../..', import.meta.url).pathname);
const BIN = join(ROOT, 'node_modules', '.bin', 'tollgate');
const MAIN = join(ROOT, 'packages', 'gateway', 'dist', 'cli', 'main.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'packages', 'gateway', 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(() => {
  let isLink = false;
  try {
    isLink = lstatSync(BIN).isSymbolicLink();
  } catch {
    // reported below
  }
  if (!isLink) throw new Error(`${BIN} is not linked: run \`npm install\` in ${ROOT} (npm links the workspace's bin)`);
});

describe('the linked tollgate bin', () => {
  it('is the gateway package bin, and --help prints the usage from the repository root', async () => {
    expect(realpathSync(BIN)).toBe(join(ROOT, 'packages', 'gateway', 'bin', 'tollgate.js'));
    const { stdout } = await run(BIN, ['--help'], { cwd: ROOT });
    expect(stdout).toMatch(/^Usage: tollgate <command>/);
    expect(stdout).toContain('serve');
  });

  it('--version prints the package version', async () => {
    const { stdout } = await run(BIN, ['--version'], { cwd: ROOT });
    expect(stdout).toBe(`tollgate ${VERSION}\n`);
  });

  it('a usage error exits 2 through the link', async () => {
    const err = await run(BIN, ['frobnicate'], { cwd: tmpdir() }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toContain("unknown command 'frobnicate'");
  });

  it('npx tollgate --help works from the repository root', async () => {
    const { stdout } = await run('npx', ['--offline', 'tollgate', '--help'], { cwd: ROOT });
    expect(stdout).toMatch(/^Usage: tollgate <command>/);
  });

  it('dist/cli/main.js run through a symlink of its own still runs (the entry compares real paths)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-link-'));
    const link = join(dir, 'tollgate');
    symlinkSync(MAIN, link);
    const { stdout } = await run(process.execPath, [link, '--version']);
    expect(stdout).toBe(`tollgate ${VERSION}\n`);
  });
});

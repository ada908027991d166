import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleConsole, staleDists } from './build-dist.js';

/** A fake monorepo in which every package was built at t=1000 s from sources written at t=500 s. */
function fakeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'tg-build-dist-'));
  for (const p of ['protocol', 'client', 'gateway']) {
    mkdirSync(join(root, 'packages', p, 'src', 'deep'), { recursive: true });
    mkdirSync(join(root, 'packages', p, 'dist'), { recursive: true });
    writeFileSync(join(root, 'packages', p, 'src', 'deep', 'a.ts'), '');
    writeFileSync(join(root, 'packages', p, 'dist', '.tsbuildinfo'), '');
    for (const f of ['src/deep/a.ts', 'src/deep', 'src']) utimesSync(join(root, 'packages', p, f), 500, 500);
    utimesSync(join(root, 'packages', p, 'dist', '.tsbuildinfo'), 1000, 1000);
  }
  return root;
}

describe('the dist rebuild check (vitest globalSetup)', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds nothing to build when every dist is newer than its sources', () => {
    root = fakeRepo();
    expect(staleDists(root)).toEqual([]);
  });

  it('rebuilds a package whose source file (however deep) is newer than its build', () => {
    root = fakeRepo();
    utimesSync(join(root, 'packages', 'gateway', 'src', 'deep', 'a.ts'), 2000, 2000);
    expect(staleDists(root)).toEqual(['gateway']);
  });

  it('rebuilds a package that was never built, and every package when the shared tsconfig changed', () => {
    root = fakeRepo();
    rmSync(join(root, 'packages', 'client', 'dist'), { recursive: true });
    expect(staleDists(root)).toEqual(['client']);
    writeFileSync(join(root, 'tsconfig.base.json'), '{}');
    utimesSync(join(root, 'tsconfig.base.json'), 3000, 3000);
    expect(staleDists(root)).toEqual(['protocol', 'client', 'gateway']);
  });

  it('rebuilds the console when a source is newer than its dist/index.html, or it was never built', () => {
    root = fakeRepo();
    const dir = join(root, 'packages', 'console');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'App.tsx'), '');
    for (const f of ['src/App.tsx', 'src']) utimesSync(join(dir, f), 500, 500);
    expect(staleConsole(root)).toBe(true);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'index.html'), '');
    utimesSync(join(dir, 'dist', 'index.html'), 1000, 1000);
    expect(staleConsole(root)).toBe(false);
    utimesSync(join(dir, 'src', 'App.tsx'), 2000, 2000);
    expect(staleConsole(root)).toBe(true);
  });
});

/**
 * `@tollgate/client` and `@tollgate/protocol` outside this repository, as a user installs them:
 * `npm pack` both, `npm install` the two tarballs into an empty folder (offline: the packages need
 * nothing but each other), import them from a script there, and call a running gateway.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileChild as run } from '../../gateway/test/support/children.js';
import { startTestGateway, type TestGateway } from '../../gateway/test/support/gateway.js';

const PACKAGES = new URL('../../', import.meta.url).pathname;

let gw: TestGateway;
let dir: string;
beforeAll(async () => {
  gw = await startTestGateway();
  dir = mkdtempSync(join(tmpdir(), 'tollgate-pack-'));
}, 60_000);
afterAll(() => gw?.close());

describe('installing the client from its tarballs', () => {
  it('npm pack both, install the tarballs offline in an empty folder, import them and call the gateway', async () => {
    for (const pkg of ['protocol', 'client']) {
      await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: join(PACKAGES, pkg) });
    }
    const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz')).sort();
    expect(tarballs).toEqual(['tollgate-client-0.1.0.tgz', 'tollgate-protocol-0.1.0.tgz']);

    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // --offline: nothing may come from a registry; the two packages need only each other.
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs.map((t) => join(dir, t))], { cwd: app });
    for (const pkg of ['client', 'protocol']) expect(lstatSync(join(app, 'node_modules', '@tollgate', pkg)).isSymbolicLink()).toBe(false);

    writeFileSync(
      join(app, 'main.mjs'),
      `import { Tollgate, InvalidRequestError } from '@tollgate/client';
import { batchCommand } from '@tollgate/client/node';
import { findEntry } from '@tollgate/protocol';
const client = new Tollgate({ apiKey: process.env.TOLLGATE_API_KEY, maxRetries: 0 });
const r = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 5 });
let refused;
try {
  await client.chat.completions.create({ model: 'sim-small', messages: [] });
} catch (e) {
  refused = { isClass: e instanceof InvalidRequestError, code: e.code };
}
console.log(JSON.stringify({
  resolved: import.meta.resolve('@tollgate/client'),
  content: r.choices[0].message.content,
  refused,
  entry: findEntry('insufficient_quota')?.status,
  batch: typeof batchCommand,
}));
`,
    );
    const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: app, env: { PATH: process.env.PATH ?? '', TOLLGATE_API_KEY: gw.apiKey, TOLLGATE_URL: gw.url } });
    const out = JSON.parse(stdout) as { resolved: string; content: string; refused: { isClass: boolean; code: string }; entry: number; batch: string };
    expect(out.resolved).toContain(join(app, 'node_modules', '@tollgate', 'client'));
    expect(out.content.length).toBeGreaterThan(0);
    expect(out.refused).toEqual({ isClass: true, code: 'empty_array' });
    expect(out.entry).toBe(429);
    expect(out.batch).toBe('function');
  }, 180_000);
});

/**
 * `tollgate serve` as a user runs it: a first start prints the keys once, the official SDK works
 * with the printed key, and SIGTERM lets an in-flight request finish before exiting 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

function start(args: string[], cwd: string, env: Record<string, string> = {}): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

async function waitFor(pred: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -b\` (npm test builds first)`);
});

describe('tollgate serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-serve-'));
  let port: number;
  let proc: ReturnType<typeof start>;

  beforeAll(async () => {
    port = await freePort();
    writeFileSync(
      join(dir, 'tollgate.yaml'),
      `server: { port: ${port}, shutdown_grace_ms: 10000 }\nmodels:\n  - name: slow\n    simulator: { ttft_ms: 800 }\n  - name: sim-small\n`,
    );
    proc = start(['serve'], dir);
    await waitFor(() => /API key for org-/.test(proc.out()), 'the first-start banner');
  });
  afterAll(() => {
    proc.child.kill('SIGKILL');
  });

  it('prints the URL, the admin key and the API key once, and stores neither in plain text', async () => {
    const out = proc.out();
    expect(out).toContain(`listening on http://127.0.0.1:${port}`);
    const apiKey = /(sk-tg-[A-Za-z0-9_-]+)/.exec(out)![1]!;
    const adminKey = /(tga-[A-Za-z0-9_-]+)/.exec(out)![1]!;
    const db = readFileSync(join(dir, 'data', 'tollgate.db'));
    const wal = existsSync(join(dir, 'data', 'tollgate.db-wal')) ? readFileSync(join(dir, 'data', 'tollgate.db-wal')) : Buffer.alloc(0);
    for (const secret of [apiKey, adminKey]) {
      expect(db.includes(secret)).toBe(false);
      expect(wal.includes(secret)).toBe(false);
    }
    const admin = await fetch(`http://127.0.0.1:${port}/admin/v1/organizations`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(admin.status).toBe(200);
  });

  it('serves the official SDK with the printed key, and drains on SIGTERM', async () => {
    const apiKey = /(sk-tg-[A-Za-z0-9_-]+)/.exec(proc.out())![1]!;
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey, maxRetries: 0 });
    const quick = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(quick.choices[0]!.message.content!.length).toBeGreaterThan(0);

    const inFlight = client.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'take your time' }] });
    await new Promise((r) => setTimeout(r, 200));
    proc.child.kill('SIGTERM');
    const answer = await inFlight;
    expect(answer.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(await proc.exited).toBe(0);
  });

  it('a second start on the same database prints no new keys', async () => {
    const again = start(['serve', '--port', String(await freePort())], dir);
    await waitFor(() => /listening on/.test(again.out()), 'the second start');
    expect(again.out()).not.toMatch(/sk-tg-|tga-/);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});

describe('tollgate (other commands)', () => {
  const run = (args: string[]) => {
    const p = start(args, tmpdir());
    return p.exited.then((code) => ({ code, out: p.out() }));
  };
  it('--help lists the commands; an unknown command exits 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('serve');
    expect((await run(['frobnicate'])).code).toBe(2);
  });
  it('a misspelt option is a usage error (exit 2), never silently ignored', async () => {
    const r = await run(['serve', '--prot', '9000']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('unknown option --prot');
    expect((await run(['simulate', '--allow-faults'])).code).toBe(2);
  });
  it('docs errors prints the generated reference', async () => {
    const r = await run(['docs', 'errors', '--lang', 'en']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('## insufficient_quota');
  });
  it('serve with a bad config names the field and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-bad-'));
    writeFileSync(join(dir, 'bad.yaml'), 'server: { port: "eighty" }\n');
    const r = await run(['serve', '--config', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('server.port: expected an integer');
  });
});

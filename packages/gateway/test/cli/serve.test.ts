/**
 * `tollgate serve` as a user runs it: a first start saves the keys to an owner-only file (never to
 * stdout, the log stream), a start that fails (port in use) loses no key, a restart on another port
 * keeps the file's URLs current, the official SDK works with the saved key, and SIGTERM (even sent twice) lets an in-flight request finish before exiting 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { track } from '../support/children.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

type Started = { child: ChildProcess; out: () => string; stdout: () => string; exited: Promise<number | null> };

function start(args: string[], cwd: string, env: Record<string, string> = {}): Started {
  return run(process.execPath, [CLI, ...args], cwd, env);
}

/** `tollgate <args>` as the banner says to run it: in a shell that sourced the first-start credentials file (and has no other TOLLGATE_ variable). */
function sourced(dir: string, args: string[]): Started {
  return run('sh', ['-c', 'set -a; . ./data/first-start-credentials.env; set +a; exec "$@"', 'sh', process.execPath, CLI, ...args], dir, {});
}

/** Killed, if still running, when the test (or, started in a hook, the file) ends: see support/children.ts. */
function run(command: string, argv: string[], cwd: string, env: Record<string, string>): Started {
  const child = track(spawn(command, argv, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let stdout = '';
  child.stdout!.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, stdout: () => stdout, exited };
}

/** KEY=value lines of the first-start credentials file. */
function credentials(dir: string): Record<string, string> {
  const text = readFileSync(join(dir, 'data', 'first-start-credentials.env'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/**
 * Each test starts gateways and commands, each a new process, which on a loaded 2-core machine can
 * take tens of seconds to start (cluster/cluster.ts allows a gateway 60 s): the deadline of a wait
 * for one, and each test's and hook's time, allow for several.
 */
const START_MS = 60_000;
const PROCESSES = { timeout: 2 * START_MS };

async function waitFor(pred: () => boolean, what: string, ms = START_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -b\` (npm test builds first)`);
});

describe('tollgate serve', PROCESSES, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-serve-'));
  let port: number;
  let proc: ReturnType<typeof start>;

  beforeAll(async () => {
    port = await freePort();
    writeFileSync(
      join(dir, 'tollgate.yaml'),
      `server: { port: ${port}, shutdown_grace_ms: 10000 }\nmodels:\n  - name: slow\n    simulator: { ttft_ms: 0, tokens_per_second: 20 }\n  - name: sim-small\n`,
    );
    proc = start(['serve'], dir);
    await waitFor(() => /first-start keys: /.test(proc.out()), 'the first-start banner');
  }, PROCESSES.timeout);
  afterAll(() => {
    proc.child.kill('SIGKILL');
  });

  it('saves the admin key and the API key to an owner-only file, never to stdout (the logs), and stores neither in plain text', async () => {
    const out = proc.out();
    expect(out).toContain(`listening on http://127.0.0.1:${port}`);
    // `ps` names it (no `node …/dist/cli/main.js`).
    expect(readFileSync(`/proc/${proc.child.pid}/cmdline`, 'utf8').replace(/\0+$/, '')).toBe('tollgate serve');
    // The banner says where each surface is: the API, the console, the status page.
    expect(out).toContain(`OpenAI base URL: http://127.0.0.1:${port}/v1`);
    expect(out).toContain(`web console (in a browser): http://127.0.0.1:${port}/`);
    expect(out).toContain(`status page: http://127.0.0.1:${port}/status`);
    const file = join(dir, 'data', 'first-start-credentials.env');
    expect(out).toContain(`first-start keys: ${join('data', 'first-start-credentials.env')}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const c = credentials(dir);
    const apiKey = c.TOLLGATE_API_KEY!;
    const adminKey = c.TOLLGATE_ADMIN_KEY!;
    expect(apiKey).toMatch(/^sk-proj-/);
    expect(adminKey).toMatch(/^tga-/);
    expect(c.TOLLGATE_URL).toBe(`http://127.0.0.1:${port}`);
    expect(c).toMatchObject({ TOLLGATE_HOST: '127.0.0.1', TOLLGATE_PORT: String(port) });
    expect(c.TOLLGATE_PUBLIC_URL).toBeUndefined();
    // stdout is the log stream: JSON lines only, no key (not on stderr either: not a terminal).
    for (const line of proc.stdout().split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    expect(out).not.toContain(apiKey);
    expect(out).not.toContain(adminKey);
    const db = readFileSync(join(dir, 'data', 'tollgate.db'));
    const wal = existsSync(join(dir, 'data', 'tollgate.db-wal')) ? readFileSync(join(dir, 'data', 'tollgate.db-wal')) : Buffer.alloc(0);
    // The secret keys are hashed with is in its own 0600 file, not in the database.
    const secretFile = join(dir, 'data', 'tollgate.secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const keySecret = readFileSync(secretFile, 'utf8').trim();
    for (const secret of [apiKey, adminKey, keySecret]) {
      expect(db.includes(secret)).toBe(false);
      expect(wal.includes(secret)).toBe(false);
    }
    const admin = await fetch(`http://127.0.0.1:${port}/admin/v1/organizations`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(admin.status).toBe(200);
  });

  it('a second gateway on the same database refuses to start: without Redis its limits would be counted a second time, and it would take the running one\'s journal', async () => {
    const counters = join(dir, 'data', 'tollgate.db.counters.lock');
    const holder = JSON.parse(readFileSync(counters, 'utf8')) as { pid: number };
    expect(holder.pid).toBe(proc.child.pid);
    // In the same directory, and again with a journal of its own (what the journal's refusal used to suggest).
    for (const env of [{}, { TOLLGATE_USAGE_JOURNAL: join(dir, 'data', 'second-journal.jsonl') }] as Record<string, string>[]) {
      const second = start(['serve', '--port', String(await freePort())], dir, env);
      expect(await second.exited).toBe(1);
      expect(second.out()).toContain(`error: the database ./data/tollgate.db is in use by another Tollgate process (pid ${proc.child.pid})`);
      expect(second.out()).toContain('TOLLGATE_REDIS_URL');
      // Refused before replaying: it neither read nor deleted the running gateway's segments.
      expect(second.out()).not.toContain('replaying the usage journal');
    }
    expect(JSON.parse(readFileSync(counters, 'utf8'))).toEqual(holder);
    expect(JSON.parse(readFileSync(join(dir, 'data', 'tollgate.db.usage-journal.lock'), 'utf8'))).toEqual(holder);
    const admin = await fetch(`http://127.0.0.1:${port}/admin/v1/organizations`, { headers: { authorization: `Bearer ${credentials(dir).TOLLGATE_ADMIN_KEY}` } });
    expect(admin.status).toBe(200);
  });

  it('serves the official SDK with the printed key, and drains on SIGTERM, sent again while it drains', async () => {
    const apiKey = credentials(dir).TOLLGATE_API_KEY!;
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey, maxRetries: 0 });
    const quick = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(quick.choices[0]!.message.content!.length).toBeGreaterThan(0);

    // A stream whose first chunk has come is in the gateway however loaded the machine (a request
    // sent but not yet read when the drain begins would be refused); at 20 tokens a second it still
    // has most of its answer to send.
    const inFlight = await client.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'take your time' }], max_tokens: 40, stream: true });
    const chunks = inFlight[Symbol.asyncIterator]();
    expect((await chunks.next()).done).toBe(false);
    proc.child.kill('SIGTERM');
    // A process group (Ctrl-C, systemd) and a `--workers` primary both deliver the signal again.
    await waitFor(() => /"msg":"draining"/.test(proc.stdout()), 'the drain to start');
    proc.child.kill('SIGTERM');
    let answer = '';
    for (let c = await chunks.next(); !c.done; c = await chunks.next()) answer += c.value.choices[0]?.delta?.content ?? '';
    expect(answer.length).toBeGreaterThan(0);
    expect(await proc.exited).toBe(0);
    // The last line says the process finished: how long the drain took and what it answered
    // (the counts themselves: test/http/drain-report.test.ts).
    const lines = proc.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped', signal: 'SIGTERM', drained_requests: expect.any(Number), cut_requests: 0, drain_ms: expect.any(Number) });
    expect(lines.at(-1)!.stop_ms).toBeGreaterThanOrEqual(lines.at(-1)!.drain_ms as number);
    expect(lines.filter((l) => l.msg === 'draining')).toHaveLength(1);
  });

  it('a second start on another port makes no new keys, points at the file while it exists, and brings the file\'s URLs up to date', async () => {
    const before = credentials(dir);
    const newPort = await freePort();
    const again = start(['serve', '--port', String(newPort)], dir);
    try {
      await waitFor(() => /first-start keys: /.test(again.out()), 'the second start');
      expect(again.out()).not.toMatch(/sk-proj-|sk-tg-|tga-|tgsetup_/);
      const after = credentials(dir);
      const newUrl = `http://127.0.0.1:${newPort}`;
      // The keys are the ones made on the first start; only the URLs follow the new port.
      expect(after).toEqual({
        ...before,
        TOLLGATE_URL: newUrl,
        TOLLGATE_PORT: String(newPort),
        TOLLGATE_CONSOLE_SETUP_URL: before.TOLLGATE_CONSOLE_SETUP_URL!.replace(`http://127.0.0.1:${port}/`, `${newUrl}/`),
      });
      expect(after.TOLLGATE_CONSOLE_SETUP_URL).toMatch(new RegExp(`^${newUrl}/setup#token=tgsetup_`));
      expect(statSync(join(dir, 'data', 'first-start-credentials.env')).mode & 0o777).toBe(0o600);
      // What the banner tells the user to run reaches the gateway that is running now.
      const cli = sourced(dir, ['orgs', 'list']);
      expect(await cli.exited).toBe(0);
      expect(cli.out()).toContain('Default Organization');
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }
  });
});

describe('tollgate serve: a shell that sourced the first-start credentials file', PROCESSES, () => {
  const server = (check: { stdout: () => string }) => (JSON.parse(check.stdout()) as { server: { host: string; port: number; public_url: string } }).server;

  it('has one gateway in every command: config check shows the port orgs and keys call, and serve listens there again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-sourced-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // Started on the built-in defaults with the port from the environment, which the next shell does not have.
    const first = start(['serve'], dir, { TOLLGATE_PORT: String(port) });
    try {
      await waitFor(() => /first-start keys: /.test(first.out()), 'the first start');
      expect(credentials(dir)).toMatchObject({ TOLLGATE_URL: url, TOLLGATE_HOST: '127.0.0.1', TOLLGATE_PORT: String(port) });
      const check = sourced(dir, ['config', 'check', '--json']);
      expect(await check.exited).toBe(0);
      expect(server(check)).toMatchObject({ host: '127.0.0.1', port, public_url: url });
      const orgs = sourced(dir, ['orgs', 'list', '--json']);
      expect(await orgs.exited).toBe(0);
      expect(orgs.stdout()).toContain(credentials(dir).TOLLGATE_ORGANIZATION!);
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    }

    // serve in that shell listens where the file points, and leaves the file as it was.
    const before = readFileSync(join(dir, 'data', 'first-start-credentials.env'), 'utf8');
    const again = sourced(dir, ['serve']);
    try {
      await waitFor(() => /Tollgate listening on/.test(again.out()), 'the start in the sourced shell');
      expect(again.out()).toContain(`Tollgate listening on ${url}`);
      const keys = sourced(dir, ['keys', 'list', '--json']);
      expect(await keys.exited).toBe(0);
      expect(keys.stdout()).toContain(credentials(dir).TOLLGATE_ORGANIZATION!);
      expect(readFileSync(join(dir, 'data', 'first-start-credentials.env'), 'utf8')).toBe(before);
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }
  });

  it('a public URL of its own is recorded too, and a later start without it takes it out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-sourced-public-'));
    const port = await freePort();
    const publicUrl = `http://localhost:${port}/gw`;
    const first = start(['serve', '--port', String(port)], dir, { TOLLGATE_PUBLIC_URL: publicUrl });
    try {
      await waitFor(() => /first-start keys: /.test(first.out()), 'the first start');
      expect(credentials(dir)).toMatchObject({ TOLLGATE_URL: publicUrl, TOLLGATE_PORT: String(port), TOLLGATE_PUBLIC_URL: publicUrl });
      const check = sourced(dir, ['config', 'check', '--json']);
      expect(await check.exited).toBe(0);
      expect(server(check)).toMatchObject({ port, public_url: publicUrl });
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    }
    const plain = start(['serve', '--port', String(port)], dir);
    try {
      await waitFor(() => /first-start keys: /.test(plain.out()), 'the start without a public URL');
      const c = credentials(dir);
      expect(c.TOLLGATE_URL).toBe(`http://127.0.0.1:${port}`);
      expect(c.TOLLGATE_PUBLIC_URL).toBeUndefined();
    } finally {
      plain.child.kill('SIGTERM');
      expect(await plain.exited).toBe(0);
    }
  });
});

describe('tollgate serve: a first start that fails', PROCESSES, () => {
  it('keeps the admin key when the port is in use, and makes the API key on the next start that listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-busy-'));
    const busy: Server = createServer();
    const busyPort = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)));
    try {
      const failed = start(['serve', '--port', String(busyPort)], dir);
      expect(await failed.exited).toBe(1);
      expect(failed.out()).toContain(`127.0.0.1:${busyPort} is in use by another process (EADDRINUSE)`);
      expect(failed.out()).toContain('--port or TOLLGATE_PORT');
      expect(failed.out()).toContain('first-start-credentials.env');
      const saved = credentials(dir);
      expect(saved.TOLLGATE_ADMIN_KEY).toMatch(/^tga-/);
      // The API key is made only by a start that listens.
      expect(saved.TOLLGATE_API_KEY).toBeUndefined();
    } finally {
      busy.close();
    }
    const port = await freePort();
    const next = start(['serve', '--port', String(port)], dir);
    try {
      await waitFor(() => /first-start keys: /.test(next.out()), 'the next start');
      const c = credentials(dir);
      expect(c.TOLLGATE_API_KEY).toMatch(/^sk-proj-/);
      const admin = await fetch(`http://127.0.0.1:${port}/admin/v1/organizations`, { headers: { authorization: `Bearer ${c.TOLLGATE_ADMIN_KEY}` } });
      expect(admin.status).toBe(200);
      const models = await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { authorization: `Bearer ${c.TOLLGATE_API_KEY}` } });
      expect(models.status).toBe(200);
    } finally {
      next.child.kill('SIGTERM');
      await next.exited;
    }
  });
});

describe('tollgate serve: two databases started from one working directory', PROCESSES, () => {
  /** KEY=value lines of a credentials file, by its path in `dir`. */
  const keysIn = (dir: string, file: string) => Object.fromEntries([...readFileSync(join(dir, file), 'utf8').matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  const serveOn = async (dir: string, db: string, env: Record<string, string> = {}) => {
    const port = await freePort();
    const gw = start(['serve', '--port', String(port)], dir, { TOLLGATE_DATABASE_URL: db, ...env });
    // The banner is one write.
    await waitFor(() => /Tollgate listening on/.test(gw.out()), `the start on ${db}`);
    return { ...gw, port, stop: async () => (gw.child.kill('SIGTERM'), await gw.exited) };
  };
  const adminStatus = async (port: number, key: string | undefined) => (await fetch(`http://127.0.0.1:${port}/admin/v1/organizations`, { headers: { authorization: `Bearer ${key}` } })).status;
  const shared = join('data', 'first-start-credentials.env');

  it("the second database's first start keeps the first's file and says where its own keys went; each start then points at its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-two-dbs-'));
    const a = await serveOn(dir, 'sqlite:./data/a.db');
    expect(a.out()).toContain(`first-start keys: ${shared} `);
    const aKeys = keysIn(dir, shared);
    expect(aKeys.TOLLGATE_ADMIN_KEY).toMatch(/^tga-/);
    expect(await a.stop()).toBe(0);
    const aText = readFileSync(join(dir, shared), 'utf8');

    const b = await serveOn(dir, 'sqlite:./data/b.db');
    const own = /first-start keys: (data\/first-start-credentials-[0-9a-f]{12}\.env) /.exec(b.out())?.[1];
    expect(own).toBeDefined();
    expect(b.out()).toContain(`(${shared} is not this database's: it holds another database's keys, or names none)`);
    expect(b.out()).toContain(`set -a; . ${own}; set +a`);
    // The first database's file is as it was: its keys are not lost, nor shown as the second's.
    expect(readFileSync(join(dir, shared), 'utf8')).toBe(aText);
    const bKeys = keysIn(dir, own!);
    expect(bKeys.TOLLGATE_ADMIN_KEY).toMatch(/^tga-/);
    expect(bKeys.TOLLGATE_API_KEY).toMatch(/^sk-proj-/);
    expect(bKeys.TOLLGATE_ADMIN_KEY).not.toBe(aKeys.TOLLGATE_ADMIN_KEY);
    expect(bKeys.TOLLGATE_URL).toBe(`http://127.0.0.1:${b.port}`);
    expect(statSync(join(dir, own!)).mode & 0o777).toBe(0o600);
    expect(await adminStatus(b.port, bKeys.TOLLGATE_ADMIN_KEY)).toBe(200);
    expect(await adminStatus(b.port, aKeys.TOLLGATE_ADMIN_KEY)).toBe(401);
    // Neither database's keys reach stdout (the logs), nor stderr off a terminal.
    for (const key of [aKeys.TOLLGATE_ADMIN_KEY, aKeys.TOLLGATE_API_KEY, bKeys.TOLLGATE_ADMIN_KEY, bKeys.TOLLGATE_API_KEY]) expect(b.out()).not.toContain(key);
    expect(await b.stop()).toBe(0);

    // Restarted, each names its own file and brings only that one's URLs up to date.
    const a2 = await serveOn(dir, 'sqlite:./data/a.db');
    expect(a2.out()).toContain(`first-start keys: ${shared} `);
    expect(a2.out()).not.toContain('is not this database');
    expect(keysIn(dir, shared)).toEqual({ ...aKeys, TOLLGATE_URL: `http://127.0.0.1:${a2.port}`, TOLLGATE_PORT: String(a2.port), TOLLGATE_CONSOLE_SETUP_URL: aKeys.TOLLGATE_CONSOLE_SETUP_URL!.replace(`:${a.port}/`, `:${a2.port}/`) });
    expect(keysIn(dir, own!)).toEqual(bKeys);
    expect(await adminStatus(a2.port, aKeys.TOLLGATE_ADMIN_KEY)).toBe(200);
    expect(await a2.stop()).toBe(0);
    const b2 = await serveOn(dir, 'sqlite:./data/b.db');
    expect(b2.out()).toContain(`first-start keys: ${own} `);
    expect(keysIn(dir, own!).TOLLGATE_URL).toBe(`http://127.0.0.1:${b2.port}`);
    expect(await b2.stop()).toBe(0);
  });

  it('a file that names no database (written by an earlier Tollgate) is kept unless its keys are this database\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-unnamed-'));
    mkdirSync(join(dir, 'data'));
    const foreign = '# Tollgate first-start credentials\nTOLLGATE_URL=http://127.0.0.1:1\nTOLLGATE_ADMIN_KEY=tga-another-databases-key\nTOLLGATE_ORGANIZATION=org-another\n';
    writeFileSync(join(dir, shared), foreign, { mode: 0o600 });
    const a = await serveOn(dir, 'sqlite:./data/a.db');
    const own = /first-start keys: (data\/first-start-credentials-[0-9a-f]{12}\.env) /.exec(a.out())?.[1];
    expect(own).toBeDefined();
    expect(readFileSync(join(dir, shared), 'utf8')).toBe(foreign);
    expect(await a.stop()).toBe(0);

    // The same database's own file, in the old form: taken back as this database's on the next start.
    const dir2 = mkdtempSync(join(tmpdir(), 'tollgate-unnamed-own-'));
    const first = await serveOn(dir2, 'sqlite:./data/a.db');
    expect(await first.stop()).toBe(0);
    const keys = keysIn(dir2, shared);
    writeFileSync(join(dir2, shared), readFileSync(join(dir2, shared), 'utf8').replace(/^# database id: .*\n/m, ''));
    const again = await serveOn(dir2, 'sqlite:./data/a.db');
    expect(again.out()).toContain(`first-start keys: ${shared} `);
    expect(keysIn(dir2, shared)).toMatchObject({ TOLLGATE_ADMIN_KEY: keys.TOLLGATE_ADMIN_KEY, TOLLGATE_URL: `http://127.0.0.1:${again.port}` });
    expect(readFileSync(join(dir2, shared), 'utf8')).toMatch(/^# database id: [0-9a-f]{12} \(sqlite:\/.*\/data\/a\.db\)/m);
    expect(await again.stop()).toBe(0);
  });
});

describe('tollgate serve: error messages link the console', PROCESSES, () => {
  it("a request without a key is told to get one on the console's API keys page, under the public URL's path, which a browser opens", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-prefix-'));
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}/llm`;
    const gw = start(['serve', '--port', String(port)], dir, { TOLLGATE_PUBLIC_URL: publicUrl });
    try {
      await waitFor(() => /first-start keys: /.test(gw.out()), 'the start');
      const r = await fetch(`${publicUrl}/v1/models`);
      expect(r.status).toBe(401);
      const { error } = (await r.json()) as { error: { message: string; type: string; code: string | null } };
      expect(error.message).toMatch(/^You didn't provide an API key\. .* You can obtain an API key from http:\/\/127\.0\.0\.1:\d+\/llm\/api-keys\.$/);
      expect(error.type).toBe('invalid_request_error');
      expect(error.code).toBeNull();
      const link = /from (\S+)\.$/.exec(error.message)![1]!;
      expect(link).toBe(`${publicUrl}/api-keys`);
      const page = await fetch(link, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('<title>Tollgate</title>');
      // What the README warns about: without Accept: text/html (plain curl) it is the API's JSON 404.
      const plain = await fetch(link);
      expect(plain.status).toBe(404);
      expect(((await plain.json()) as { error: { message: string } }).error.message).toBe('Invalid URL (GET /api-keys)');
    } finally {
      gw.child.kill('SIGTERM');
      await gw.exited;
    }
  });
});

describe('tollgate (other commands)', PROCESSES, () => {
  const run = (args: string[]) => {
    const p = start(args, tmpdir());
    return p.exited.then((code) => ({ code, out: p.out() }));
  };
  it('simulate says it stopped, and how many requests it cut off, as its last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-simulate-'));
    writeFileSync(join(dir, 'sim.yaml'), 'models:\n  - name: slow\n    simulator: { ttft_ms: 0, tokens_per_second: 1 }\n');
    const sim = start(['simulate', '--port', '0', '--config', 'sim.yaml'], dir);
    await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(sim.stdout()), 'the simulator to listen');
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sim.stdout())![1]!;
    // A stream at a token a second, in flight once its head has come.
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'hi' }], max_tokens: 60, stream: true }) });
    expect(res.status).toBe(200);
    const body = res.text().catch((e: unknown) => e);
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
    await body;
    expect(sim.stdout().trim().split('\n').at(-1)).toMatch(/^Tollgate simulator stopped \(SIGTERM\) in \d+ ms; 1 request in flight cut off$/);
  });

  it('--help lists the commands; an unknown command exits 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('serve');
    expect((await run(['frobnicate'])).code).toBe(2);
  });
  it("serve and simulate --help give their own exit codes, not the admin verbs' (an API error, cannot connect)", async () => {
    const serve = await run(['serve', '--help']);
    expect(serve.code).toBe(0);
    expect(serve.out).toContain(
      'Exit codes: 0 stopped cleanly (SIGTERM or SIGINT), 1 failed to start (e.g. the port in use, the SQLite database (without Redis) or the usage journal in use by another gateway, another key-hashing secret), or with --workers, a worker did not stop cleanly, 2 usage or config error.',
    );
    const simulate = await run(['simulate', '--help']);
    expect(simulate.code).toBe(0);
    expect(simulate.out).toContain('Exit codes: 0 stopped cleanly (SIGTERM or SIGINT), 1 failed to start (e.g. the port in use), 2 usage or config error.');
    for (const help of [serve.out, simulate.out]) {
      expect(help).not.toContain('cannot connect');
      expect(help).not.toContain('the API answered');
    }
    // An admin verb calls a gateway: its codes still say so.
    expect((await run(['orgs', 'list', '--help'])).out).toContain('Exit codes: 0 ok, 1 the API answered with an error (or the command failed), 2 usage error, 3 cannot connect.');
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
  it('a start that fails after opening the database (another key-hashing secret) prints why and exits 1, instead of lingering', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-wrong-secret-'));
    const first = start(['serve', '--port', String(await freePort())], dir);
    await waitFor(() => /first-start keys: /.test(first.out()), 'the first start');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    writeFileSync(join(dir, 'data', 'tollgate.secret'), 'another-secret-of-enough-length\n', { mode: 0o600 });
    const again = start(['serve', '--port', String(await freePort())], dir);
    expect(await again.exited).toBe(1);
    expect(again.out()).toContain("is not the one this database's API keys were hashed with");
    // It closed what it had opened: the journal's and the counters' locks are released for the next start.
    expect(existsSync(join(dir, 'data', 'tollgate.db.usage-journal.lock'))).toBe(false);
    expect(existsSync(join(dir, 'data', 'tollgate.db.counters.lock'))).toBe(false);
  });

  it('serve with a bad config names the field and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-bad-'));
    writeFileSync(join(dir, 'bad.yaml'), 'server: { port: "eighty" }\n');
    const r = await run(['serve', '--config', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('server.port: expected an integer');
  });
});

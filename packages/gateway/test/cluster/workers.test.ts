/**
 * `tollgate serve --workers 2`: one command, two gateway processes on one port, counting limits
 * together in Redis. A burst through the shared port is admitted exactly up to the limit, SIGTERM
 * to the primary drains both workers and exits 0 with a last line, `stopped`, that gives their
 * figures (1 when a worker did not stop cleanly), and without Redis the command refuses to start
 * with a message that says why.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { MAIN_JS, CLUSTER_HOOK_MS, requireBuild, type Instance } from './cluster.js';
import { countStatuses } from './load.js';
import { track } from '../support/children.js';
import { until } from '../support/wait.js';
import { useCluster } from './use-cluster.js';

const MODEL = { name: 'sim-small', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }, simulator: { max_concurrency: 1024, max_queue: 1024 } };

const TRICKLE = { ...MODEL, name: 'trickle', simulator: { ...MODEL.simulator, tokens_per_second: 10 } };

/** The JSON lines of a process's output (its stdout is the log; the banner, on stderr, is not JSON). */
const logLines = (out: string): Record<string, unknown>[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{') && l.endsWith('}'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/**
 * The whole output of an instance that has exited: its 'exit' can come before the last of its
 * output is read, and the pipes close once the workers, which share them, are gone too.
 */
async function finalOutput(inst: Instance): Promise<string> {
  await Promise.all([inst.child.stdout!, inst.child.stderr!].map((s) => (s.readableEnded ? Promise.resolve() : new Promise((r) => s.once('end', r)))));
  return inst.output();
}

/** Whether worker `n` has logged that it listens. */
const listening = (inst: Instance, n: number): boolean => logLines(inst.output()).some((l) => l.msg === 'listening' && l.worker === n);

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The pids of a process's children (Linux). */
const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);

describe('tollgate serve --workers 2', () => {
  // Logged at info, so that the output says when worker 2 listens (the cluster's default, warn, does not).
  // A long grace period: the stream under way at the stop must be drained, never cut, on a busy machine.
  const fx = useCluster({
    instances: 1,
    serveArgs: ['--workers', '2'],
    config: { models: [MODEL, TRICKLE], default_tier: 'unlimited', usage: { flush_interval_ms: 50 }, logging: { level: 'info' }, server: { shutdown_grace_ms: 30_000 } },
  });

  it('runs two worker processes behind one port that admit exactly 100 of 300 under 100 requests per day', async () => {
    const primary = fx.cluster.instances[0]!;
    // Worker 2 starts once worker 1 serves; wait for it to be there.
    for (let i = 0; i < 600 && childrenOf(primary.child.pid!).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(childrenOf(primary.child.pid!)).toHaveLength(2);
    for (let i = 0; i < 600 && !listening(primary, 2); i++) await new Promise((r) => setTimeout(r, 100));
    expect(listening(primary, 2)).toBe(true);

    const t = await fx.cluster.newTenant('workers-org');
    expect((await fx.cluster.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_day: 100 })).status).toBe(200);
    const body = { model: 'sim-small', messages: [{ role: 'user', content: 'Count me once' }], max_tokens: 3 };
    const replies = await fx.burst(t.apiKey, Array.from({ length: 300 }, () => body));
    expect(countStatuses(replies)).toEqual({ 200: 100, 429: 200 });
    const remaining = replies.filter((r) => r.status === 200).map((r) => Number(r.headers['x-ratelimit-remaining-requests']));
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  }, CLUSTER_HOOK_MS);

  it("SIGTERM to the primary drains every worker, exits 0, and the primary's last line says they stopped, with their figures", async () => {
    const primary = fx.cluster.instances[0]!;
    const workers = childrenOf(primary.child.pid!);
    expect(workers).toHaveLength(2);
    // A stream under way when the signal arrives: answered during the drain, by whichever worker took it.
    const t = await fx.cluster.newTenant('drain-org');
    const client = new OpenAI({ apiKey: t.apiKey, baseURL: primary.baseURL, maxRetries: 0 });
    // At least 16 tokens at 10 a second: it is still being sent when the workers start to drain.
    const stream = await client.chat.completions.create({ model: 'trickle', messages: [{ role: 'user', content: 'Take your time' }], max_tokens: 30, stream: true });
    const read = (async () => {
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    })();
    expect(await fx.cluster.kill(0, 'SIGTERM')).toBe('0');
    expect((await read).length).toBeGreaterThan(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();

    const lines = logLines(await finalOutput(primary));
    const own = lines.filter((l) => l.msg === 'stopped' && l.worker !== undefined);
    expect(own.map((l) => l.worker).sort()).toEqual([1, 2]);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ msg: 'stopped', signal: 'SIGTERM', drained_requests: 1, cut_requests: 0, failed_workers: 0 });
    expect(last.worker).toBeUndefined();
    // Every other line is a worker's, and names it: both workers' listening, draining and stopped,
    // and what the gateway logs on its own (the first start, the credentials file).
    const workerLines = lines.slice(0, -1);
    for (const l of workerLines) expect([1, 2], JSON.stringify(l)).toContain(l.worker);
    for (const msg of ['listening', 'draining', 'stopped']) expect(workerLines.filter((l) => l.msg === msg).map((l) => l.worker).sort(), msg).toEqual([1, 2]);
    const each = last.workers as Record<string, unknown>[];
    expect(each.map((w) => [w.worker, w.pid, w.exit_code]).sort()).toEqual([
      [1, expect.any(Number), 0],
      [2, expect.any(Number), 0],
    ]);
    expect(each.map((w) => w.pid).sort()).toEqual([...workers].sort());
    // The sums and the longest drain are the workers' own figures, which are those of their own lines.
    for (const w of each) expect(w).toMatchObject(pick(own.find((l) => l.worker === w.worker)!, ['drain_ms', 'drained_requests', 'cut_requests', 'stop_ms']));
    expect(last.drain_ms).toBe(Math.max(...each.map((w) => w.drain_ms as number)));
    expect(last.stop_ms).toBeGreaterThanOrEqual(Math.max(...each.map((w) => w.stop_ms as number)));
  });
});

describe('tollgate serve --workers 2: a worker that does not stop cleanly', () => {
  const fx = useCluster({ instances: 1, serveArgs: ['--workers', '2'], config: { models: [MODEL], logging: { level: 'info' } } });

  it('is named in an error line and in the primary\'s stopped line, which still comes last, and the command exits 1', async () => {
    const primary = fx.cluster.instances[0]!;
    await until(() => listening(primary, 2), 'worker 2 to listen', { timeoutMs: 60_000 });
    const [clean, stuck] = childrenOf(primary.child.pid!);
    expect(stuck).toBeDefined();
    // One worker cannot act on the signal the primary passes on, and is then killed.
    process.kill(stuck!, 'SIGSTOP');
    primary.child.kill('SIGTERM');
    await until(() => !alive(clean!), 'the other worker to drain and exit');
    process.kill(stuck!, 'SIGKILL');
    expect(await primary.exited).toBe('1');

    const lines = logLines(await finalOutput(primary));
    expect(lines.find((l) => l.msg === 'worker did not stop cleanly')).toMatchObject({ level: 50, pid: stuck, exit_code: null, exit_signal: 'SIGKILL', reported: false });
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ msg: 'stopped', signal: 'SIGTERM', failed_workers: 1, drained_requests: 0, cut_requests: 0 });
    const each = last.workers as Record<string, unknown>[];
    expect(each.find((w) => w.pid === stuck)).toEqual({ worker: expect.any(Number), pid: stuck, exit_code: null, exit_signal: 'SIGKILL' });
    expect(each.find((w) => w.pid === clean)).toMatchObject({ exit_code: 0, drained_requests: 0, cut_requests: 0, drain_ms: expect.any(Number) });
  });
});

it('--workers 2 without Redis exits 2 and says that it needs Redis', async () => {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'tg-workers-'));
  writeFileSync(join(dir, 'tollgate.yaml'), 'server: { port: 0 }\n');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  const child = track(spawn(process.execPath, [MAIN_JS, 'serve', '--config', join(dir, 'tollgate.yaml'), '--workers', '2'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(err).toMatch(/--workers 2 needs Redis: set redis\.url/);
}, CLUSTER_HOOK_MS);

/**
 * `tollgate serve --workers 2`: one command, two gateway processes on one port, counting limits
 * together in Redis. A burst through the shared port is admitted exactly up to the limit, SIGTERM
 * to the primary drains both workers and exits 0, and without Redis the command refuses to start
 * with a message that says why.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN_JS, CLUSTER_HOOK_MS, requireBuild } from './cluster.js';
import { countStatuses } from './load.js';
import { useCluster } from './use-cluster.js';

const MODEL = { name: 'sim-small', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }, simulator: { max_concurrency: 1024, max_queue: 1024 } };

/** The pids of a process's children (Linux). */
const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);

describe('tollgate serve --workers 2', () => {
  // Logged at info, so that the output says when worker 2 listens (the cluster's default, warn, does not).
  const fx = useCluster({ instances: 1, serveArgs: ['--workers', '2'], config: { models: [MODEL], default_tier: 'unlimited', usage: { flush_interval_ms: 50 }, logging: { level: 'info' } } });

  it('runs two worker processes behind one port that admit exactly 100 of 300 under 100 requests per day', async () => {
    const primary = fx.cluster.instances[0]!;
    // Worker 2 starts once worker 1 serves; wait for it to be there.
    for (let i = 0; i < 600 && childrenOf(primary.child.pid!).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(childrenOf(primary.child.pid!)).toHaveLength(2);
    for (let i = 0; i < 600 && !/"worker":2,"msg":"listening"/.test(primary.output()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(primary.output()).toMatch(/"worker":2,"msg":"listening"/);

    const t = await fx.cluster.newTenant('workers-org');
    expect((await fx.cluster.admin('PUT', `/admin/v1/organizations/${t.orgId}/rate_limits/sim-small`, { max_requests_per_1_day: 100 })).status).toBe(200);
    const body = { model: 'sim-small', messages: [{ role: 'user', content: 'Count me once' }], max_tokens: 3 };
    const replies = await fx.burst(t.apiKey, Array.from({ length: 300 }, () => body));
    expect(countStatuses(replies)).toEqual({ 200: 100, 429: 200 });
    const remaining = replies.filter((r) => r.status === 200).map((r) => Number(r.headers['x-ratelimit-remaining-requests']));
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  }, CLUSTER_HOOK_MS);

  it('SIGTERM to the primary drains every worker and exits 0', async () => {
    const workers = childrenOf(fx.cluster.instances[0]!.child.pid!);
    expect(await fx.cluster.kill(0, 'SIGTERM')).toBe('0');
    expect(workers).toHaveLength(2);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});

it('--workers 2 without Redis exits 2 and says that it needs Redis', async () => {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'tg-workers-'));
  writeFileSync(join(dir, 'tollgate.yaml'), 'server: { port: 0 }\n');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  const child = spawn(process.execPath, [MAIN_JS, 'serve', '--config', join(dir, 'tollgate.yaml'), '--workers', '2'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(err).toMatch(/--workers 2 needs Redis: set redis\.url/);
}, CLUSTER_HOOK_MS);

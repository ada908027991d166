// Benchmark: (a) the simulator served alone, (b) a minimal node:http + undici proxy in front of
// it, (c) the gateway with every enforcement stage on, serving the same model in front of (a)
// over HTTP (and, for comparison, through the in-process simulator). Targets are loaded in
// alternating rounds so that machine noise hits them alike.
//
//   npm run bench                      # all targets, 1 and 50 connections
//   npm run bench -- --seconds 5 --rounds 2 --targets a,b,c-memory,c-redis
//
// Prints requests/s, p50/p99 latency, the target's CPU time per request (from /proc, user+sys of
// the target process only, not the load generator) and RSS, and the ratios c/b and c/a.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const SECONDS = Number(arg('seconds', '5'));
const ROUNDS = Number(arg('rounds', '2'));
const CONNECTIONS = arg('connections', '1,50').split(',').map(Number);
const TARGETS = arg('targets', 'a,b,c-nolimits,c-memory,c-redis').split(',');
const REDIS_URL = process.env.TOLLGATE_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLI = new URL('../packages/gateway/dist/cli/main.js', import.meta.url).pathname;
const TICK = 100; // clock ticks per second in /proc/<pid>/stat (USER_HZ)

const BODY = JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'Say hello to the benchmark.' }], max_tokens: 16 });
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
const children = [];

function start(name, args, env = {}) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  child.on('exit', (code) => {
    if (code && code !== 0 && !stopping) console.error(`${name} exited ${code}:\n${out}`);
  });
  return { child, output: () => out };
}

async function waitFor(url, headers = {}) {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(url, { headers });
      if (r.status < 500) return;
    } catch {
      // not listening yet: try again
    }
    await sleep(50);
  }
  throw new Error(`${url} did not come up`);
}

function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK; // utime + stime
}
function rssMb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function admin(base, method, path, body) {
  const r = await fetch(base + path, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

async function startGateway(name, port, simUrl, extraEnv, engine, limits = true) {
  const model =
    engine === 'http'
      ? `  - name: sim-small\n    provider: openai-compatible\n    context_window: 8192\n    max_output_tokens: 4096\n    pricing: { input_per_1m: 0.15, output_per_1m: 0.60 }\n    deployments:\n      - base_url: ${simUrl}/v1\n`
      : `  - name: sim-small\n    provider: simulator\n    context_window: 8192\n    max_output_tokens: 4096\n    pricing: { input_per_1m: 0.15, output_per_1m: 0.60 }\n    simulator: { ttft_ms: 0, tokens_per_second: 0, max_concurrency: 1024, max_queue: 1024 }\n`;
  const cfg = join(dir, `${name}.yaml`);
  // Limits and quotas are on and checked on every request, set high enough never to reject.
  writeFileSync(
    cfg,
    `server: { host: 127.0.0.1, port: ${port} }\ndatabase: { url: "sqlite:${join(dir, name + '.db')}" }\nlogging: { level: warn }\n` +
      (limits
        ? `tiers:\n  bench:\n    "*": { max_requests_per_1_minute: 1000000000, max_tokens_per_1_minute: 100000000000, max_requests_per_1_day: 1000000000, max_tokens_per_1_day: 100000000000 }\ndefault_tier: bench\n`
        : `default_tier: unlimited\n`) +
      `models:\n${model}\n`,
  );
  const g = start(name, [CLI, 'serve', '--config', cfg], { TOLLGATE_ADMIN_KEY: ADMIN_KEY, ...extraEnv });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`);
  const org = await admin(base, 'POST', '/admin/v1/organizations', { name: `bench-${name}` });
  const user = await admin(base, 'POST', '/admin/v1/users', { email: `${name}@bench.local`, name: 'bench' });
  await admin(base, 'POST', `/admin/v1/organizations/${org.id}/members`, { user_id: user.id, role: 'owner' });
  if (limits) await admin(base, 'PUT', `/admin/v1/organizations/${org.id}/billing`, { hard_limit_usd: 1_000_000, soft_limit_usd: null });
  const key = await admin(base, 'POST', '/admin/v1/keys', { organization_id: org.id, user_id: user.id, name: 'bench' });
  return { pid: g.child.pid, url: `${base}/v1/chat/completions`, headers: { authorization: `Bearer ${key.key}` } };
}

function load(target, connections) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: BODY,
        connections,
        duration: SECONDS,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

let stopping = false;
async function main() {
  const simPort = 18081;
  const sim = start('simulator', [CLI, 'simulate', '--port', String(simPort)]);
  const simUrl = `http://127.0.0.1:${simPort}`;
  await waitFor(`${simUrl}/v1/models`);
  const targets = {};
  targets.a = { pid: sim.child.pid, url: `${simUrl}/v1/chat/completions`, headers: { authorization: 'Bearer x' } };
  if (TARGETS.includes('b')) {
    const p = start('proxy', [new URL('./proxy.mjs', import.meta.url).pathname, '--port', '18082', '--upstream', simUrl]);
    await waitFor('http://127.0.0.1:18082/v1/models');
    targets.b = { pid: p.child.pid, url: 'http://127.0.0.1:18082/v1/chat/completions', headers: { authorization: 'Bearer x' } };
  }
  if (TARGETS.includes('c-memory')) targets['c-memory'] = await startGateway('c-memory', 18083, simUrl, {}, 'http');
  if (TARGETS.includes('c-redis')) targets['c-redis'] = await startGateway('c-redis', 18084, simUrl, { TOLLGATE_REDIS_URL: REDIS_URL, TOLLGATE_REDIS_PREFIX: `bench:${Date.now()}:` }, 'http');
  if (TARGETS.includes('c-nolimits')) targets['c-nolimits'] = await startGateway('c-nolimits', 18086, simUrl, {}, 'http', false);
  if (TARGETS.includes('c-inprocess')) targets['c-inprocess'] = await startGateway('c-inprocess', 18085, simUrl, {}, 'inprocess');

  const names = TARGETS.filter((t) => targets[t]);
  // Warm up each target (JIT, connection pools, caches).
  for (const n of names) await load({ ...targets[n] }, 8).catch(() => {});

  const results = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CONNECTIONS) {
      for (const n of names) {
        const t = targets[n];
        const before = cpuSeconds(t.pid);
        const r = await load(t, c);
        const cpu = cpuSeconds(t.pid) - before;
        const k = `${n}@${c}`;
        const agg = (results[k] ??= { target: n, connections: c, requests: 0, seconds: 0, cpu: 0, p50: [], p99: [], errors: 0, non2xx: 0, rss: 0 });
        agg.requests += r.requests.total;
        agg.seconds += r.duration;
        agg.cpu += cpu;
        agg.p50.push(r.latency.p50);
        agg.p99.push(r.latency.p99);
        agg.errors += r.errors;
        agg.non2xx += r.non2xx;
        agg.rss = rssMb(t.pid);
      }
    }
  }

  const rows = Object.values(results).map((r) => ({
    target: r.target,
    conns: r.connections,
    'req/s': Math.round(r.requests / r.seconds),
    'p50 ms': median(r.p50),
    'p99 ms': median(r.p99),
    'CPU µs/req': Math.round((r.cpu / r.requests) * 1e6),
    'RSS MB': Math.round(r.rss),
    'non-2xx': r.non2xx + r.errors,
  }));
  console.log(`\nTollgate benchmark — ${SECONDS}s × ${ROUNDS} rounds per cell, node ${process.version}\n`);
  console.table(rows);
  for (const c of CONNECTIONS) {
    const get = (n) => rows.find((r) => r.target === n && r.conns === c);
    for (const n of names.filter((x) => x.startsWith('c'))) {
      const cr = get(n);
      const a = get('a');
      const b = get('b');
      if (!cr) continue;
      const parts = [];
      if (b) parts.push(`c/b throughput ${(cr['req/s'] / b['req/s']).toFixed(2)}, CPU ${(cr['CPU µs/req'] / b['CPU µs/req']).toFixed(2)}x`);
      if (a) parts.push(`c/a throughput ${(cr['req/s'] / a['req/s']).toFixed(2)}`);
      if (b) parts.push(`gateway CPU over the bare proxy: ${cr['CPU µs/req'] - b['CPU µs/req']} µs/req`);
      console.log(`${n} @${c}: ${parts.join('; ')}`);
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
  });

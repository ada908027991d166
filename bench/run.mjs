// Benchmark: (a) the simulator served alone, (b) a minimal node:http + undici proxy in front of
// it, (c) the gateway with every enforcement stage on, serving the same model in front of (a)
// over HTTP (and, for comparison, through the in-process simulator). Targets are loaded in
// alternating rounds so that machine noise hits them alike.
//
//   npm run bench                      # all targets, 1 and 50 connections
//   npm run bench -- --seconds 5 --rounds 2 --targets a,b,c-memory,c-redis
//   npm run bench -- --targets b-fixed,c-fixed --connections 50 --port-offset 100   # ports 18181...
//   npm run bench -- --targets b-fixed,c-fixed --cpu-prof /tmp/prof   # a V8 CPU profile per proxy and gateway
//   npm run bench -- --targets c-fixed --alloc-prof /tmp/alloc          # where each gateway allocates (bench/alloc-top.mjs)
//   npm run bench -- --targets c-fixed --alloc-prof /tmp/alloc --survivors   # only what outlived a scavenge
//   npm run bench -- --targets b-stream,c-stream --baseline ../before   # beside another built checkout's gateway, same rounds
//   npm run bench -- --targets c-fixed --trace-gc                       # scavenges, their ms and what was promoted, per 1,000 requests
//
// More targets: c-workers (the Redis gateway as `serve --workers 2`; c-redis is the same with one
// process), b-stream / c-stream (the bare proxy and the memory gateway relaying streamed 64-token
// answers), b-fixed / c-fixed (the bare proxy and the memory gateway in front of a tiny upstream
// answering a fixed chat.completion at once, bench/fixed-upstream.mjs, loaded with wrk when
// /usr/bin/wrk or a wrk on the PATH exists, else autocannon: the tail-latency pair), c-keys (the memory gateway with --organizations (or --orgs) organizations and --keys
// API keys in use, made through the admin API, warmed up with one request per key, then requests
// spread round-robin over every key; c-memory is the same gateway with one key, and with both
// targets a line compares them: `node bench/run.mjs --targets c-memory,c-keys --keys 10000
// --organizations 1000`). Without TOLLGATE_REDIS_URL the Redis targets
// use a redis-server of the bench's own, and their rows report Redis commands and bytes per request
// (INFO commandstats / INFO stats, before and after each run).
//
// Prints requests/s, p50/p99 latency, the target's CPU time per request (from /proc, user+sys of
// the target's processes only, not the load generator), its read and write system calls per request
// (/proc/<pid>/io), RSS and the gateway's event-loop delay
// p99 during the run (bench/eld-probe.mjs, preloaded into every single-process gateway), and the
// ratios c/b and c/a (streamed targets against b-stream, c-fixed against b-fixed).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
const KEYS = Number(arg('keys', '10000'));
const ORGS = Number(arg('organizations', arg('orgs', '1000')));
// Added to every port the bench listens on, so that two benches on one machine do not meet.
const PORT_OFFSET = Number(arg('port-offset', '0'));
// --cpu-prof DIR: each gateway writes a V8 CPU profile (<target>.cpuprofile) there when the bench ends.
const CPU_PROF_DIR = arg('cpu-prof', undefined);
// --alloc-prof DIR: each gateway writes where it allocated (<target>.heapprofile, freed objects
// included: bench/alloc-probe.mjs); `node bench/alloc-top.mjs DIR/<target>.heapprofile` lists the sites.
// With --survivors it samples only what outlived a scavenge (promoted to the old generation, or
// still alive at exit): the allocations that make mark-compacts and copy work, not all churn.
const ALLOC_PROF_DIR = arg('alloc-prof', undefined);
if (ALLOC_PROF_DIR) mkdirSync(ALLOC_PROF_DIR, { recursive: true });
const ALLOC_SURVIVORS = process.argv.includes('--survivors');
const cpuProf = (name) => (CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF_DIR, '--cpu-prof-name', `${name}.cpuprofile`] : []);
const allocProf = (name) => (ALLOC_PROF_DIR ? { args: ['--import', new URL('./alloc-probe.mjs', import.meta.url).pathname], env: { TOLLGATE_BENCH_ALLOC_FILE: join(ALLOC_PROF_DIR, `${name}.heapprofile`), ...(ALLOC_SURVIVORS ? { TOLLGATE_BENCH_ALLOC_SURVIVORS: '1' } : {}) } } : { args: [], env: {} });
// --baseline DIR: another checkout of Tollgate, built (its packages/gateway/dist), whose gateway
// runs beside this tree's in the same rounds as `<target>:base` (ports +200): a change measured
// against the code before it in one run, under the same machine noise. The gateway targets
// c-memory, c-stream, c-fixed and c-redis get a baseline; the others do not. Make DIR with
//   git worktree add ../before <commit> && (cd ../before && npm ci && npm run build)
// (its own node_modules: one linked from this tree would resolve @tollgate/protocol here; the
// bench refuses such a baseline).
const BASELINE = arg('baseline', undefined);
const BASE_CLI = BASELINE ? join(resolve(BASELINE), 'packages/gateway/dist/cli/main.js') : undefined;
// --trace-gc: each gateway runs with node's --trace-gc, and a line per target gives, per 1,000
// requests of the measured runs, its main thread's scavenges, the milliseconds they took, and the
// megabytes mark-compacts reclaimed (what lived long enough to be promoted to the old generation).
const TRACE_GC = process.argv.includes('--trace-gc');
// --node-args "FLAGS": node flags (space-separated) for this tree's gateways only, not the
// baseline's: a runtime setting measured against the same code without it, in one run, e.g.
//   npm run bench -- --targets c-memory --node-args "--max-semi-space-size=64" --baseline ../same-commit
const NODE_ARGS = (arg('node-args', '') ?? '').split(' ').filter(Boolean);
const OWN_REDIS_PORT = 18379 + PORT_OFFSET;
const REDIS_URL = process.env.TOLLGATE_REDIS_URL ?? `redis://127.0.0.1:${OWN_REDIS_PORT}`;
const CLI = new URL('../packages/gateway/dist/cli/main.js', import.meta.url).pathname;
const TICK = 100; // clock ticks per second in /proc/<pid>/stat (USER_HZ)
const PROBE = new URL('./eld-probe.mjs', import.meta.url).pathname;
const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((p) => existsSync(p));

const BODY = JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'Say hello to the benchmark.' }], max_tokens: 16 });
const STREAM_BODY = JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'Say hello to the benchmark.' }], max_tokens: 64, stream: true });
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
  // Up to a minute: on a loaded machine a gateway takes tens of seconds to start.
  for (let i = 0; i < 1200; i++) {
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

/** The process and its descendants (a `--workers` primary and its workers). */
function tree(pid) {
  let kids = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // The process has just exited: it has no children left to count.
  }
  return [pid, ...kids.flatMap(tree)];
}
function cpuSeconds(pid) {
  let s = 0;
  for (const p of tree(pid)) {
    const f = readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    s += (Number(fields[11]) + Number(fields[12])) / TICK; // utime + stime
  }
  return s;
}
/**
 * Read and write system calls so far (/proc/<pid>/io syscr + syscw, every thread, the process
 * and its descendants): socket reads and writes are most of a proxy's kernel time, and on
 * loopback a write also pays for the receiver's TCP work, so fewer of them per request is a cut
 * that a CPU figure under machine noise may not show.
 */
function syscalls(pid) {
  let n = 0;
  for (const p of tree(pid)) {
    const m = /syscr: (\d+)\nsyscw: (\d+)/.exec(readFileSync(`/proc/${p}/io`, 'utf8'));
    n += m ? Number(m[1]) + Number(m[2]) : NaN;
  }
  return n;
}
function rssMb(pid) {
  let mb = 0;
  for (const p of tree(pid)) {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    mb += m ? Number(m[1]) / 1024 : NaN;
  }
  return mb;
}

/** Commands (by name) and network bytes of the bench's own Redis so far; undefined for another Redis. */
function redisStats() {
  if (process.env.TOLLGATE_REDIS_URL) return undefined;
  const info = execFileSync('redis-cli', ['-p', String(OWN_REDIS_PORT), 'info', 'all'], { encoding: 'utf8' });
  const calls = {};
  for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
  const num = (k) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  // redis-server's own CPU (user + system, every thread): not in the gateway's CPU per request.
  return { calls, in: num('total_net_input_bytes'), out: num('total_net_output_bytes'), cpu: num('used_cpu_user') + num('used_cpu_sys') };
}
function redisDelta(a, b) {
  if (!a || !b) return undefined;
  const calls = {};
  for (const [k, v] of Object.entries(b.calls)) if (v - (a.calls[k] ?? 0) > 0) calls[k] = v - (a.calls[k] ?? 0);
  delete calls.info; // the bench's own INFO
  return { calls, in: b.in - a.in, out: b.out - a.out, cpu: b.cpu - a.cpu };
}

async function admin(base, method, path, body) {
  const r = await fetch(base + path, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

async function startGateway(name, port, simUrl, extraEnv, engine, limits = true, serveArgs = [], cli = CLI) {
  // The event-loop delay probe measures one process's loop: not a --workers primary and its workers.
  port += PORT_OFFSET;
  const probeFile = serveArgs.includes('--workers') ? undefined : join(dir, `${name}.eld.jsonl`);
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
  const probe = probeFile ? { TOLLGATE_BENCH_PROBE_FILE: probeFile, TOLLGATE_BENCH_PROBE_MS: '3600000' } : {};
  const alloc = allocProf(name);
  const g = start(name, [...(cli === CLI ? NODE_ARGS : []), ...cpuProf(name), ...(TRACE_GC ? ['--trace-gc'] : []), ...alloc.args, ...(probeFile ? ['--import', PROBE] : []), cli, 'serve', '--config', cfg, ...serveArgs], { TOLLGATE_ADMIN_KEY: ADMIN_KEY, ...probe, ...alloc.env, ...extraEnv });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`);
  const org = await admin(base, 'POST', '/admin/v1/organizations', { name: `bench-${name}` });
  const user = await admin(base, 'POST', '/admin/v1/users', { email: `${name}@bench.local`, name: 'bench' });
  await admin(base, 'POST', `/admin/v1/organizations/${org.id}/members`, { user_id: user.id, role: 'owner' });
  if (limits) await admin(base, 'PUT', `/admin/v1/organizations/${org.id}/billing`, { hard_limit_usd: 1_000_000, soft_limit_usd: null });
  const key = await admin(base, 'POST', '/admin/v1/keys', { organization_id: org.id, user_id: user.id, name: 'bench' });
  return { pid: g.child.pid, base, url: `${base}/v1/chat/completions`, headers: { authorization: `Bearer ${key.key}` }, probeFile, output: g.output };
}

/**
 * Makes the target's event-loop probe report now (SIGUSR2) and returns that report: the delay
 * since its previous one. Undefined for a target without a probe.
 */
async function eldMark(target) {
  if (!target.probeFile) return undefined;
  const lines = () => (existsSync(target.probeFile) ? readFileSync(target.probeFile, 'utf8').trim().split('\n').filter(Boolean) : []);
  const before = lines().length;
  process.kill(target.pid, 'SIGUSR2');
  for (let i = 0; i < 200; i++) {
    const now = lines();
    if (now.length > before) return JSON.parse(now[now.length - 1]);
    await sleep(25);
  }
  return undefined;
}

/** `orgs` organizations with one owner each and `keys` API keys spread over them; returns the keys. */
async function manyKeys(base, orgs, keys) {
  const out = [];
  const owners = [];
  const pool = async (n, f) => {
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < n) await f(next++);
    }));
  };
  await pool(orgs, async (i) => {
    const org = await admin(base, 'POST', '/admin/v1/organizations', { name: `bench-org-${i}` });
    const user = await admin(base, 'POST', '/admin/v1/users', { email: `owner${i}@bench.local`, name: 'owner' });
    await admin(base, 'POST', `/admin/v1/organizations/${org.id}/members`, { user_id: user.id, role: 'owner' });
    await admin(base, 'PUT', `/admin/v1/organizations/${org.id}/billing`, { hard_limit_usd: 1_000_000, soft_limit_usd: null });
    owners[i] = { org: org.id, user: user.id };
  });
  await pool(keys, async (i) => {
    const o = owners[i % orgs];
    out[i] = (await admin(base, 'POST', '/admin/v1/keys', { organization_id: o.org, user_id: o.user, name: `k${i}` })).key;
  });
  return out;
}

/**
 * One wrk run (a Lua script for the method, body and headers, and a `done` hook printing the
 * figures as JSON), reported in the shape of autocannon's result.
 */
function loadWrk(target, connections, duration) {
  const lua = join(dir, `wrk-${connections}.lua`);
  const headers = { 'content-type': 'application/json', ...target.headers };
  writeFileSync(
    lua,
    `wrk.method = "POST"\nwrk.body = [==[${target.body ?? BODY}]==]\n` +
      Object.entries(headers).map(([k, v]) => `wrk.headers[ [==[${k}]==] ] = [==[${v}]==]\n`).join('') +
      `done = function(summary, latency, requests)\n  local e = summary.errors\n` +
      `  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"non2xx":%d}\\n', ` +
      `summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))\nend\n`,
  );
  const args = ['-t', String(Math.min(2, connections)), '-c', String(connections), '-d', `${duration}s`, '--timeout', '10s', '-s', lua, target.url];
  return new Promise((resolve, reject) => {
    const w = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    w.stdout.on('data', (d) => (out += d));
    w.stderr.on('data', (d) => (out += d));
    w.on('error', reject);
    w.on('exit', () => {
      const m = /^WRKJSON (.*)$/m.exec(out);
      if (!m) return reject(new Error(`wrk: ${out}`));
      const r = JSON.parse(m[1]);
      resolve({ requests: { total: r.requests }, duration: r.duration_us / 1e6, latency: { p50: r.p50_us / 1000, p99: r.p99_us / 1000 }, errors: r.errors, non2xx: r.non2xx });
    });
  });
}

function load(target, connections, duration = SECONDS, amount = undefined) {
  if (target.wrk && WRK && amount === undefined) return loadWrk(target, connections, duration);
  const keys = target.keys;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: target.body ?? BODY,
        connections,
        ...(amount ? { amount } : { duration }),
        // c-keys: each request with the next key, round-robin over all of them; the position
        // carries over from run to run, so that every run goes on through the whole set.
        ...(keys ? { requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${keys[target.next++ % keys.length]}` } }) }] } : {}),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

let stopping = false;
async function main() {
  const simPort = 18081 + PORT_OFFSET;
  const sim = start('simulator', [CLI, 'simulate', '--port', String(simPort)]);
  const simUrl = `http://127.0.0.1:${simPort}`;
  await waitFor(`${simUrl}/v1/models`);
  const targets = {};
  targets.a = { pid: sim.child.pid, url: `${simUrl}/v1/chat/completions`, headers: { authorization: 'Bearer x' } };
  if (!process.env.TOLLGATE_REDIS_URL && TARGETS.some((t) => t === 'c-redis' || t === 'c-workers')) {
    const r = spawn('redis-server', ['--port', String(OWN_REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.push(r);
    for (let i = 0; i < 100; i++) {
      try {
        execFileSync('redis-cli', ['-p', String(OWN_REDIS_PORT), 'ping'], { stdio: 'ignore' });
        break;
      } catch {
        await sleep(50);
      }
    }
  }
  if (TARGETS.includes('b') || TARGETS.includes('b-stream')) {
    const bUrl = `http://127.0.0.1:${18082 + PORT_OFFSET}`;
    const p = start('proxy', [...cpuProf('b'), new URL('./proxy.mjs', import.meta.url).pathname, '--port', String(18082 + PORT_OFFSET), '--upstream', simUrl]);
    await waitFor(`${bUrl}/v1/models`);
    targets.b = { pid: p.child.pid, url: `${bUrl}/v1/chat/completions`, headers: { authorization: 'Bearer x' } };
    targets['b-stream'] = { ...targets.b, body: STREAM_BODY };
  }
  if (TARGETS.includes('b-fixed') || TARGETS.includes('c-fixed')) {
    // The tail-latency pair: nothing upstream but a fixed answer, so the hop is all there is.
    start('fixed-upstream', [new URL('./fixed-upstream.mjs', import.meta.url).pathname, '--port', String(18090 + PORT_OFFSET)]);
    const fixedUrl = `http://127.0.0.1:${18090 + PORT_OFFSET}`;
    await waitFor(`${fixedUrl}/v1/models`);
    if (TARGETS.includes('b-fixed')) {
      const bUrl = `http://127.0.0.1:${18091 + PORT_OFFSET}`;
      const p = start('proxy-fixed', [...cpuProf('b-fixed'), new URL('./proxy.mjs', import.meta.url).pathname, '--port', String(18091 + PORT_OFFSET), '--upstream', fixedUrl]);
      await waitFor(`${bUrl}/v1/models`);
      targets['b-fixed'] = { pid: p.child.pid, url: `${bUrl}/v1/chat/completions`, headers: { authorization: 'Bearer x' }, wrk: true };
    }
    if (TARGETS.includes('c-fixed')) targets['c-fixed'] = { ...(await startGateway('c-fixed', 18092, fixedUrl, {}, 'http')), wrk: true };
  }
  if (TARGETS.includes('c-memory') || TARGETS.includes('c-stream')) {
    targets['c-memory'] = await startGateway('c-memory', 18083, simUrl, {}, 'http');
    targets['c-stream'] = { ...targets['c-memory'], body: STREAM_BODY };
  }
  if (TARGETS.includes('c-workers')) targets['c-workers'] = await startGateway('c-workers', 18087, simUrl, { TOLLGATE_REDIS_URL: REDIS_URL, TOLLGATE_REDIS_PREFIX: `bench-w:${Date.now()}:` }, 'http', true, ['--workers', '2']);
  if (TARGETS.includes('c-keys')) {
    const t = await startGateway('c-keys', 18088, simUrl, {}, 'http');
    const t0 = Date.now();
    t.keys = await manyKeys(t.base, ORGS, KEYS);
    t.next = 0;
    console.log(`c-keys: ${ORGS} organizations and ${KEYS} keys made in ${Math.round((Date.now() - t0) / 1000)} s; RSS ${Math.round(rssMb(t.pid))} MB`);
    targets['c-keys'] = t;
  }
  if (TARGETS.includes('c-redis')) targets['c-redis'] = await startGateway('c-redis', 18084, simUrl, { TOLLGATE_REDIS_URL: REDIS_URL, TOLLGATE_REDIS_PREFIX: `bench:${Date.now()}:` }, 'http');
  if (TARGETS.includes('c-nolimits')) targets['c-nolimits'] = await startGateway('c-nolimits', 18086, simUrl, {}, 'http', false);
  if (TARGETS.includes('c-inprocess')) targets['c-inprocess'] = await startGateway('c-inprocess', 18085, simUrl, {}, 'inprocess');

  if (BASE_CLI) {
    if (!existsSync(BASE_CLI)) throw new Error(`--baseline: ${BASE_CLI} does not exist (build that checkout first: npm ci && npm run build)`);
    // The baseline must run its own workspace packages: a node_modules linked from this tree would
    // give it this tree's @tollgate/protocol, half new code measured as the old.
    const baseRoot = resolve(BASELINE);
    for (const pkg of ['@tollgate/protocol', '@tollgate/client']) {
      const at = execFileSync(process.execPath, ['--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(pkg)}))`], { cwd: join(baseRoot, 'packages/gateway'), encoding: 'utf8' }).trim();
      const path = realpathSync(new URL(at));
      if (!path.startsWith(`${realpathSync(baseRoot)}/`)) throw new Error(`--baseline: ${pkg} resolves to ${path}, outside ${baseRoot}: give the baseline its own node_modules (npm ci there)`);
    }
    const base = async (n, port, upstream, env = {}) => {
      if (targets[n]) targets[`${n}:base`] = { ...(await startGateway(`${n}:base`, port + 200, upstream, env, 'http', true, [], BASE_CLI)), wrk: targets[n].wrk };
    };
    await base('c-memory', 18083, simUrl);
    if (targets['c-memory:base']) targets['c-stream:base'] = { ...targets['c-memory:base'], body: STREAM_BODY };
    await base('c-fixed', 18092, `http://127.0.0.1:${18090 + PORT_OFFSET}`);
    await base('c-redis', 18084, simUrl, { TOLLGATE_REDIS_URL: REDIS_URL, TOLLGATE_REDIS_PREFIX: `bench-base:${Date.now()}:` });
  }
  const names = TARGETS.flatMap((t) => [t, `${t}:base`]).filter((t) => targets[t]);
  // Warm up each target (JIT, connection pools, caches).
  // c-keys warms up with one request per key, so that every key has been authenticated (and
  // cached) before the RSS after warm-up is read.
  for (const n of names) await load(targets[n], 8, SECONDS, targets[n].keys?.length).catch(() => {});
  const warmRss = Object.fromEntries(names.map((n) => [n, rssMb(targets[n].pid)]));
  const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

  const results = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CONNECTIONS) {
      for (const n of names) {
        const t = targets[n];
        const before = cpuSeconds(t.pid);
        const callsBefore = syscalls(t.pid);
        const redisBefore = /^c-(redis|workers)/.test(n) ? redisStats() : undefined;
        await eldMark(t); // starts the probe's histogram afresh
        const gcFrom = TRACE_GC ? (t.output?.().length ?? 0) : 0;
        const r = await load(t, c);
        const cpu = cpuSeconds(t.pid) - before;
        const calls = syscalls(t.pid) - callsBefore;
        const eld = await eldMark(t);
        const redis = redisDelta(redisBefore, redisBefore && redisStats());
        const k = `${n}@${c}`;
        const agg = (results[k] ??= { target: n, connections: c, requests: 0, seconds: 0, cpu: 0, calls: 0, p50: [], p99: [], eld: [], errors: 0, non2xx: 0, rss: 0 });
        agg.requests += r.requests.total;
        agg.seconds += r.duration;
        agg.cpu += cpu;
        agg.calls += calls;
        agg.p50.push(r.latency.p50);
        agg.p99.push(r.latency.p99);
        if (eld) agg.eld.push(eld.p99);
        agg.errors += r.errors;
        agg.non2xx += r.non2xx;
        agg.rss = rssMb(t.pid);
        if (TRACE_GC && t.output) {
          const gc = gcTrace(t.output().slice(gcFrom));
          agg.gc ??= { scavenges: 0, scavengeMs: 0, reclaimedMb: 0 };
          for (const k of Object.keys(gc)) agg.gc[k] += gc[k];
        }
        if (redis) {
          agg.redis ??= { calls: {}, in: 0, out: 0, cpu: 0 };
          for (const [k, v] of Object.entries(redis.calls)) agg.redis.calls[k] = (agg.redis.calls[k] ?? 0) + v;
          agg.redis.in += redis.in;
          agg.redis.out += redis.out;
          agg.redis.cpu += redis.cpu;
        }
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
    'syscalls/req': Number((r.calls / r.requests).toFixed(1)),
    'RSS MB warm': Math.round(warmRss[r.target]),
    'RSS MB end': Math.round(r.rss),
    'ELD p99 ms': r.eld.length > 0 ? median(r.eld) : '',
    'non-2xx': r.non2xx + r.errors,
  }));
  const load2 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`\nTollgate benchmark — ${SECONDS}s × ${ROUNDS} rounds per cell, node ${process.version}; load average ${load1} after warm-up, ${load2} at the end\n`);
  console.table(rows);
  for (const r of Object.values(results).filter((x) => x.gc)) {
    const per = (v, digits) => ((v / r.requests) * 1000).toFixed(digits);
    console.log(`${r.target} @${r.connections}: GC per 1,000 requests: ${per(r.gc.scavenges, 2)} scavenges, ${per(r.gc.scavengeMs, 1)} ms scavenging, ${per(r.gc.reclaimedMb, 2)} MB reclaimed by mark-compacts`);
  }
  for (const r of Object.values(results).filter((x) => x.redis)) {
    const per = (v) => (v / r.requests).toFixed(2);
    const calls = Object.entries(r.redis.calls).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${per(v)}`).join(', ');
    const total = Object.values(r.redis.calls).reduce((s, v) => s + v, 0);
    console.log(`${r.target} @${r.connections}: Redis per request: ${per(total)} commands (${calls}); ${per(r.redis.in)} bytes in, ${per(r.redis.out)} bytes out; redis-server CPU ${Math.round((r.redis.cpu / r.requests) * 1e6)} µs (not in the gateway's CPU µs/req)`);
  }
  for (const c of CONNECTIONS) {
    const get = (n) => rows.find((r) => r.target === n && r.conns === c);
    for (const n of names.filter((x) => x.startsWith('c'))) {
      const cr = get(n);
      const pair = /-(stream|fixed)(:base)?$/.exec(n)?.[1];
      const a = pair ? undefined : get('a');
      const b = get(pair ? `b-${pair}` : 'b');
      if (!cr) continue;
      const parts = [];
      if (b) parts.push(`c/b throughput ${(cr['req/s'] / b['req/s']).toFixed(2)}, CPU ${(cr['CPU µs/req'] / b['CPU µs/req']).toFixed(2)}x`);
      if (a) parts.push(`c/a throughput ${(cr['req/s'] / a['req/s']).toFixed(2)}`);
      if (b) parts.push(`gateway CPU over the bare proxy: ${cr['CPU µs/req'] - b['CPU µs/req']} µs/req`);
      if (b) parts.push(`p99 ${cr['p99 ms'].toFixed(1)} ms against ${b['p99 ms'].toFixed(1)} ms (${(cr['p99 ms'] / b['p99 ms']).toFixed(2)}x)`);
      if (cr['ELD p99 ms'] !== '') parts.push(`event-loop delay p99 ${cr['ELD p99 ms']} ms`);
      if (parts.length > 0) console.log(`${n} @${c}: ${parts.join('; ')}`);
      const was = get(`${n}:base`);
      if (was) console.log(`${n} @${c} against the baseline: CPU ${(cr['CPU µs/req'] / was['CPU µs/req']).toFixed(2)}x (${cr['CPU µs/req']} against ${was['CPU µs/req']} µs/req), throughput ${(cr['req/s'] / was['req/s']).toFixed(2)}x, p99 ${cr['p99 ms'].toFixed(1)} against ${was['p99 ms'].toFixed(1)} ms`);
    }
    // Many keys against one key: the same gateway configuration, only the number of keys differs.
    const many = get('c-keys');
    const one = get('c-memory');
    if (many && one) {
      console.log(
        `c-keys (${KEYS} keys, ${ORGS} organizations) against c-memory (1 key) @${c}: throughput ${(many['req/s'] / one['req/s']).toFixed(2)}, ` +
          `CPU ${(many['CPU µs/req'] / one['CPU µs/req']).toFixed(2)}x, RSS ${many['RSS MB end']} MB against ${one['RSS MB end']} MB`,
      );
    }
  }
}

/**
 * Sums node --trace-gc lines of the main thread (the isolate with the most lines: worker threads
 * print their own): scavenges, their milliseconds, and what mark-compacts reclaimed (MB).
 */
function gcTrace(text) {
  const lines = text.split('\n').filter((l) => / ms: (Scavenge|Mark-Compact)/.test(l));
  const isolate = (l) => /^\[\d+:(0x[0-9a-f]+)\]/.exec(l)?.[1];
  const counts = new Map();
  for (const l of lines) counts.set(isolate(l), (counts.get(isolate(l)) ?? 0) + 1);
  const main = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const out = { scavenges: 0, scavengeMs: 0, reclaimedMb: 0 };
  for (const l of lines.filter((x) => isolate(x) === main)) {
    const sc = /Scavenge [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, ([\d.]+)/.exec(l);
    if (sc) {
      out.scavenges++;
      out.scavengeMs += Number(sc[1]);
    }
    const mc = /Mark-Compact(?: \(reduce\))? ([\d.]+) \([\d.]+\) -> ([\d.]+) /.exec(l);
    if (mc) out.reclaimedMb += Number(mc[1]) - Number(mc[2]);
  }
  return out;
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

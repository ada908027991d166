// Soak: one gateway (memory counters, every limit and the quota on, the simulator in process with
// an admission cap) under a steady request rate of mixed traffic, for --minutes:
//   plain (50%), streamed 64-token answers (25%), failed upstream calls (15%: an injected engine
//   error, half of them mid-stream) and cancelled streams (10%: the client aborts after the first
//   chunk).
// Every 10 s the gateway reports its event-loop delay (p50/p99/max) and RSS (bench/eld-probe.mjs).
// At the end, once the load has stopped: reservations still held (the organization's reserved
// spend), engine slots still held or queued and settlements pending (from /metrics) — all must be 0.
//
//   node bench/soak.mjs --minutes 10 --rate 50
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const MINUTES = Number(arg('minutes', '10'));
const RATE = Number(arg('rate', '50'));
const PORT = Number(arg('port', '18093'));
const CLI = new URL('../packages/gateway/dist/cli/main.js', import.meta.url).pathname;
const PROBE = new URL('./eld-probe.mjs', import.meta.url).pathname;
const ADMIN_KEY = 'soak-admin-key-0123456789abcdef0123';
const dir = mkdtempSync(join(tmpdir(), 'tollgate-soak-'));
const probeFile = join(dir, 'probe.jsonl');
const base = `http://127.0.0.1:${PORT}`;

writeFileSync(
  join(dir, 'soak.yaml'),
  `server: { host: 127.0.0.1, port: ${PORT} }\ndatabase: { url: "sqlite:${join(dir, 'soak.db')}" }\nlogging: { level: warn }\n` +
    `tiers:\n  soak:\n    "*": { max_requests_per_1_minute: 1000000000, max_tokens_per_1_minute: 100000000000, max_requests_per_1_day: 1000000000, max_tokens_per_1_day: 100000000000 }\ndefault_tier: soak\n` +
    `models:\n  - name: sim-small\n    provider: simulator\n    context_window: 8192\n    max_output_tokens: 4096\n    pricing: { input_per_1m: 0.15, output_per_1m: 0.60 }\n` +
    `    simulator: { ttft_ms: 20, tokens_per_second: 400, max_concurrency: 256, max_queue: 1024, allow_fault_header: true }\n` +
    `    admission: { max_concurrency: 64, max_queue: 256, max_wait_ms: 5000 }\n`,
);
const gw = spawn(process.execPath, ['--import', PROBE, CLI, 'serve', '--config', join(dir, 'soak.yaml')], {
  env: { ...process.env, TOLLGATE_ADMIN_KEY: ADMIN_KEY, TOLLGATE_BENCH_PROBE_FILE: probeFile },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let gwErr = '';
gw.stderr.on('data', (d) => (gwErr = (gwErr + d).slice(-4000)));

async function admin(method, path, body) {
  const r = await fetch(base + path, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

const outcomes = {};
const count = (k) => (outcomes[k] = (outcomes[k] ?? 0) + 1);

async function one(key, kind) {
  const stream = kind === 'stream' || kind === 'cancel' || kind === 'fail-mid';
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  if (kind === 'fail') headers['x-tollgate-fault'] = 'engine_overloaded';
  if (kind === 'fail-mid') headers['x-tollgate-fault'] = 'engine_overloaded@8';
  const ac = new globalThis.AbortController();
  try {
    const r = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers,
      signal: ac.signal,
      body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'Soak test: say something.' }], max_tokens: 64, stream }),
    });
    if (kind === 'cancel') {
      const reader = r.body.getReader();
      await reader.read();
      ac.abort();
      count(`${kind} ${r.status}`);
      return;
    }
    await r.arrayBuffer();
    count(`${kind} ${r.status}`);
  } catch (e) {
    count(`${kind} ${e.name === 'AbortError' ? 'aborted' : 'error'}`);
  }
}

function pick(i) {
  const m = i % 20;
  if (m < 10) return 'plain';
  if (m < 15) return 'stream';
  if (m < 17) return 'fail';
  if (m < 18) return 'fail-mid';
  return 'cancel';
}

async function metric(name) {
  const text = await (await fetch(`${base}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
}

async function main() {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (i > 600) throw new Error(`gateway did not start:\n${gwErr}`);
    await sleep(100);
  }
  const org = await admin('POST', '/admin/v1/organizations', { name: 'soak' });
  const user = await admin('POST', '/admin/v1/users', { email: 'soak@bench.local', name: 'soak' });
  await admin('POST', `/admin/v1/organizations/${org.id}/members`, { user_id: user.id, role: 'owner' });
  await admin('PUT', `/admin/v1/organizations/${org.id}/billing`, { hard_limit_usd: 1_000_000, soft_limit_usd: null });
  const key = (await admin('POST', '/admin/v1/keys', { organization_id: org.id, user_id: user.id, name: 'soak' })).key;

  const started = Date.now();
  const end = started + MINUTES * 60_000;
  const inflight = new Set();
  let i = 0;
  console.log(`soak: ${MINUTES} min at ${RATE} req/s, gateway pid ${gw.pid}`);
  while (Date.now() < end) {
    // Steady rate: start the requests that are due by now.
    const due = Math.floor(((Date.now() - started) / 1000) * RATE);
    while (i < due) {
      const p = one(key, pick(i++)).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await sleep(5);
  }
  await Promise.all(inflight);
  await sleep(3000); // settlements and usage flushes land

  const billing = await admin('GET', `/admin/v1/organizations/${org.id}/billing`);
  const leaks = {
    reserved_usd: billing.reserved_usd,
    admission_in_flight: await metric('tollgate_admission_in_flight'),
    admission_queued: await metric('tollgate_admission_queued'),
    settlements_pending: await metric('tollgate_settlements_pending'),
    usage_buffered: await metric('tollgate_usage_buffered'),
  };
  const series = readFileSync(probeFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  console.log(`\nrequests sent: ${i}; outcomes:`, outcomes);
  console.log('\nseries (every 10 s: event-loop delay ms p50/p99/max, RSS MB, V8 heap in use MB: RSS saw-tooths with garbage collection, a leak shows as heap growth):');
  for (const s of series) console.log(`  +${Math.round((s.t - started) / 1000)}s  p50 ${s.p50}  p99 ${s.p99}  max ${s.max}  rss ${s.rss}  heap ${s.heap}`);
  const warm = series.filter((s) => s.t - started > 60_000 && s.t <= end);
  const stat = (xs) => ({ min: Math.min(...xs), median: [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)], max: Math.max(...xs) });
  if (warm.length > 1) {
    const half = Math.floor(warm.length / 2);
    const mean = (xs) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
    console.log(`\nafter the first minute: RSS MB`, stat(warm.map((s) => s.rss)), `first half mean ${mean(warm.slice(0, half).map((s) => s.rss))}, second half mean ${mean(warm.slice(half).map((s) => s.rss))}`);
    console.log(`after the first minute: event-loop delay p99 ms`, stat(warm.map((s) => s.p99)));
  }
  console.log('\nleft held after the load stopped (all must be 0):', leaks);
  if (Object.values(leaks).some((v) => v !== 0)) process.exitCode = 1;
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => gw.kill('SIGTERM'));

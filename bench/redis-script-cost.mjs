// What the counter store's scripts cost Redis itself, in instructions (not seconds): a
// redis-server of the bench's own runs under valgrind's callgrind, which counts the instructions
// it executes whatever else the machine is doing, so two builds compare exactly in one run even
// on a loaded machine. Each request of the gateway is one reserve call (4 buckets: rpm, tpm, rpd,
// tpd of the organization; the organization's and the project's spend, guarded) and one
// settlement, settled --batch at a time as one event-loop turn's settlements are.
//
//   node bench/redis-script-cost.mjs                          # this tree's scripts
//   node bench/redis-script-cost.mjs --roots .,../before      # side by side with another built checkout
//   node bench/redis-script-cost.mjs --calls 2000 --batch 7 --refund 100
//
// --refund T: each settlement's token buckets take T tokens less than reserved (a request that
// used less than its max_tokens; 0 = as reserved, as the bench's simulator answers).
// Prints per root: instructions per reserve call, per settlement, and per request (the two), and
// the commands Redis ran per request (INFO commandstats, scripts' own calls included).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const ROOTS = arg('roots', '.').split(',').map((r) => resolve(r));
const CALLS = Number(arg('calls', '1000'));
const BATCH = Number(arg('batch', '7'));
const REFUND = Number(arg('refund', '0'));
const PORT = Number(arg('port', '18997'));
const IN_FLIGHT = 50;

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('valgrind is needed (apt-get install -y valgrind): it counts the instructions redis-server runs.');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-cost-'));
const server = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${dir}/cg.%p`, 'redis-server', '--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
// Never left behind, also when a step below throws.
process.on('exit', () => {
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
if (await answers(PORT)) throw new Error(`port ${PORT} is taken (--port)`);
// valgrind takes a few seconds to start redis-server: wait until its port answers.
for (let i = 0; !(await answers(PORT)); i++) {
  if (i > 150) throw new Error('redis-server under valgrind did not start');
  await sleep(200);
}
const redis = new Redis({ port: PORT });

function answers(port) {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => done(true)).once('error', () => done(false));
    socket.once('close', () => socket.destroy());
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('connect', () => socket.end());
  });
}

/** Instructions redis-server ran while `work` ran (callgrind's counters zeroed before, dumped after). */
async function instructions(work) {
  execFileSync('callgrind_control', ['-z', String(server.pid)], { stdio: 'ignore' });
  await work();
  const before = new Set(readdirSync(dir));
  execFileSync('callgrind_control', ['-d', String(server.pid)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const fresh = readdirSync(dir).filter((f) => !before.has(f));
    for (const f of fresh) {
      const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'));
      if (m) return Number(m[1]);
    }
    await sleep(100);
  }
  throw new Error('no callgrind dump');
}

async function commandStats() {
  const out = {};
  for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_(\w+):calls=(\d+)/g)) out[m[1]] = Number(m[2]);
  return out;
}

const rows = [];
for (const [r, root] of ROOTS.entries()) {
  const dist = join(root, 'packages/gateway/dist/limits/redis-scripts.js');
  if (!existsSync(dist)) throw new Error(`${root}: not built (${dist})`);
  const s = await import(dist);
  const reserveSha = await redis.script('LOAD', s.RESERVE_LUA);
  const settleSha = await redis.script('LOAD', s.SETTLE_LUA);
  const prefix = `cost${r}:`;
  const tag = 'org-0mx6p6jg2000uHNkF61cZZBD';
  const period = Date.UTC(2027, 0, 1);
  const spendKey = 'spend:2026-12';
  const projectKey = 'spend:proj_0mx6p6jg3000Dnv9bcpYKV95:2026-12';
  // Restored spend state, as the gateway's start-up rebuild leaves it (the reserve is guarded).
  await redis.hset(s.spendKey(prefix, tag, spendKey), 's', '0', 'r', '0', 'g', '1');
  await redis.hset(s.spendKey(prefix, tag, projectKey), 's', '0', 'r', '0', 'g', '1');
  const buckets = [
    { key: 'org:sim-small:rpm', limit: 1_000_000_000, windowMs: 60_000, cost: 1 },
    { key: 'org:sim-small:tpm', limit: 100_000_000_000, windowMs: 60_000, cost: 29 + REFUND },
    { key: 'org:sim-small:rpd', limit: 1_000_000_000, windowMs: 86_400_000, cost: 1 },
    { key: 'org:sim-small:tpd', limit: 100_000_000_000, windowMs: 86_400_000, cost: 29 + REFUND },
  ];
  let seq = 0;
  const reserveOne = () => {
    const id = `req_${r}_${(seq++).toString(16).padStart(12, '0')}`;
    const call = s.encodeReserve(prefix, {
      reservationId: id,
      tag,
      buckets,
      spend: { key: spendKey, hardLimit: 1_000_000_000_000_000_000n, amount: 11_550_000n, periodEndMs: period, guarded: true },
      projectSpend: { key: projectKey, hardLimit: null },
      leaseMs: 900_000,
    });
    return redis.evalsha(reserveSha, call.keys.length, ...call.keys, ...call.args).then((reply) => {
      if (reply[0] !== 1) throw new Error(`reserve refused: ${JSON.stringify(reply)}`);
      return id;
    });
  };
  const settleAll = async (ids) => {
    const calls = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const entries = ids.slice(i, i + BATCH).map((id) => s.settleArgs({ reservationId: id, tag, bucketCosts: [1, 29, 1, 29], spendAmount: 10_000_000n }));
      const call = s.encodeSettles(prefix, tag, entries);
      calls.push(redis.evalsha(settleSha, call.keys.length, ...call.keys, ...call.args));
    }
    for (const reply of await Promise.all(calls)) if (reply.some((x) => x !== 1)) throw new Error(`settle failed: ${JSON.stringify(reply)}`);
  };
  const reserveMany = async (n) => {
    const ids = [];
    for (let i = 0; i < n; i += IN_FLIGHT) ids.push(...(await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n - i) }, reserveOne))));
    return ids;
  };

  await settleAll(await reserveMany(200)); // warm-up: buckets and spend hashes exist, as under load
  await redis.config('RESETSTAT');
  let ids = [];
  const reserveIr = await instructions(async () => {
    ids = await reserveMany(CALLS);
  });
  const settleIr = await instructions(() => settleAll(ids));
  const stats = await commandStats();
  const commands = Object.entries(stats).filter(([c]) => c !== 'config' && c !== 'info' && c !== 'callgrind');
  const perRequest = commands.reduce((t, [, n]) => t + n, 0) / CALLS;
  rows.push({
    root,
    'reserve Ir/call': Math.round(reserveIr / CALLS),
    'settle Ir/settlement': Math.round(settleIr / CALLS),
    'Ir/request': Math.round((reserveIr + settleIr) / CALLS),
    'commands/request': Number(perRequest.toFixed(2)),
  });
  console.log(`${root}: ${commands.sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${(n / CALLS).toFixed(2)}`).join(', ')}`);
}
redis.disconnect();
console.table(rows);
console.log(`valgrind callgrind, ${CALLS} requests (${BATCH} settlements per settle call, tokens refunded per settlement: ${REFUND})`);
process.exit(0); // the exit handler stops redis-server and removes its callgrind files

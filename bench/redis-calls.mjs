// The counter store's Redis calls alone, for one built tree: a c-redis request's reserve (four
// rate-limit buckets, the organization's and the project's spend) and its settlement, 50 callers
// at once through the gateway's own client (connectRedis) and RedisCounterStore, so settlements
// batch per event-loop turn as in the gateway. Prints the CPU per reserve + settle of this process
// (the gateway's side: encoding, the client, replies) and of the redis-server (INFO cpu, main
// thread: the scripts and its I/O), and with --alloc the bytes this process allocated per pair.
// Compare two trees by alternating runs against one redis-server of your own:
//   redis-server --port 18990 --save '' --appendonly no &
//   node bench/redis-calls.mjs ../before 18990 20000
//   node bench/redis-calls.mjs .         18990 20000
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const [treeArg, portArg, nArg = '20000'] = process.argv.slice(2);
if (!treeArg || !portArg) {
  console.error('usage: node bench/redis-calls.mjs TREE REDIS_PORT [pairs] [--alloc]');
  process.exit(2);
}
const tree = pathToFileURL(resolve(treeArg)).href;
const { connectRedis } = await import(`${tree}/packages/gateway/dist/redis-client.js`);
const { RedisCounterStore } = await import(`${tree}/packages/gateway/dist/limits/redis-counter-store.js`);
const { default: pino } = await import(`${tree}/node_modules/pino/pino.js`);
const client = await connectRedis({ url: `redis://127.0.0.1:${portArg}`, cluster_nodes: [], key_prefix: 'x:' }, pino({ level: 'silent' }));
const prefix = `bench-calls:${Date.now()}:`;
const store = new RedisCounterStore(client, { prefix });
const tag = 'org-0mx6ce0o4000FVBXsE6NYY1j';
const buckets = [
  { key: 'org:sim-small:rpm', limit: 1e9, windowMs: 60_000, cost: 1 },
  { key: 'org:sim-small:tpm', limit: 1e11, windowMs: 60_000, cost: 29 },
  { key: 'org:sim-small:rpd', limit: 1e9, windowMs: 86_400_000, cost: 1 },
  { key: 'org:sim-small:tpd', limit: 1e11, windowMs: 86_400_000, cost: 29 },
];
const periodEndMs = Date.UTC(new Date().getUTCFullYear() + 1, 0, 1);
let seq = 0;
async function caller(n) {
  for (let i = 0; i < n; i++) {
    const reservationId = `req_${(seq++).toString(16).padStart(32, '0')}`;
    const o = await store.reserve({
      reservationId,
      tag,
      leaseMs: 900_000,
      spend: { key: 'spend:month', hardLimit: 10n ** 18n, amount: 11_550_000n, periodEndMs, guarded: false },
      projectSpend: { key: 'spend:proj_0mx6ce0o5000nLKoQVqVEV79:month', hardLimit: null },
      buckets,
    });
    if (!o.admitted) throw new Error('refused');
    void store.settle({ reservationId, tag, bucketCosts: [1, 29, 1, 29], spendAmount: 11_550_000n });
  }
}
const C = 50;
const run = (n) => Promise.all(Array.from({ length: C }, () => caller(n / C)));
const redisCpu = async () => {
  const info = await client.info('cpu');
  const n = (k) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)[1]);
  return n('used_cpu_user_main_thread') + n('used_cpu_sys_main_thread');
};
await run(2000);
const N = Number(nArg);
const s = new Session();
s.connect();
const alloc = process.argv.includes('--alloc');
if (alloc) {
  await s.post('HeapProfiler.enable');
  await s.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
const r0 = await redisCpu();
const c0 = process.cpuUsage();
await run(N);
const c = process.cpuUsage(c0);
const r1 = await redisCpu();
let kb = '';
if (alloc) {
  const { profile } = await s.post('HeapProfiler.stopSampling');
  let total = 0;
  const visit = (node) => {
    total += node.selfSize;
    node.children.forEach(visit);
  };
  visit(profile.head);
  kb = `, alloc ${(total / N / 1024).toFixed(2)} KB/pair`;
}
await store.close();
for (let cursor = '0'; ; ) {
  const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  if (keys.length > 0) await client.del(...keys);
  if ((cursor = next) === '0') break;
}
client.disconnect();
console.log(`${treeArg}: CPU per reserve + settle: this process ${((c.user + c.system) / N).toFixed(1)} µs, redis-server ${(((r1 - r0) / N) * 1e6).toFixed(1)} µs${kb}`);

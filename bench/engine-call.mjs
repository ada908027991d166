// CPU (and with --alloc, bytes allocated) per non-streamed engine call against a fixed upstream,
// for one built tree: the upstream half of the request path alone, 50 calls in flight. Compare
// two trees by alternating runs in one session:
//   node bench/fixed-upstream.mjs --port 18777 &
//   node bench/engine-call.mjs ../before http://127.0.0.1:18777 20000 --alloc
//   node bench/engine-call.mjs .         http://127.0.0.1:18777 20000 --alloc
// Allocation per call does not depend on the machine's load, which CPU per call does.
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const [treeArg, url, nArg = '20000'] = process.argv.slice(2);
if (!treeArg || !url) {
  console.error('usage: node bench/engine-call.mjs TREE UPSTREAM_URL [calls] [--alloc]');
  process.exit(2);
}
const tree = pathToFileURL(resolve(treeArg)).href;
const { OpenAICompatibleEngine } = await import(`${tree}/packages/gateway/dist/upstream/openai-compatible/index.js`);
const { systemClock } = await import(`${tree}/packages/gateway/dist/clock.js`);
const T = { connect_ms: 2000, first_byte_ms: 5000, idle_ms: 5000, total_ms: 20000 };
const dep = { name: 'a', base_url: `${url}/v1`, api_key_env: null, model: 'm', headers: {}, weight: 1, responses_api: 'chat', timeouts: T };
const model = { name: 'm', provider: 'openai-compatible', type: 'chat', context_window: 8192, max_output_tokens: 1024, pricing: { input_per_1m: 1, output_per_1m: 2 }, simulator: {}, deployments: [dep], admission: null, fallbacks: [], owned_by: 'x', created: 0, breaker: { consecutive_failures: 1000, error_rate: 0, window: 20, open_ms: 30000 } };
const e = new OpenAICompatibleEngine(model, { clock: systemClock, env: {}, overloadStatus: 429 });
const call = () => e.call({ endpoint: 'chat.completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, stream: false, clientWantsUsage: false, requestId: 'r', signal: new AbortController().signal });
const N = Number(nArg), C = 50;
async function run(n) { let i = 0; await Promise.all(Array.from({ length: C }, async () => { while (i++ < n) await call(); })); }
await run(3000);
const s = new Session(); s.connect();
const prof = process.argv.includes('--alloc');
if (prof) { await s.post('HeapProfiler.enable'); await s.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }); }
const c0 = process.cpuUsage(); const t0 = performance.now();
await run(N);
const c = process.cpuUsage(c0); const wall = performance.now() - t0;
let kb = '';
if (prof) { const { profile } = await s.post('HeapProfiler.stopSampling'); let tot = 0; const v = (n) => { tot += n.selfSize; n.children.forEach(v); }; v(profile.head); kb = ` alloc ${(tot / N / 1024).toFixed(2)} KB/call`; }
console.log(`${treeArg}: CPU ${((c.user + c.system) / N).toFixed(1)} µs/call, wall ${(wall * 1000 / N).toFixed(1)} µs/call${kb}`);
await e.close(); process.exit(0);

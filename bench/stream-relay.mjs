// The streaming relay's own work per stream, without sockets: a 64-token chat stream shaped as the
// simulator sends it (a role chunk, 20 content chunks, the finish chunk, the usage chunk, [DONE];
// 7.7 KB) cut into `--reads` pieces, read through UpstreamChunkStream and relayed by relayStream
// to a response that only counts what it is given. The client did not ask for usage (the bench's
// c-stream body), so every chunk loses its `"usage":null`.
//
//   npm run build && node bench/stream-relay.mjs [--streams 10000] [--reads 3] [--rounds 5] [--alloc] [--root DIR]
//
// --root runs another built checkout's relay (its packages/gateway/dist) with this stream.
// Prints CPU µs per stream for each round (process.cpuUsage; take the best: other work on the
// machine only adds). With --alloc, one round under V8's sampling heap profiler with collected
// objects included, and the bytes allocated per stream by site (as bench/alloc-top.mjs).
import { Buffer } from 'node:buffer';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const STREAMS = Number(arg('streams', '10000'));
const READS = Number(arg('reads', '3'));
const ROUNDS = Number(arg('rounds', '5'));
const ALLOC = process.argv.includes('--alloc');
const DIST = pathToFileURL(resolve(arg('root', new URL('..', import.meta.url).pathname), 'packages/gateway/dist')).href;
const { AbortLatch } = await import(`${DIST}/http/abort-latch.js`);
const { relayStream } = await import(`${DIST}/pipeline/relay.js`);
const { AttemptControl } = await import(`${DIST}/upstream/openai-compatible/attempt-control.js`);
const { UpstreamChunkStream } = await import(`${DIST}/upstream/openai-compatible/chunk-stream.js`);

const head = { id: 'chatcmpl-5974fa7fafb7a1da4c60c5bbf3f82', object: 'chat.completion.chunk', created: 1796229058, model: 'sim-small', service_tier: 'default', system_fingerprint: 'fp_6d79de5358' };
const words = ['One team found', ' the strong window', ' and a quiet', ' river, then', ' seven more'];
const chunks = [
  { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], usage: null },
  ...Array.from({ length: 20 }, (_, i) => ({ ...head, choices: [{ index: 0, delta: { content: words[i % words.length] }, logprobs: null, finish_reason: null }], usage: null })),
  { ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null },
  { ...head, choices: [], usage: { prompt_tokens: 13, completion_tokens: 56, total_tokens: 69, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } } },
];
const body = Buffer.from(`${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`);
const pieces = Array.from({ length: READS }, (_, i) => body.subarray(Math.floor((i * body.length) / READS), Math.floor(((i + 1) * body.length) / READS)));

const timeouts = { total_ms: 600_000, first_byte_ms: 60_000, idle_ms: 60_000, connect_ms: 10_000 };
class Body {
  i = 0;
  [Symbol.asyncIterator]() {
    return this;
  }
  next() {
    return Promise.resolve(this.i < pieces.length ? { value: pieces[this.i++], done: false } : { value: undefined, done: true });
  }
  destroy() {}
}
let chars = 0;
const res = {
  writableNeedDrain: false,
  writableEnded: false,
  destroyed: false,
  headersSent: false,
  writeHead() {
    this.headersSent = true;
    return this;
  },
  flushHeaders() {},
  write(t) {
    chars += t.length;
    return true;
  },
  end(t) {
    if (t) chars += t.length;
    this.writableEnded = true;
  },
};
const usage = { prompt_tokens: 13, completion_tokens: 56, total_tokens: 69 };

async function one() {
  const client = new AbortLatch();
  const ctl = new AttemptControl(timeouts, client, true);
  const stream = new UpstreamChunkStream(new Body(), { ctl, timeouts, overloadStatus: 429, onEnd() {}, usageRequested: true, choices: 1, dialect: 'chat' });
  await stream.first();
  res.writableEnded = false;
  res.headersSent = false;
  const ctx = { res, clientGone: client, headers: {}, id: 'req_0', start: process.hrtime.bigint(), path: '/v1/chat/completions' };
  await relayStream(ctx, stream, false, 'http://127.0.0.1', async () => usage, {});
}

for (let i = 0; i < Math.min(2000, STREAMS); i++) await one();
if (ALLOC) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  for (let i = 0; i < STREAMS; i++) await one();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  const bySite = new Map();
  let total = 0;
  const visit = (node) => {
    const f = node.callFrame;
    const site = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const c of node.children) visit(c);
  };
  visit(profile.head);
  console.log(`${(total / STREAMS / 1024).toFixed(1)} KB allocated per stream (${READS} reads, ${STREAMS} streams)`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${String(Math.round(bytes / STREAMS)).padStart(8)} B  ${site}`);
} else {
  for (let r = 0; r < ROUNDS; r++) {
    chars = 0;
    const c0 = process.cpuUsage();
    for (let i = 0; i < STREAMS; i++) await one();
    const c = process.cpuUsage(c0);
    console.log(`${((c.user + c.system) / STREAMS).toFixed(2)} µs CPU per stream (${READS} reads, ${Math.round(chars / STREAMS)} characters sent)`);
  }
}

// The streaming relay's SSE decoding alone: a 64-event chat stream (the bench's stream shape)
// cut into 4 KB reads, decoded by the gateway's upstream parser, many times over.
//
//   npm run build && node bench/sse-decode.mjs [streams]
import { Buffer } from 'node:buffer';
import { SseParser } from '../packages/gateway/dist/upstream/openai-compatible/sse.js';

const STREAMS = Number(process.argv[2] ?? '20000');
const frame = (i) => `data: ${JSON.stringify({ id: 'chatcmpl-abc', object: 'chat.completion.chunk', created: 1, model: 'sim-small', choices: [{ index: 0, delta: { content: ` tok${i}` }, finish_reason: null }], usage: null })}\n\n`;
const all = Buffer.from(Array.from({ length: 64 }, (_, i) => frame(i)).join('') + 'data: [DONE]\n\n');
const reads = [];
for (let o = 0; o < all.length; o += 4096) reads.push(all.subarray(o, o + 4096));

let events = 0;
const run = (n) => {
  for (let k = 0; k < n; k++) {
    const p = new SseParser();
    for (const b of reads) events += p.push(b).length;
    events += p.end().length;
  }
};
run(Math.ceil(STREAMS / 5)); // warm-up
events = 0;
const t = process.hrtime.bigint();
run(STREAMS);
const us = Number(process.hrtime.bigint() - t) / 1000 / STREAMS;
console.log(`${us.toFixed(2)} µs per 64-event stream (${reads.length} reads, ${events / STREAMS} events each, ${STREAMS} streams)`);

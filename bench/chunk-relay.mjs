// Micro-benchmark: what the streaming relay does per chunk with a chunk it sends unchanged,
// before and after it kept the chunk's text (packages/gateway/dist/upstream/chunk-text.js):
// parse, drop `"usage":null`, then either serialize the object again or write the kept text.
//
//   npm run build && node bench/chunk-relay.mjs [--chunks 200000] [--rounds 8]
//
// Prints the best round's ns per chunk for each way (parse alone as the floor).
import { chunkText, keepChunkText, withoutNullUsage } from '../packages/gateway/dist/upstream/chunk-text.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const N = Number(arg('chunks', '200000'));
const ROUNDS = Number(arg('rounds', '8'));
// A content chunk as the simulator and OpenAI send it when usage was asked for.
const text = JSON.stringify({ id: 'chatcmpl-0123456789abcdef0123456789abc', object: 'chat.completion.chunk', created: 1764567890, model: 'sim-small', system_fingerprint: 'fp_0123456789', choices: [{ index: 0, delta: { content: ' hello wor' }, logprobs: null, finish_reason: null }], usage: null });

const ways = {
  'parse only': () => {
    let n = 0;
    for (let i = 0; i < N; i++) n += JSON.parse(text).choices.length;
    return n;
  },
  'serialized again': () => {
    let n = 0;
    for (let i = 0; i < N; i++) {
      const o = JSON.parse(text);
      delete o.usage;
      n += `data: ${JSON.stringify(o)}\n\n`.length;
    }
    return n;
  },
  'kept text': () => {
    let n = 0;
    for (let i = 0; i < N; i++) {
      const o = JSON.parse(text);
      keepChunkText(o, text);
      let json = chunkText(o);
      if ('usage' in o) {
        json = json !== undefined && o.usage === null ? withoutNullUsage(json) : undefined;
        delete o.usage;
      }
      n += `data: ${json}\n\n`.length;
    }
    return n;
  },
};
const best = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [k, f] of Object.entries(ways)) {
    const t0 = process.hrtime.bigint();
    f();
    best[k] = Math.min(best[k] ?? Infinity, Number(process.hrtime.bigint() - t0) / N);
  }
}
for (const [k, v] of Object.entries(best)) console.log(`${k.padEnd(18)} ${v.toFixed(0)} ns/chunk`);

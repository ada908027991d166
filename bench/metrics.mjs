// Micro-benchmark: the per-request metric updates of the gateway, with prom-client (the Metrics
// class in packages/gateway/dist/status/metrics.js) against the hand-written registry it
// replaced (kept below as the baseline), in the same process, in alternating rounds.
//
//   npm run build && node bench/metrics.mjs [--requests 200000] [--rounds 5]
//
// One request = what the gateway does when a response ends (tollgate_requests_total inc,
// tollgate_request_duration_seconds observe) plus what the status signals record for a model call
// (tollgate_model_requests_total inc, tollgate_model_first_byte_seconds observe, two
// tollgate_model_tokens_total inc): 6 updates. Labels vary like real traffic (routes, statuses,
// models). Prints ns per request (median of rounds) and the render time of /metrics.
import { Metrics } from '../packages/gateway/dist/status/metrics.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const REQUESTS = Number(arg('requests', '200000'));
const ROUNDS = Number(arg('rounds', '5'));

// ---- Baseline: the hand-written registry (as it was in packages/gateway/src/status/metrics.ts).
function key(l) {
  let out = '';
  for (const k in l) {
    const v = l[k];
    out += `${out ? ',' : ''}${k}="${/["\\\n]/.test(v) ? v.replace(/["\\\n]/g, '_') : v}"`;
  }
  return out;
}
class OldCounter {
  values = new Map();
  constructor(name, help) {
    this.name = name;
    this.help = help;
  }
  inc(labels = {}, by = 1) {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render() {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}
class OldHistogram {
  series = new Map();
  constructor(name, help, buckets) {
    this.name = name;
    this.help = help;
    this.buckets = buckets;
  }
  observe(labels, v) {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) s.counts[i]++;
    s.sum += v;
    s.count++;
  }
  render() {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const pre = k ? `${k},` : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${pre}le="${b}"} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket{${pre}le="+Inf"} ${s.count}`, `${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`, `${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}
function oldSet() {
  const requests = new OldCounter('tollgate_requests_total', 'Requests answered, by route and status.');
  const latency = new OldHistogram('tollgate_request_duration_seconds', 'Time from arrival to the end of the response.', [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120]);
  const modelRequests = new OldCounter('tollgate_model_requests_total', 'Requests that reached a model, by outcome.');
  const firstByte = new OldHistogram('tollgate_model_first_byte_seconds', 'Time from the engine call to its first byte.', [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]);
  const tokens = new OldCounter('tollgate_model_tokens_total', 'Tokens processed per model, by type.');
  return { requests, latency, modelRequests, firstByte, tokens, render: () => [requests, latency, modelRequests, firstByte, tokens].map((m) => m.render()).join('\n') + '\n' };
}

// ---- New: the gateway's Metrics (prom-client).
function newSet() {
  const m = new Metrics();
  return {
    requests: m.requests,
    latency: m.latency,
    modelRequests: m.counter('tollgate_model_requests_total', 'Requests that reached a model, by outcome.', ['model', 'outcome']),
    firstByte: m.histogram('tollgate_model_first_byte_seconds', 'Time from the engine call to its first byte.', ['model'], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]),
    tokens: m.counter('tollgate_model_tokens_total', 'Tokens processed per model, by type.', ['model', 'type']),
    render: () => m.render(),
  };
}

const PATHS = ['/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/models', '/healthz'];
const STATUSES = ['200', '200', '200', '200', '200', '200', '429', '400', '503'];
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small', 'llama-3.1-70b'];
const OUTCOMES = ['success', 'success', 'success', 'caller_error', 'platform_error'];

/** One request's updates, with labels built per request as the gateway builds them. */
function oneRequest(s, i) {
  const path = PATHS[i % PATHS.length];
  s.requests.inc({ path, status: STATUSES[i % STATUSES.length] });
  s.latency.observe({ path }, ((i * 7919) % 2000) / 1000);
  const model = MODELS[i % MODELS.length];
  s.modelRequests.inc({ model, outcome: OUTCOMES[i % OUTCOMES.length] });
  s.firstByte.observe({ model }, ((i * 104729) % 3000) / 1000);
  s.tokens.inc({ model, type: 'prompt' }, 20 + (i % 50));
  s.tokens.inc({ model, type: 'completion' }, 1 + (i % 300));
}

function run(s) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) oneRequest(s, i);
  return Number(process.hrtime.bigint() - t0) / REQUESTS;
}

async function renderNs(s) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 100; i++) await s.render();
  return Number(process.hrtime.bigint() - t0) / 100;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { old: [], new: [] };
const sets = { old: oldSet(), new: newSet() };
// Warm-up: both paths JIT-compiled before timing.
for (const k of ['old', 'new']) for (let i = 0; i < 20_000; i++) oneRequest(sets[k], i);
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
  for (const k of order) results[k].push(run(sets[k]));
}
const oldNs = median(results.old);
const newNs = median(results.new);
console.log(`metric updates per request (6 updates, ${REQUESTS} requests x ${ROUNDS} rounds, median):`);
console.log(`  hand-written registry  ${oldNs.toFixed(0)} ns/request   rounds: ${results.old.map((x) => x.toFixed(0)).join(' ')}`);
console.log(`  prom-client            ${newNs.toFixed(0)} ns/request   rounds: ${results.new.map((x) => x.toFixed(0)).join(' ')}`);
console.log(`  difference             ${(newNs - oldNs).toFixed(0)} ns/request (${(newNs / oldNs).toFixed(2)}x)`);
console.log(`render of /metrics: hand-written ${(await renderNs(sets.old) / 1e3).toFixed(0)} µs, prom-client ${(await renderNs(sets.new) / 1e3).toFixed(0)} µs`);

// What the usage ledger costs the gateway's event loop, apart from everything else: records
// --rate events per second (in groups, as requests finishing together) into a ledger on a SQLite
// file for --seconds, with its batches written in this thread or by the worker thread, and
// reports the main thread's busy time per event (event-loop utilization), the process's CPU time
// per event (every thread: the writer thread's work too) and the event-loop
// delay p99 / max (1 ms resolution). Alternates the two writers --rounds times.
//   node bench/ledger-loop.mjs --rate 2000 --seconds 5 --rounds 2
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const RATE = Number(arg('rate', '2000'));
const SECONDS = Number(arg('seconds', '5'));
const ROUNDS = Number(arg('rounds', '2'));
const dist = new URL('../packages/gateway/dist/', import.meta.url);
const { openStore, systemClock } = await import(new URL('index.js', dist).href);
const { UsageLedger } = await import(new URL('usage/ledger.js', dist).href);
const worker = await import(new URL('usage/worker-writer.js', dist).href).catch(() => undefined);
const log = { info() {}, warn() {}, error() {} };

let n = 0;
const event = () => ({
  request_id: `req_loop_${process.pid}_${n++}`, org_id: 'org_loop', project_id: 'proj_loop', key_id: `key_${n % 4}`, user_id: 'user_loop', model: 'sim-small', requested_model: 'sim-small',
  endpoint: '/v1/chat/completions', prompt_tokens: 14, completion_tokens: 10, cost_pico: 8_100_000n, status_code: 200, error_code: null, error_message: null,
  upstream_request_id: 'req_up', streamed: false, latency_ms: 3, estimated: false, created_at: Date.now(),
});

async function run(mode) {
  const dir = mkdtempSync(join(tmpdir(), 'tg-ledger-loop-'));
  const url = `sqlite:${join(dir, 'tollgate.db')}`;
  const store = await openStore(url);
  const writer = mode === 'worker' ? worker?.workerUsageWriterFor(url) : undefined;
  if (mode === 'worker' && !writer) return undefined;
  const ledger = new UsageLedger(store, { clock: systemClock, log, config: { flush_interval_ms: 200, flush_batch: 500 }, journalPath: join(dir, 'journal.jsonl'), ...(writer ? { write: (e) => writer.write(e) } : {}) });
  await ledger.start();
  const record = (e) => (ledger.recordGrouped ? ledger.recordGrouped(e) : ledger.record(e));
  // Warm up (JIT, the worker's start).
  for (let i = 0; i < 2000; i++) record(event());
  await ledger.flush();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const end = Date.now() + SECONDS * 1000;
  let sent = 0;
  // Every 5 ms, the events of 5 ms finish together.
  while (Date.now() < end) {
    const due = Math.round(((SECONDS * 1000 - (end - Date.now())) / 1000) * RATE) - sent;
    for (let i = 0; i < due; i++) record(event());
    sent += Math.max(0, due);
    await sleep(5);
  }
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  h.disable();
  await ledger.close();
  await writer?.close();
  await store.close();
  return { mode, events: sent, busyUsPerEvent: (elu.active * 1000) / sent, cpuUsPerEvent: (cpu.user + cpu.system) / sent, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

for (let r = 0; r < ROUNDS; r++) {
  for (const mode of ['in-thread', 'worker']) {
    const x = await run(mode);
    if (x) console.log(`${x.mode}: ${x.events} events, main thread busy ${x.busyUsPerEvent.toFixed(1)} µs/event, process CPU (all threads) ${x.cpuUsPerEvent.toFixed(1)} µs/event, event-loop delay p99 ${x.p99.toFixed(1)} ms, max ${x.max.toFixed(1)} ms`);
  }
}

// Preloaded into a gateway under soak or bench (node --import): every interval, appends the
// process's event-loop delay (p50/p99/max, ms) and RSS (MB) as one JSON line to
// $TOLLGATE_BENCH_PROBE_FILE, then resets the histogram. On SIGUSR2 it does the same at once, so
// that a bench can frame one load run (signal before, signal after: the second line covers the
// run). Bench-only; the gateway itself is unchanged.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = process.env.TOLLGATE_BENCH_PROBE_FILE;
const every = Number(process.env.TOLLGATE_BENCH_PROBE_MS ?? 10_000);
// --import also runs in the gateway's worker threads (token counting): measure the main loop only.
if (file && isMainThread) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const report = (extra) => {
    const ms = (ns) => Math.round(ns / 1e4) / 100;
    appendFileSync(file, JSON.stringify({ t: Date.now(), p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), rss: Math.round(process.memoryUsage().rss / 1048576), heap: Math.round(process.memoryUsage().heapUsed / 1048576), ...extra }) + '\n');
    h.reset();
  };
  setInterval(() => report({}), every).unref();
  process.on('SIGUSR2', () => report({ mark: true }));
}

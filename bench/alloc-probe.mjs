// Preloaded into a gateway by `node bench/run.mjs --alloc-prof DIR`: V8's sampling heap profiler
// with the objects that garbage collection has already freed included (node's --heap-prof keeps
// only those still alive at exit, which hides the per-request churn that drives scavenges). The
// profile is written at exit to $TOLLGATE_BENCH_ALLOC_FILE (a .heapprofile: Chrome DevTools opens
// it; `node bench/alloc-top.mjs FILE` lists the sites that allocate most).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.TOLLGATE_BENCH_ALLOC_FILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.TOLLGATE_BENCH_ALLOC_SURVIVORS !== '1' });
  // The in-thread inspector session answers synchronously, so this runs to the end inside 'exit'.
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (err, r) => {
      if (!err) writeFileSync(file, JSON.stringify(r.profile));
    });
  });
}

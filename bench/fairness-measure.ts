/**
 * A measured fairness figure, in real time: a light organization (B, 20 requests) alone, then
 * behind a flood from a heavy one (A, 200 requests enqueued first), then the same flood with
 * per-organization queues defeated (B's requests filed under A's id, i.e. one FIFO queue) as the
 * baseline. Each request holds its slot for `serviceMs`. Runs in well under a second with the
 * defaults.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../packages/gateway/src/clock.js';
import { Admission } from '../packages/gateway/src/admission/admission.js';

export interface FairnessMeasurement {
  capacity: number;
  serviceMs: number;
  heavyRequests: number;
  lightRequests: number;
  /** B's median wait for a slot with no one else around. */
  lightAloneMedianWaitMs: number;
  /** B's median wait while A floods, with per-organization fair queues. */
  lightUnderFloodMedianWaitMs: number;
  /** B's median wait while A floods, all requests in one FIFO queue (what fairness avoids). */
  lightUnderFloodFifoMedianWaitMs: number;
  /** A's median wait during the flood, fair queues. */
  heavyMedianWaitMs: number;
  /** 1-based position of B's last grant among all grants of the fair flood run (ideal ≈ 2 × 20). */
  lightLastGrantIndex: number;
}

export async function measureFairness(opts: { capacity?: number; serviceMs?: number } = {}): Promise<FairnessMeasurement> {
  const capacity = opts.capacity ?? 4;
  const serviceMs = opts.serviceMs ?? 4;
  const heavy = 200;
  const light = 20;

  const alone = await run(capacity, serviceMs, [{ org: 'B', label: 'B', n: light }]);
  const fair = await run(capacity, serviceMs, [
    { org: 'A', label: 'A', n: heavy },
    { org: 'B', label: 'B', n: light },
  ]);
  const fifo = await run(capacity, serviceMs, [
    { org: 'A', label: 'A', n: heavy },
    { org: 'A', label: 'B', n: light },
  ]);
  return {
    capacity,
    serviceMs,
    heavyRequests: heavy,
    lightRequests: light,
    lightAloneMedianWaitMs: median(alone.waits.get('B')!),
    lightUnderFloodMedianWaitMs: median(fair.waits.get('B')!),
    lightUnderFloodFifoMedianWaitMs: median(fifo.waits.get('B')!),
    heavyMedianWaitMs: median(fair.waits.get('A')!),
    lightLastGrantIndex: fair.lastGrant.get('B')!,
  };
}

interface Group {
  /** The organization id the requests are filed under. */
  org: string;
  /** Whose wait it is, for the report. */
  label: string;
  n: number;
}

async function run(capacity: number, serviceMs: number, groups: Group[]) {
  const total = groups.reduce((s, g) => s + g.n, 0);
  const adm = new Admission('fairness-measure', { max_concurrency: capacity, max_queue: total, max_wait_ms: 60_000 }, { clock: systemClock });
  const waits = new Map<string, number[]>();
  const lastGrant = new Map<string, number>();
  let grants = 0;
  const jobs: Promise<void>[] = [];
  for (const g of groups) {
    waits.set(g.label, []);
    for (let i = 0; i < g.n; i++) {
      const start = performance.now();
      jobs.push(
        adm.acquire({ orgId: g.org, cost: 100 }).then(async (slot) => {
          waits.get(g.label)!.push(performance.now() - start);
          lastGrant.set(g.label, ++grants);
          await sleep(serviceMs);
          slot.release('success', 100);
        }),
      );
    }
  }
  await Promise.all(jobs);
  await adm.close();
  return { waits, lastGrant };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

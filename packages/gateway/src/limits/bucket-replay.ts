/**
 * A token bucket's level rebuilt from the history of what it admitted, for counters lost with
 * Redis. The deficit (how far below full the bucket is) evolves as in a queue: each admission
 * adds its cost, and the refill drains it at `rate` units per ms, never below zero. Replaying the
 * admissions in time order gives exactly the deficit the live bucket would have (to the clock
 * skew between the instances that stamped the events), in the integer units of bucket-math.ts.
 * @module
 */
import { bucketScale, MAX_UNITS } from './bucket-math.js';

export interface Admitted {
  /** Epoch ms of the admission. */
  at: number;
  /** Tokens (or 1 for a request count) it took for good. */
  cost: number;
}

/** Units below full at `now` of a bucket of `limit` per `windowMs` that admitted `history`. */
export function replayDeficit(history: readonly Admitted[], limit: number, windowMs: number, now: number): number {
  const { q, rate } = bucketScale(limit, windowMs);
  const sorted = [...history].sort((a, b) => a.at - b.at);
  let deficit = 0;
  let last = -Infinity;
  for (const e of sorted) {
    if (e.at > now) continue;
    deficit = Math.max(0, deficit - drain(rate, e.at - last, deficit)) + e.cost * q;
    if (deficit > MAX_UNITS) deficit = MAX_UNITS;
    last = e.at;
  }
  return Math.max(0, deficit - drain(rate, now - last, deficit));
}

/** What the refill removes over `elapsed` ms, capped at the deficit (no overflow on long idle). */
function drain(rate: number, elapsed: number, deficit: number): number {
  if (!Number.isFinite(elapsed) || elapsed * rate >= deficit) return deficit;
  return Math.max(0, elapsed) * rate;
}

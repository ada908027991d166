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
  const replay = new DeficitReplay(limit, windowMs, now);
  for (const e of [...history].sort((a, b) => a.at - b.at)) replay.add(e.at, e.cost);
  return replay.deficit();
}

/**
 * `replayDeficit` one admission at a time, for histories too long to hold: admissions must come in
 * time order (ties in any order: their costs add up the same); those after `now` are ignored.
 */
export class DeficitReplay {
  private readonly q: number;
  private readonly rate: number;
  private units = 0;
  private last = -Infinity;

  constructor(
    limit: number,
    windowMs: number,
    private readonly now: number,
  ) {
    ({ q: this.q, rate: this.rate } = bucketScale(limit, windowMs));
  }

  /** Adds an admission at `at` (epoch ms, not before the last one; throws if it is) costing `cost` tokens. */
  add(at: number, cost: number): void {
    if (at > this.now) return;
    if (at < this.last) throw new Error(`bucket replay: admission at ${at} after one at ${this.last}`);
    this.units = Math.max(0, this.units - drain(this.rate, at - this.last, this.units)) + cost * this.q;
    if (this.units > MAX_UNITS) this.units = MAX_UNITS;
    this.last = at;
  }

  /** Units below full at `now`. */
  deficit(): number {
    return Math.max(0, this.units - drain(this.rate, this.now - this.last, this.units));
  }
}

/** What the refill removes over `elapsed` ms, capped at the deficit (no overflow on long idle). */
function drain(rate: number, elapsed: number, deficit: number): number {
  if (!Number.isFinite(elapsed) || elapsed * rate >= deficit) return deficit;
  return Math.max(0, elapsed) * rate;
}

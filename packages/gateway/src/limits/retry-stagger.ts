/**
 * Staggered retry hints for callers refused by the same rate limit at about the same time.
 *
 * The counter store tells each refused request the exact wait until its cost fits — the same
 * wait for everyone refused together. If all of them retry after it, one gets the capacity that
 * refilled and the others are refused again (and an SDK that follows the hint runs out of
 * retries). So the hints queue up: per bucket, the latest moment already promised to a refused
 * caller is kept, and the next caller is sent after it by the time the bucket needs to refill its
 * own cost (cost × window / limit).
 *
 * A request that comes back before its time keeps its place instead of being queued after
 * everyone again — else a client that ignores the hint and retries at once, over and over, would
 * be told one more refill interval on every refusal, although its one request needs only one. So
 * each place is kept for the caller it was given to: the API key and the request's fingerprint (its
 * body: a request sent again unchanged has the same one, the different requests of a key's many
 * clients have different ones). A refused request is taken to be coming back for one of its
 * caller's places still ahead if it could have been told it: if the place was given in an earlier
 * turn of the event loop than the one the request arrived in (event-loop-turn.ts). It gets the one
 * given longest ago back, given again now. Otherwise it gets a new place after everyone's. So:
 *
 * - a client retrying in a loop holds one place, and its hints do not grow;
 * - the requests of many keys, or the different requests of one key's many clients, each get a
 *   place of their own, one refill apart, however they arrive;
 * - the same request sent by 50 clients at once (or one client's 50 copies) arrives together, so
 *   none could have been told another's place: 50 places; when all 50 come back at once, each
 *   takes one of those 50 (one given back in this turn is not another's to take).
 *
 * A request that comes back once its caller's place came due (its client followed the hint) and
 * is refused again (someone else took the capacity) is that place's holder: the place is dropped
 * and the request gets a new one at the end. A place that came due is forgotten one refill
 * interval (at least a second) later.
 *
 * What cannot be told apart: the same request sent again by another client while a first copy
 * waits for its place is taken for that copy come back early, and sent to its place; of the two
 * that come then, one is refused again and queued anew. A client that changes its request on
 * every retry is a new caller each time, queued as such.
 *
 * A little upward jitter keeps callers refused by different gateway instances (each instance
 * keeps its own promises) from landing on the same millisecond; it is never negative, so no one is
 * sent back before the capacity is there. A place given back keeps its time (its jitter included),
 * unless the store's wait has moved past it: hints are never shorter than the store's wait.
 * @module
 */
import { turnOfAnswer } from '../event-loop-turn.js';

/** Jitter added to a hint: up to this fraction of the bucket's refill interval for the cost… */
const JITTER_FRACTION = 0.1;
/** …and never more than this. */
const MAX_JITTER_MS = 1000;
/**
 * Buckets' latest promises are swept when this many are kept (only those already in the past are
 * dropped); callers' places too, counted one by one — and if none of those has passed, they are all
 * forgotten (a caller coming back is then queued as a new one: a longer hint, never a shorter one).
 */
const SWEEP_AT = 10_000;
/** A caller's places on one bucket kept at most: requests refused together beyond them are queued without one. */
const MAX_PLACES_PER_CALLER = 256;
/** A place that came due is kept one refill interval, and at least this long, for its holder coming back. */
const MIN_DUE_KEEP_MS = 1000;

export interface StaggerBucket {
  key: string;
  limit: number;
  windowMs: number;
  cost: number;
  /** The store's exact wait until this bucket fits the cost. */
  waitMs: number;
}

/** Who was refused: the holder of the places given. */
export interface StaggerCaller {
  /** Unique among the callers of the buckets: the API key's id and the request's fingerprint. */
  id: string;
  /** The event-loop turn the request arrived in: `currentTurn()` of event-loop-turn.ts, then. */
  arrivedTurn: number;
}

/** A place promised to a caller: its time, and the turn it was (last) given in. */
interface Place {
  at: number;
  given: number;
}

export class RetryStagger {
  /** Bucket key (with its limit: `promiseKey`) → the epoch ms of the latest retry promised to a caller it refused. */
  private readonly latest = new Map<string, number>();
  /** Bucket key + caller → that caller's places on it, in the order they were given. */
  private readonly places = new Map<string, Place[]>();
  private placeCount = 0;

  /** `turn`: the number of the turn an answer is given in (event-loop-turn.ts). */
  constructor(
    private readonly random: () => number = Math.random,
    private readonly turn: () => number = turnOfAnswer,
  ) {}

  /** Promises kept (buckets' latest and callers' places): bounded by the sweeps. */
  get size(): number {
    return this.latest.size + this.placeCount;
  }

  /**
   * The wait to tell a caller refused by `buckets` (each failing bucket with a finite wait), and
   * records it as promised on each of them. Without `caller` every refusal gets a new place.
   */
  hintMs(now: number, buckets: readonly StaggerBucket[], caller?: StaggerCaller): number {
    // Each bucket's time is its own: its wait, its queue, its caller's place on it. The caller is
    // told the latest of them, but each bucket keeps only its own as promised — a refusal by a
    // day and a minute bucket together does not queue the minute bucket's callers (nor this
    // caller, should the day limit be lifted) behind the day's wait.
    const jitter = this.random();
    let jitterCap = MAX_JITTER_MS;
    for (const b of buckets) jitterCap = Math.min(jitterCap, ((b.cost * b.windowMs) / b.limit) * JITTER_FRACTION);
    const back: (Place | undefined)[] = [];
    const times: number[] = [];
    let at = now;
    for (const b of buckets) {
      const interval = (b.cost * b.windowMs) / b.limit;
      let base = now + Math.max(0, b.waitMs); // the earliest time a new place on this bucket may have
      const list = caller && this.places.get(placeKey(promiseKey(b), caller.id));
      const place = list && this.placeBack(list, now, Math.max(interval, MIN_DUE_KEEP_MS), caller);
      back.push(place);
      if (!place) {
        const last = this.latest.get(promiseKey(b));
        if (last !== undefined && last > now) base = Math.max(base, last + interval);
      }
      const t = place && place.at >= base ? place.at : base + jitter * jitterCap;
      times.push(t);
      at = Math.max(at, t);
    }
    if (this.latest.size >= SWEEP_AT) this.sweepLatest(now);
    buckets.forEach((b, i) => {
      const k = promiseKey(b);
      const t = times[i]!;
      this.latest.set(k, Math.max(t, this.latest.get(k) ?? t));
    });
    if (caller) this.give(now, buckets, caller.id, back, times);
    return at - now;
  }

  /**
   * The place `caller`'s request gets back, if any: of the caller's places still ahead that the
   * request could have been told (given in an earlier turn than it arrived in), the one given
   * longest ago. None when one of those has come due: the request is its holder, back as told, and
   * that place is dropped. Places that came due more than `keepDue` ago are dropped on the way.
   */
  private placeBack(list: Place[], now: number, keepDue: number, caller: StaggerCaller): Place | undefined {
    let oldest = -1;
    let due = -1;
    let n = 0;
    for (const p of list) {
      if (p.at + keepDue <= now) continue;
      list[n] = p;
      if (p.given < caller.arrivedTurn) {
        if (p.at > now) {
          if (oldest < 0) oldest = n;
        } else if (due < 0) due = n;
      }
      n++;
    }
    this.placeCount -= list.length - n;
    list.length = n;
    if (due >= 0) {
      list.splice(due, 1);
      this.placeCount--;
      return undefined;
    }
    return oldest >= 0 ? list[oldest] : undefined;
  }

  /** Records `times[i]` as `caller`'s place on bucket i: the place given back moved there, or a new one. */
  private give(now: number, buckets: readonly StaggerBucket[], caller: string, back: readonly (Place | undefined)[], times: readonly number[]): void {
    const given = this.turn();
    for (let i = 0; i < buckets.length; i++) {
      const key = placeKey(promiseKey(buckets[i]!), caller);
      const place = back[i];
      let list = this.places.get(key);
      const was = place && list ? list.indexOf(place) : -1;
      if (place && list && was >= 0) {
        list.splice(was, 1);
        place.at = times[i]!;
        place.given = given;
        list.push(place);
        continue;
      }
      if (list && list.length >= MAX_PLACES_PER_CALLER) continue;
      if (this.placeCount >= SWEEP_AT) {
        this.sweepPlaces(now);
        list = this.places.get(key);
      }
      if (!list) this.places.set(key, (list = []));
      list.push({ at: times[i]!, given });
      this.placeCount++;
    }
  }

  private sweepLatest(now: number): void {
    for (const [k, t] of this.latest) if (t <= now) this.latest.delete(k);
  }

  private sweepPlaces(now: number): void {
    for (const [k, list] of this.places) {
      const ahead = list.filter((p) => p.at > now);
      this.placeCount -= list.length - ahead.length;
      if (ahead.length === 0) this.places.delete(k);
      else this.places.set(k, ahead);
    }
    if (this.placeCount < SWEEP_AT) return;
    this.places.clear();
    this.placeCount = 0;
  }
}

const placeKey = (bucket: string, caller: string): string => `${bucket}\n${caller}`;

/**
 * What promises on a bucket are kept under: its key with its limit and window. Promises made under
 * a limit since changed were paced by its refill, not the new one's: they are not the new
 * bucket's queue (a raised limit does not send callers after places timed for the old rate),
 * and they are swept once past. A hint is never shorter than the store's wait, whatever is kept.
 */
const promiseKey = (b: StaggerBucket): string => `${b.key}\n${b.limit}/${b.windowMs}`;

/**
 * The in-process counter store (the embedded default, one gateway instance). Every method does
 * its whole decision synchronously, so within the process each call is atomic; the async surface
 * only matches the `CounterStore` contract. Time comes from the injected Clock.
 *
 * It mirrors the Redis scripts rule for rule (see bucket-math.ts and redis-scripts.ts): the same
 * integer units, the same sweep of expired reservations on reserve, and "a missing bucket is
 * full". Idle entries are dropped by an amortised garbage collection instead of key TTLs.
 * @module
 */
import type { Clock } from '../clock.js';
import {
  MAX_UNITS,
  RECORD_GRACE_MS,
  SPEND_GRACE_MS,
  bucketScale,
  ceilDiv,
  floorDiv,
  refilled,
  rescaledLevel,
  rescaledWait,
  sameScale,
  validateBucketRestores,
  validatePeek,
  validateReserve,
  validateSettle,
  validateSpendArgs,
  type BucketScale,
} from './bucket-math.js';
import { pairMemo } from './pair-memo.js';
import { CounterStateLost, type BucketRestore, type BucketStatus, type CounterStore, type PeekBucket, type ReserveFailure, type ReserveOutcome, type ReserveRequest, type RestoreRequest, type SettleRequest, type SpendState } from './counter-store.js';

/** A bucket's level with the scale (q, rate, capacity) it was written in: another limit reads it rescaled. */
interface BucketCell extends BucketScale {
  /** Level in units of 1/q token; may be negative (debt). */
  level: number;
  /** When the level was last written (ms). */
  ts: number;
  /** When the bucket is full again; past that the cell is the same as no cell. */
  expiresAt: number;
}

/** Pico-dollars. */
interface SpendCell {
  spent: bigint;
  reserved: bigint;
  expiresAt: number;
  /** Restored from the ledger (the Redis hash's `g`): guarded reserves pass. */
  restored?: boolean;
}

/**
 * A reservation's buckets are three lists by position (the names and scales are the arrays the
 * reserve built anyway, the scales shared and frozen): no object per bucket per request.
 */
interface Reservation {
  /** Bucket entry names. */
  keys: string[];
  /** What each was debited, in tokens. */
  costs: number[];
  /** The scale each was debited in. */
  scales: BucketScale[];
  spend?: { key: string; amount: bigint; expiresAt: number };
  /** The project's spend cell, charged the same amount as `spend`. */
  projectSpendKey?: string;
  leaseExpiresAt: number;
  /** After this the record is gone whether swept or not (Redis: the records hash TTL). */
  expiresAt: number;
}

/** A deep copy of the whole state, for tests that compare state before and after a call. */
export interface MemoryCounterSnapshot {
  buckets: Record<string, BucketCell>;
  spends: Record<string, SpendCell>;
  reservations: Record<string, Record<string, Reservation>>;
}

// Entry names follow the Redis key layout so a snapshot reads like a key dump.
const bucketName = (tag: string, key: string) => `{${tag}}:b:${key}`;
const spendName = (tag: string, key: string) => `{${tag}}:s:${key}`;
/** The same few names on every request, built once (bounded like every pairMemo). */
const bucketNameOf = pairMemo(100_000, bucketName);
const spendNameOf = pairMemo(100_000, spendName);

export class MemoryCounterStore implements CounterStore {
  private readonly buckets = new Map<string, BucketCell>();
  private readonly spends = new Map<string, SpendCell>();
  private readonly reservations = new Map<string, Map<string, Reservation>>();
  /**
   * Per tag, no lease of its held reservations runs out before this (a lower bound: settled ones
   * are not taken out), so the sweep on every reserve skips its loop over the requests in flight
   * until one may have expired.
   */
  private readonly sweepAt = new Map<string, number>();
  private opsSinceGc = 0;
  private closed = false;

  constructor(private readonly clock: Clock) {}

  async reserve(r: ReserveRequest): Promise<ReserveOutcome> {
    this.assertOpen();
    validateReserve(r);
    const now = this.now();
    this.maybeGc(now);
    if (this.reservations.get(r.tag)?.has(r.reservationId)) throw new Error(`counter store: duplicate reservation id ${r.reservationId}`);
    // The spend cells, looked up once: the guard reads them, and so do the check and the hold
    // below (the sweep changes a live cell's amounts in place, never which cell is live).
    const spendKey = r.spend ? spendNameOf(r.tag, r.spend.key) : '';
    const projectKey = r.spend && r.projectSpend ? spendNameOf(r.tag, r.projectSpend.key) : '';
    const spendCell = r.spend ? this.spendCell(spendKey, now) : undefined;
    const projectCell = projectKey ? this.spendCell(projectKey, now) : undefined;
    if (r.spend?.guarded && !spendCell?.restored) throw new CounterStateLost(r.tag);
    if (r.spend?.guarded && projectKey && !projectCell?.restored) throw new CounterStateLost(r.tag, 'project');
    this.sweep(r.tag, now);

    // One pass to check, one to debit; names and scales are memoized (a Map lookup hashes a new
    // string anew, and this runs on every request).
    const n = r.buckets.length;
    const names: string[] = new Array(n);
    const scales: BucketScale[] = new Array(n);
    const levels: number[] = new Array(n);
    let failures: ReserveFailure[] | undefined;
    for (let i = 0; i < n; i++) {
      const b = r.buckets[i]!;
      const s = scaleOf(b.windowMs, b.limit);
      const name = bucketNameOf(r.tag, b.key);
      const level = this.levelOf(name, s, now);
      names[i] = name;
      scales[i] = s;
      levels[i] = level;
      if (b.cost > b.limit) (failures ??= []).push({ target: i, available: floorDiv(level, s.q), retryAfterMs: null });
      else if (level < b.cost * s.q) (failures ??= []).push({ target: i, available: floorDiv(level, s.q), retryAfterMs: this.waitFor(name, s, now, level, b.cost * s.q) });
    }
    let spend: SpendState | undefined;
    let projectSpend: SpendState | undefined;
    if (r.spend) {
      spend = { spent: spendCell?.spent ?? 0n, reserved: spendCell?.reserved ?? 0n };
      const over = spendFailure('spend', spend, r.spend.hardLimit, r.spend.amount);
      if (over) (failures ??= []).push(over);
      if (r.projectSpend) {
        projectSpend = { spent: projectCell?.spent ?? 0n, reserved: projectCell?.reserved ?? 0n };
        const projectOver = spendFailure('project_spend', projectSpend, r.projectSpend.hardLimit, r.spend.amount);
        if (projectOver) (failures ??= []).push(projectOver);
      }
    }
    if (failures) {
      const buckets = r.buckets.map((b, i) => stateOf(b.limit, levels[i]!, scales[i]!, this.waitFor(names[i]!, scales[i]!, now, levels[i]!, scales[i]!.capacity)));
      const out: ReserveOutcome = { admitted: false, buckets, failures };
      if (spend) out.spend = spend;
      if (projectSpend) out.projectSpend = projectSpend;
      return out;
    }

    // Admitted: debit every bucket, reserve the spend, record the reservation.
    const states: BucketStatus[] = new Array(n);
    const costs: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const b = r.buckets[i]!;
      const s = scales[i]!;
      const level = levels[i]! - b.cost * s.q;
      if (b.cost > 0) this.writeBucket(names[i]!, level, s, now);
      states[i] = stateOf(b.limit, level, s);
      costs[i] = b.cost;
    }
    const record: Reservation = {
      keys: names,
      costs,
      scales,
      leaseExpiresAt: now + r.leaseMs,
      expiresAt: now + r.leaseMs + RECORD_GRACE_MS,
    };
    if (r.spend && spend) {
      const amount = r.spend.amount;
      const expiresAt = r.spend.periodEndMs + SPEND_GRACE_MS;
      this.holdSpend(spendKey, spendCell, spend, amount, expiresAt);
      record.spend = { key: spendKey, amount, expiresAt };
      record.expiresAt = Math.max(record.expiresAt, expiresAt);
      if (projectSpend) {
        record.projectSpendKey = projectKey;
        this.holdSpend(projectKey, projectCell, projectSpend, amount, expiresAt);
      }
    }
    // Looked up only now: the sweep above may have dropped the tag's (emptied) map.
    const held = this.reservations.get(r.tag);
    if (held) held.set(r.reservationId, record);
    else this.reservations.set(r.tag, new Map([[r.reservationId, record]]));
    const sweepAt = this.sweepAt.get(r.tag);
    if (sweepAt === undefined || record.leaseExpiresAt < sweepAt) this.sweepAt.set(r.tag, record.leaseExpiresAt);
    const out: ReserveOutcome = { admitted: true, buckets: states };
    if (spend) out.spend = spend;
    if (projectSpend) out.projectSpend = projectSpend;
    return out;
  }

  /**
   * Holds `amount` more on a spend cell; `state` (this call's own object, returned to the caller)
   * becomes its new state. Updated in place when the cell exists (an expired cell too: it keeps
   * its `restored` mark, as it always did).
   */
  private holdSpend(name: string, live: SpendCell | undefined, state: SpendState, amount: bigint, expiresAt: number): void {
    state.reserved += amount;
    const cell = live ?? this.spends.get(name);
    if (cell) {
      cell.spent = state.spent;
      cell.reserved = state.reserved;
      cell.expiresAt = expiresAt;
    } else {
      this.spends.set(name, { spent: state.spent, reserved: state.reserved, expiresAt });
    }
  }

  async settle(s: SettleRequest): Promise<boolean> {
    this.assertOpen();
    validateSettle(s);
    const now = this.now();
    const held = this.reservations.get(s.tag);
    const record = held?.get(s.reservationId);
    if (!held || !record || record.expiresAt <= now) return false;
    held.delete(s.reservationId);
    if (held.size === 0) this.reservations.delete(s.tag);

    const { keys, costs, scales } = record;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const cost = costs[i]!;
      const actual = s.bucketCosts?.[i] ?? cost;
      if (actual === cost) continue;
      // Refund (or debit) whole tokens against the level refilled to now, in the scale the bucket
      // is in now (a limit changed since the reserve: the current one; a full bucket: the
      // reservation's); never above capacity, debt floored.
      const sc = this.scaleNow(key, scales[i]!, now);
      const level = this.levelOf(key, sc, now) + (cost - actual) * sc.q;
      this.writeBucket(key, Math.max(-MAX_UNITS, Math.min(sc.capacity, level)), sc, now);
    }
    if (record.spend) {
      const { amount, expiresAt } = record.spend;
      const spent = s.spendAmount ?? amount;
      this.settleSpend(record.spend.key, amount, spent, expiresAt, now);
      if (record.projectSpendKey !== undefined) this.settleSpend(record.projectSpendKey, amount, spent, expiresAt, now);
    }
    return true;
  }

  /** A held `amount` becomes `spent` (an expired cell starts from nothing, unmarked). */
  private settleSpend(key: string, amount: bigint, spent: bigint, expiresAt: number, now: number): void {
    const cell = this.spendCell(key, now);
    if (!cell) {
      this.spends.set(key, { spent, reserved: 0n, expiresAt });
      return;
    }
    const reserved = cell.reserved - amount;
    cell.spent += spent;
    cell.reserved = reserved > 0n ? reserved : 0n;
    cell.expiresAt = expiresAt;
  }

  async peek(tag: string, buckets: readonly PeekBucket[]): Promise<BucketStatus[]> {
    this.assertOpen();
    validatePeek(tag, buckets);
    const now = this.now();
    // levelOf only reads: nothing is written back, so a peek never changes what a reserve sees.
    return buckets.map((b) => {
      const s = bucketScale(b.limit, b.windowMs);
      const name = bucketName(tag, b.key);
      const level = this.levelOf(name, s, now);
      return stateOf(b.limit, level, s, this.waitFor(name, s, now, level, s.capacity));
    });
  }

  async spendOf(tag: string, key: string): Promise<SpendState> {
    this.assertOpen();
    validateSpendArgs(tag, key);
    const cell = this.spendCell(spendName(tag, key), this.now());
    return cell ? { spent: cell.spent, reserved: cell.reserved } : { spent: 0n, reserved: 0n };
  }

  async setSpent(tag: string, key: string, spent: bigint, periodEndMs: number): Promise<void> {
    this.assertOpen();
    validateSpendArgs(tag, key, spent, periodEndMs);
    const name = spendName(tag, key);
    const cell = this.spendCell(name, this.now());
    this.spends.set(name, { spent, reserved: cell?.reserved ?? 0n, expiresAt: periodEndMs + SPEND_GRACE_MS, ...(cell?.restored && { restored: true }) });
  }

  async restore(r: RestoreRequest): Promise<boolean> {
    this.assertOpen();
    validateSpendArgs(r.tag, r.spend.key, r.spend.spent, r.spend.periodEndMs);
    const now = this.now();
    const name = spendName(r.tag, r.spend.key);
    const cell = this.spendCell(name, now);
    if (cell?.restored) return false;
    this.spends.set(name, { spent: r.spend.spent, reserved: cell?.reserved ?? 0n, expiresAt: r.spend.periodEndMs + SPEND_GRACE_MS, restored: true });
    this.lower(r.tag, r.buckets, now);
    return true;
  }

  async seed(tag: string, buckets: readonly BucketRestore[]): Promise<void> {
    this.assertOpen();
    validateBucketRestores(tag, buckets);
    const now = this.now();
    for (const b of buckets) {
      const s = bucketScale(b.limit, b.windowMs);
      const bucket = bucketName(tag, b.key);
      // Rewritten in the new scale even when not lower: it refills at the new limit's rate from now.
      this.writeBucket(bucket, Math.max(0, Math.min(s.capacity - b.deficitUnits, this.levelOf(bucket, s, now))), s, now);
    }
  }

  /** Each bucket down to capacity − deficit, in its scale, unless it is already that low. */
  private lower(tag: string, buckets: readonly BucketRestore[], now: number): void {
    for (const b of buckets) {
      const s = bucketScale(b.limit, b.windowMs);
      const level = Math.max(-MAX_UNITS, s.capacity - b.deficitUnits);
      const bucket = bucketName(tag, b.key);
      if (level < this.levelOf(bucket, s, now)) this.writeBucket(bucket, level, s, now);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  snapshot(): MemoryCounterSnapshot {
    const sorted = <T>(m: Map<string, T>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    return structuredClone({
      buckets: sorted(this.buckets),
      spends: sorted(this.spends),
      reservations: Object.fromEntries([...this.reservations.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([tag, m]) => [tag, sorted(m)])),
    });
  }

  private now(): number {
    return Math.floor(this.clock.now());
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('counter store: closed');
  }

  /**
   * The bucket's level refilled to `now`, in the units of `s`. A level written under another
   * limit is refilled in its own scale (as it would have been, and as its expiry says) and then
   * read with the used tokens kept (bucket-math.ts `rescaledLevel`).
   */
  private levelOf(name: string, s: BucketScale, now: number): number {
    const cell = this.buckets.get(name);
    if (!cell || cell.expiresAt <= now) return s.capacity;
    if (sameScale(cell, s)) return refilled(cell.level, s, now - cell.ts);
    return rescaledLevel(refilled(cell.level, cell, now - cell.ts), cell, s);
  }

  /**
   * The ms until the bucket (at `level` now, in the units of `s`) holds `need` units: at `s`'s rate,
   * or, for a level written under another limit, at its own (bucket-math.ts `rescaledWait`).
   */
  private waitFor(name: string, s: BucketScale, now: number, level: number, need: number): number {
    if (level >= need) return 0;
    const cell = this.buckets.get(name);
    if (cell && cell.expiresAt > now && !sameScale(cell, s)) return rescaledWait(refilled(cell.level, cell, now - cell.ts), cell, s, need);
    return ceilDiv(need - level, s.rate);
  }

  /** The scale a bucket's level is kept in now: the one it was written in, `otherwise` when it is full. */
  private scaleNow(name: string, otherwise: BucketScale, now: number): BucketScale {
    const cell = this.buckets.get(name);
    // The cell itself is that scale (its q, rate and capacity): no copy.
    return cell && cell.expiresAt > now ? cell : otherwise;
  }

  private writeBucket(name: string, level: number, s: BucketScale, now: number): void {
    if (level >= s.capacity) {
      this.buckets.delete(name);
      return;
    }
    const expiresAt = now + ceilDiv(s.capacity - level, s.rate);
    const cell = this.buckets.get(name);
    if (!cell) {
      this.buckets.set(name, { level, ts: now, q: s.q, rate: s.rate, capacity: s.capacity, expiresAt });
      return;
    }
    cell.level = level;
    cell.ts = now;
    cell.q = s.q;
    cell.rate = s.rate;
    cell.capacity = s.capacity;
    cell.expiresAt = expiresAt;
  }

  private spendCell(name: string, now: number): SpendCell | undefined {
    const cell = this.spends.get(name);
    return cell && cell.expiresAt > now ? cell : undefined;
  }

  /** Expired leases: the reserved spend becomes spent (worst case); bucket tokens stay consumed. */
  private sweep(tag: string, now: number): void {
    const held = this.reservations.get(tag);
    if (!held) {
      this.sweepAt.delete(tag);
      return;
    }
    const at = this.sweepAt.get(tag);
    if (at !== undefined && at > now) return;
    let next = Infinity;
    for (const [id, rec] of held) {
      if (rec.leaseExpiresAt > now) {
        if (rec.leaseExpiresAt < next) next = rec.leaseExpiresAt;
        continue;
      }
      held.delete(id);
      if (rec.expiresAt <= now || !rec.spend) continue;
      for (const key of [rec.spend.key, rec.projectSpendKey]) {
        const cell = key === undefined ? undefined : this.spendCell(key, now);
        if (!cell) continue;
        const reserved = cell.reserved - rec.spend.amount;
        cell.reserved = reserved > 0n ? reserved : 0n;
        cell.spent += rec.spend.amount;
      }
    }
    if (held.size === 0) {
      this.reservations.delete(tag);
      this.sweepAt.delete(tag);
    } else {
      this.sweepAt.set(tag, next);
    }
  }

  /** Amortised O(1): a full pass once the number of calls since the last pass reaches the size. */
  private maybeGc(now: number): void {
    const size = this.buckets.size + this.spends.size + this.reservations.size;
    if (++this.opsSinceGc < Math.max(1000, size)) return;
    this.opsSinceGc = 0;
    for (const [k, c] of this.buckets) if (c.expiresAt <= now) this.buckets.delete(k);
    for (const tag of [...this.reservations.keys()]) this.sweep(tag, now);
    for (const [k, c] of this.spends) if (c.expiresAt <= now) this.spends.delete(k);
    for (const tag of this.sweepAt.keys()) if (!this.reservations.has(tag)) this.sweepAt.delete(tag);
  }
}

/**
 * The scale of a (limit, window): the same few pairs on every request, so they are computed once.
 * Shared and frozen; bounded in case limits keep changing.
 */
const scaleOf = pairMemo(10_000, (windowMs: number, limit: number): BucketScale => Object.freeze(bucketScale(limit, windowMs)));

/** The failure of a spend that cannot hold `amount` more under `hardLimit` (null: no limit). */
function spendFailure(target: 'spend' | 'project_spend', state: SpendState, hardLimit: bigint | null, amount: bigint): ReserveFailure | undefined {
  if (hardLimit === null || state.spent + state.reserved + amount <= hardLimit) return undefined;
  return { target, available: hardLimit - state.spent - state.reserved, retryAfterMs: null };
}

/** `resetMs`: the time until full, when known (a level read under another limit: `waitFor`). */
function stateOf(limit: number, level: number, s: BucketScale, resetMs = level >= s.capacity ? 0 : ceilDiv(s.capacity - level, s.rate)): BucketStatus {
  return { limit, remaining: Math.max(0, floorDiv(level, s.q)), resetMs };
}

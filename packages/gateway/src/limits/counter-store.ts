/**
 * The counter layer's contract: one atomic decision per call over rate-limit buckets and a spend
 * quota, with reservations that are settled later (or swept when their lease runs out).
 *
 * Two implementations keep this contract and are tested by one shared suite:
 * `MemoryCounterStore` (one process) and `RedisCounterStore` (many gateway instances).
 * @module
 */

/**
 * One token bucket: capacity `limit`, refilled continuously at `limit / windowMs` (no fixed
 * windows, so there is no cliff at a window boundary). `cost` is what this call takes from it.
 * `key` names the bucket inside the call's tag (e.g. `org:gpt-4o:tpm`).
 */
export interface BucketRequest {
  key: string;
  limit: number;
  windowMs: number;
  cost: number;
}

/**
 * A spend quota in integer pico-dollars (bigint, below 2^63; see billing/pricing.ts). `key` names
 * the organization's calendar-month period (e.g. `2026-01`); `hardLimit` null means unlimited
 * (spend is still tracked). `periodEndMs` is when the period ends, so its counters can expire
 * some time after.
 */
export interface SpendRequest {
  key: string;
  hardLimit: bigint | null;
  amount: bigint;
  periodEndMs: number;
  /**
   * Refuse (reject with `CounterStateLost`) unless this spend counter was restored from the
   * ledger (`restore`) since the store last lost its state. The gateway always sets it: a Redis
   * that restarted empty must not reopen budgets that were already spent.
   */
  guarded?: boolean;
}

/**
 * The counter store has no restored state for this organization's period (Redis restarted empty,
 * a new month, a first request): rebuild it from the ledger with `restore`, then retry.
 * Nothing was written. `scope` says which spend counter lacks it: the organization's (rebuild its
 * whole state), or only the project's while the organization's is restored (a project's first
 * request of the period: its spend alone is rebuilt).
 */
export class CounterStateLost extends Error {
  constructor(
    readonly tag: string,
    readonly scope: 'organization' | 'project' = 'organization',
  ) {
    super(`counter store: no ${scope} counter state for ${tag}; it must be rebuilt from the ledger`);
    this.name = 'CounterStateLost';
  }
}

/** A bucket rebuilt from the ledger: `deficit` tokens below full at the time of the call. */
export interface BucketRestore {
  key: string;
  limit: number;
  windowMs: number;
  /** In units of 1/q token of bucketScale(limit, windowMs) (exact; may exceed the capacity: debt). */
  deficitUnits: number;
}

export interface RestoreRequest {
  tag: string;
  /** `spent` in pico-dollars. */
  spend: { key: string; spent: bigint; periodEndMs: number };
  buckets: BucketRestore[];
}

/**
 * A second spend quota of the same call: the project's. It is charged the same amount for the
 * same period as `spend` (one request costs the same against both) and is checked, reserved,
 * settled and swept together with it, in the same atomic step. `hardLimit` null = no limit (the
 * spend is still tracked, so that a limit set later starts from the real figure). Guarded like
 * `spend` when `spend.guarded`.
 */
export interface ProjectSpendRequest {
  /** e.g. `spend:proj_abc:2026-11`, under the organization's tag. */
  key: string;
  hardLimit: bigint | null;
}

export interface ReserveRequest {
  /** The request id; settling is idempotent by it. Must be unique within the tag. */
  reservationId: string;
  /** The organization id. Every key of one call shares the Redis Cluster hash tag `{tag}`. */
  tag: string;
  buckets: BucketRequest[];
  spend?: SpendRequest;
  /** Only with `spend`. */
  projectSpend?: ProjectSpendRequest;
  /** A reservation not settled within this is swept by the next reserve on the same tag. */
  leaseMs: number;
}

export interface BucketStatus {
  limit: number;
  /** Whole tokens left, never below 0 (a bucket in debt reports 0). */
  remaining: number;
  /** Milliseconds until the bucket is full again (0 when full). */
  resetMs: number;
}

/** Pico-dollars. */
export interface SpendState {
  spent: bigint;
  reserved: bigint;
}

export type ReserveFailure =
  | {
      /** The index of the failing bucket in the request. */
      target: number;
      /** Whole tokens available now; negative when in debt. */
      available: number;
      /** The exact wait until the cost fits; null when it never can (cost above the limit). */
      retryAfterMs: number | null;
    }
  | {
      /** `spend`: the organization's quota; `project_spend`: the project's. */
      target: 'spend' | 'project_spend';
      /** Pico-dollars left under the hard limit; negative when spent + reserved is above it. */
      available: bigint;
      /** Spend never frees up by waiting. */
      retryAfterMs: null;
    };

export type ReserveOutcome =
  | { admitted: true; buckets: BucketStatus[]; spend?: SpendState; projectSpend?: SpendState }
  | { admitted: false; buckets: BucketStatus[]; spend?: SpendState; projectSpend?: SpendState; failures: ReserveFailure[] };

/** A bucket to read without touching it: the same key, limit and window a reserve would use. */
export interface PeekBucket {
  key: string;
  limit: number;
  windowMs: number;
}

export interface SettleRequest {
  reservationId: string;
  tag: string;
  /** Actual cost per bucket, in the order of the reservation; a missing entry means "as reserved". */
  bucketCosts?: number[];
  /** Actual spend in pico-dollars; absent means "as reserved" (the worst case, the safe direction). */
  spendAmount?: bigint;
}

export interface CounterStore {
  /**
   * Admits only if every bucket has room for its cost and spent + reserved + amount <= hardLimit;
   * then debits every bucket, reserves the spend and records the reservation, all in one step.
   * A rejected call writes nothing. Rejects (the promise) on invalid input, a duplicate
   * reservation id, or a backend failure.
   */
  reserve(r: ReserveRequest): Promise<ReserveOutcome>;
  /**
   * Trues up a reservation: refunds reserved − actual to each bucket (never above capacity; an
   * actual above the reservation is debited, the bucket may go into debt), moves the spend from
   * reserved to spent at the actual amount, and removes the reservation. Resolves false when the
   * reservation is unknown, already settled or swept: a second settle changes nothing.
   */
  settle(s: SettleRequest): Promise<boolean>;
  /**
   * The buckets as they stand now (refilled to the store's time), in the order given, without
   * writing anything: no debit, no refill written back, no sweep, no expiry changed. What the
   * console shows as "left right now"; a bucket never written (or full again) reads as full.
   */
  peek(tag: string, buckets: readonly PeekBucket[]): Promise<BucketStatus[]>;
  spendOf(tag: string, key: string): Promise<SpendState>;
  /** Sets `spent` (reserved is kept): the gateway rebuilds it from the durable ledger at start. */
  setSpent(tag: string, key: string, spent: bigint, periodEndMs: number): Promise<void>;
  /**
   * Rebuilt state from the ledger, in one step: spent (reserved is kept), the buckets (a bucket
   * already lower is left alone), and the mark that lets guarded reserves through. Resolves false
   * and changes nothing when the state was already restored (another instance was first).
   */
  restore(r: RestoreRequest): Promise<boolean>;
  /**
   * Starts buckets under a new or changed limit, in one step: each bucket becomes the lower of its
   * capacity less `deficitUnits` and its level now (what was used, carried over to the new limit),
   * but never below empty (0: a limit lowered under what was used counts as all used, no more), and
   * is written in the limit's scale (bucketScale(limit, windowMs)), so from now on it refills at
   * the new limit's rate and its wait is at most one window. What a reserve debited meanwhile is
   * never given back (unless past empty), and a second seed with the same figures changes nothing.
   * Nothing else is read or written (no spend, no restore mark, no reservation). Used when a limit
   * first applies to a scope, or is raised or lowered (usage/limit-seeds.ts). Rejects on invalid
   * input or a backend failure.
   */
  seed(tag: string, buckets: readonly BucketRestore[]): Promise<void>;
  close(): Promise<void>;
}

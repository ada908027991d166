/**
 * The Redis counter store: limits and quotas exact across any number of gateway instances. Each
 * decision is one Lua script (redis-scripts.ts) run with EVALSHA, falling back to EVAL (which also
 * caches the script) when the server does not know it yet. Scripts read Redis `TIME`, so the
 * instances' own clocks never matter. Settlements are the exception to one call each: those of one
 * tag requested in the same event-loop turn share one script call (see `settle`), which saves the
 * client's per-command work and the bytes of the repeated keys.
 *
 * Failure policy: no call waits longer than `timeoutMs` (default: the client's `commandTimeout`,
 * else 1000 ms); after that the promise rejects with the Redis error and the caller decides
 * (fail open or closed). A reserve that timed out may still run on the server later (the command
 * can sit in the client's offline queue or on the wire), so the store then sends a compensating
 * settle with zero actual cost. ioredis keeps command order on a connection, so that settle lands
 * after the reserve if the reserve lands at all, and cancels it; if the reserve never ran the
 * settle finds nothing and changes nothing.
 *
 * The store does not own the client: `close()` waits for pending compensations but does not quit.
 * @module
 */
import { Redis } from 'ioredis';
import { scanTargets, type RedisClient } from '../redis-client.js';
import { isReplyError, luaScript, runScript, withinMs, type LuaScript } from '../redis-lua.js';
import { DependencyUnavailableError } from '../store/outage.js';
import { validateBucketRestores, validatePeek, validateReserve, validateSettle, validateSpendArgs, SPEND_GRACE_MS } from './bucket-math.js';
import type { BucketRestore, BucketStatus, CounterStore, PeekBucket, ReserveOutcome, ReserveRequest, RestoreRequest, SettleRequest, SpendState } from './counter-store.js';
import {
  PEEK_LUA,
  RECONCILE_LUA,
  RESERVE_LUA,
  RESTORE_LUA,
  SEED_LUA,
  SETTLE_LUA,
  SET_SPENT_LUA,
  SWEEP_LUA,
  decodePeek,
  decodeReserve,
  encodePeek,
  encodeReserve,
  encodeRestore,
  encodeSeed,
  encodeSettles,
  money,
  leasesKey,
  recordsKey,
  settleArgs,
  spendKey,
  sweptKey,
  type ScriptCall,
} from './redis-scripts.js';

const RESERVE = luaScript(RESERVE_LUA);
const PEEK = luaScript(PEEK_LUA);
const SETTLE = luaScript(SETTLE_LUA);
const SET_SPENT = luaScript(SET_SPENT_LUA);
const RESTORE = luaScript(RESTORE_LUA);
const SEED = luaScript(SEED_LUA);
const SWEEP = luaScript(SWEEP_LUA);
const RECONCILE = luaScript(RECONCILE_LUA);

/** Most settlements sent in one script call; more in one turn for one tag start another call. */
export const SETTLE_BATCH_MAX = 200;

/** A settlement waiting for its tag's next settle call: its ARGV and its caller's promise. */
interface QueuedSettle {
  args: string[];
  resolve: (settled: boolean) => void;
  reject: (err: unknown) => void;
}

/** A lease the sweep charged in full, waiting to be checked against the ledger. */
export interface SweptLease {
  reservationId: string;
  /** The spend key (full Redis key) it was charged to. */
  spendKey: string;
  /** Pico-dollars. */
  amount: bigint;
  /** Redis time of the sweep (ms). */
  sweptAt: number;
}

/** One correction the reconciliation applies to a swept lease (see RECONCILE_LUA). */
export interface SweptCorrection {
  reservationId: string;
  /** `ledger`: the request is in the ledger; `absent`: it is not (applied once graceMs passed). */
  kind: 'ledger' | 'absent';
  /** Pico-dollars, signed. */
  delta: bigint;
}

export interface RedisCounterStoreOptions {
  /** Prepended to every key, e.g. `tollgate:`. */
  prefix: string;
  /** Upper bound on any one call; default the client's `commandTimeout`, else 1000 ms. */
  timeoutMs?: number;
}

export class RedisCounterStore implements CounterStore {
  readonly prefix: string;
  readonly timeoutMs: number;
  /**
   * The client itself rejects every command within `timeoutMs`: a standalone client with no
   * offline queue, whose command timeout (armed as each command is sent) is no longer. Then a
   * call needs no timer and promise of ours on top of the client's; its timeout is the client's
   * "Command timed out", an outage like ours (store/outage.ts).
   */
  private readonly clientBounds: boolean;
  private readonly pending = new Set<Promise<unknown>>();
  /** Settlements requested in this event-loop turn, per tag, sent by `flushSettles`. */
  private readonly settles = new Map<string, QueuedSettle[]>();
  private flushScheduled = false;
  private closed = false;

  /**
   * @param client an ioredis client or cluster client, owned by the caller. Its `commandTimeout`,
   *   when set, is the default bound on every call.
   */
  constructor(
    private readonly client: RedisClient,
    opts: RedisCounterStoreOptions,
  ) {
    this.prefix = opts.prefix;
    const fromClient = 'redisOptions' in client.options ? client.options.redisOptions?.commandTimeout : (client.options as Redis['options']).commandTimeout;
    this.timeoutMs = opts.timeoutMs ?? fromClient ?? 1000;
    const own = client instanceof Redis ? client.options : undefined;
    this.clientBounds = own !== undefined && own.enableOfflineQueue === false && typeof own.commandTimeout === 'number' && own.commandTimeout > 0 && own.commandTimeout <= this.timeoutMs;
  }

  async reserve(r: ReserveRequest): Promise<ReserveOutcome> {
    this.assertOpen();
    validateReserve(r);
    let reply: unknown;
    try {
      reply = await this.run(RESERVE, encodeReserve(this.prefix, r));
    } catch (err) {
      // A reply error means the script ran and refused (duplicate id) before writing anything.
      // Anything else (timeout, connection) may mean it still runs: cancel it behind it.
      if (!isReplyError(err)) this.compensate(r);
      throw err;
    }
    return decodeReserve(reply, r);
  }

  async restore(r: RestoreRequest): Promise<boolean> {
    this.assertOpen();
    validateSpendArgs(r.tag, r.spend.key, r.spend.spent, r.spend.periodEndMs);
    return (await this.run(RESTORE, encodeRestore(this.prefix, r))) === 1;
  }

  async seed(tag: string, buckets: readonly BucketRestore[]): Promise<void> {
    this.assertOpen();
    validateBucketRestores(tag, buckets);
    // No keys, no slot to route a script to on a cluster; nothing to lower either.
    if (buckets.length === 0) return;
    await this.run(SEED, encodeSeed(this.prefix, tag, buckets));
  }

  /** Charges the tag's expired leases now (the reserve path does it too); returns how many. */
  async sweep(tag: string, batch = 1000): Promise<number> {
    this.assertOpen();
    return Number(await this.run(SWEEP, { keys: [leasesKey(this.prefix, tag), recordsKey(this.prefix, tag), sweptKey(this.prefix, tag)], args: [String(batch)] }));
  }

  /** Leases of the tag charged in full by a sweep and not yet reconciled. */
  async swept(tag: string): Promise<SweptLease[]> {
    this.assertOpen();
    const all = await this.bounded(this.client.hgetall(sweptKey(this.prefix, tag)));
    return Object.entries(all).map(([reservationId, raw]) => {
      const x = JSON.parse(raw) as { sk: string; a: string; at: string };
      return { reservationId, spendKey: x.sk, amount: money(x.a), sweptAt: Number(x.at) };
    });
  }

  /**
   * Applies the reconciliation's corrections and raises a spend counter found below the ledger,
   * in one step (RECONCILE_LUA). Returns the counter after it, and what was changed.
   */
  async reconcile(tag: string, key: string, r: { ledgerSpent: bigint; graceMs: number; corrections: SweptCorrection[] }): Promise<{ spent: bigint; reserved: bigint; corrected: number; raised: bigint }> {
    this.assertOpen();
    validateSpendArgs(tag, key, r.ledgerSpent);
    const args = [String(r.graceMs), r.ledgerSpent.toString(), String(r.corrections.length)];
    for (const c of r.corrections) args.push(c.reservationId, c.kind === 'ledger' ? 'p' : 'a', c.delta.toString());
    const reply = (await this.run(RECONCILE, { keys: [sweptKey(this.prefix, tag), spendKey(this.prefix, tag, key)], args })) as unknown[];
    return { spent: money(reply[0]), reserved: money(reply[1]), corrected: Number(reply[2]), raised: money(reply[3]) };
  }

  /** Tags (organizations) with swept leases waiting for the reconciliation (SCAN of every master). */
  async tagsWithSwept(): Promise<string[]> {
    this.assertOpen();
    const out = new Set<string>();
    for (const node of scanTargets(this.client)) {
      const stream = node.scanStream({ match: `${this.prefix}{*}:swept`, count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        for (const k of keys) {
          const m = /\{([^}]*)\}:swept$/.exec(k);
          if (m) out.add(m[1]!);
        }
      }
    }
    return [...out];
  }

  /**
   * Settlements of one tag requested in the same event-loop turn go to Redis as one script call
   * (up to SETTLE_BATCH_MAX), sent from `setImmediate`: none waits past the current turn. Each
   * promise resolves with its own result and rejects when the call fails (every settlement of it
   * then rejects, and each caller retries on its own), within `timeoutMs` as any call.
   */
  async settle(s: SettleRequest): Promise<boolean> {
    this.assertOpen();
    validateSettle(s);
    return this.queueSettle(s);
  }

  async peek(tag: string, buckets: readonly PeekBucket[]): Promise<BucketStatus[]> {
    this.assertOpen();
    validatePeek(tag, buckets);
    // No keys, no slot to route a script to on a cluster; nothing to read either.
    if (buckets.length === 0) return [];
    return decodePeek(await this.run(PEEK, encodePeek(this.prefix, tag, buckets)));
  }

  async spendOf(tag: string, key: string): Promise<SpendState> {
    this.assertOpen();
    validateSpendArgs(tag, key);
    const [spent, reserved] = await this.bounded(this.client.hmget(spendKey(this.prefix, tag, key), 's', 'r'));
    return { spent: money(spent ?? '0'), reserved: money(reserved ?? '0') };
  }

  async setSpent(tag: string, key: string, spent: bigint, periodEndMs: number): Promise<void> {
    this.assertOpen();
    validateSpendArgs(tag, key, spent, periodEndMs);
    await this.run(SET_SPENT, { keys: [spendKey(this.prefix, tag, key)], args: [spent.toString(), String(periodEndMs + SPEND_GRACE_MS)] });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.pending]);
  }

  private assertOpen(): void {
    if (this.closed) throw new DependencyUnavailableError('counter store: closed');
  }

  /**
   * Cancels a reserve that may still run. The settlement may join a batch; a batch is sent when
   * it is flushed, which is after every settlement in it was requested, and this one is requested
   * only after the reserve was handed to the client, so the connection still carries it after the
   * reserve (the tag's slot, on a cluster).
   */
  private compensate(r: ReserveRequest): void {
    const cancel = this.queueSettle({ reservationId: r.reservationId, tag: r.tag, bucketCosts: r.buckets.map(() => 0), spendAmount: 0n });
    const tracked = cancel.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private queueSettle(s: SettleRequest): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let batch = this.settles.get(s.tag);
      if (!batch) {
        batch = [];
        this.settles.set(s.tag, batch);
        if (!this.flushScheduled) {
          this.flushScheduled = true;
          setImmediate(this.flushSettles);
        }
      }
      batch.push({ args: settleArgs(s), resolve, reject });
      if (batch.length >= SETTLE_BATCH_MAX) {
        this.settles.delete(s.tag);
        this.sendSettles(s.tag, batch);
      }
    });
  }

  private readonly flushSettles = (): void => {
    this.flushScheduled = false;
    // sendSettles queues nothing, so the map is stable while this runs.
    for (const [tag, batch] of this.settles) this.sendSettles(tag, batch);
    this.settles.clear();
  };

  private sendSettles(tag: string, batch: readonly QueuedSettle[]): void {
    this.run(SETTLE, encodeSettles(this.prefix, tag, batch.map((q) => q.args))).then(
      (reply) => {
        if (!Array.isArray(reply) || reply.length !== batch.length) {
          const err = new Error('counter store: unexpected settle reply');
          for (const q of batch) q.reject(err);
          return;
        }
        batch.forEach((q, i) => {
          const r: unknown = reply[i];
          if (r === 1 || r === 0) q.resolve(r === 1);
          else q.reject(r instanceof Error ? r : new Error(`counter store: unexpected settle reply value ${String(r)}`));
        });
      },
      (err: unknown) => {
        for (const q of batch) q.reject(err);
      },
    );
  }

  private run(s: LuaScript, call: ScriptCall): Promise<unknown> {
    return runScript(this.client, s, call.keys, call.args, this.bounded);
  }

  /** Rejects after `timeoutMs` even if the client would keep the command queued for longer. */
  private readonly bounded = <T>(p: Promise<T>): Promise<T> => {
    if (this.clientBounds) return p;
    return withinMs(p, this.timeoutMs, () => new DependencyUnavailableError(`counter store: redis did not answer within ${this.timeoutMs} ms`));
  };
}

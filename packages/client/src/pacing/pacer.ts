/**
 * A client-side pacer: the server's rate limiter mirrored on the client so that a batch runs near
 * the allowed rate without tripping it. For each model it keeps two continuous token buckets, as
 * the gateway does — requests per minute and tokens per minute, each refilling at limit/60 s up to
 * the limit — and lets a request go once both can pay for it, in arrival order.
 *
 * Limits are told (`requestsPerMinute`, `tokensPerMinute`, `setLimits`) or learned from the
 * `x-ratelimit-limit-*` headers of responses (the plain family, or the project's `-project-*`
 * one when that has less left); told limits win, so a process can keep
 * to a share of a limit it shares with others. Each response's `x-ratelimit-remaining-*` lowers the local level
 * if the server has seen more use than we counted (other clients, estimate errors); a 429 with a
 * retry hint holds the model's requests back until the hint has passed. A request's token cost is
 * an estimate (see `estimateTokens`); the usage a response reports gives back what was
 * over-reserved, as the server's own settle step does.
 * @module
 */
import { HEADER } from '@tollgate/protocol';
import { serverRetryDelayMs } from '../core/retry-policy.js';
import { onAbort, realSleep, type Sleep } from '../core/signals.js';
import { estimateTokens, type EstimateOptions } from './estimate.js';

export interface PacerLimits {
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | undefined;
}

export interface PacerOptions extends PacerLimits, EstimateOptions {
  /** Clock in ms. Inject a fake one in tests. */
  now?: () => number;
  /** Waits `ms` on the same clock; rejects when `signal` aborts. */
  sleep?: Sleep;
  /** Learn limits and remaining capacity from response headers. Default true. */
  learn?: boolean;
  /**
   * How a model's first requests go before any response has been seen. `'probe'` (the default
   * when learning): one request alone, then pacing from the remaining counts its response reports,
   * because the organization may already have spent its bucket (other processes, earlier jobs).
   * `'full'`: assume the server's bucket is full, as it is for a fresh organization.
   */
  coldStart?: 'probe' | 'full';
}

/** How long a probe may go unanswered (a connection error reports no headers) before pacing goes on. */
const PROBE_TIMEOUT_MS = 2_000;

export interface PacerTicket {
  model: string | undefined;
  /** Tokens reserved for the request. */
  tokens: number;
  /** The pacer's clock when the request was let through. */
  grantedAt: number;
  /** Gives back reserved tokens the request did not use (call once, with the usage's total). */
  settle(usedTokens: number): void;
}

export interface BucketState {
  limit: number | undefined;
  available: number | undefined;
}

export interface PacerState {
  requests: BucketState;
  tokens: BucketState;
  queued: number;
  blockedUntil: number;
}

const WINDOW_MS = 60_000;
const EPSILON = 1e-9;

/** A continuous token bucket: capacity = limit, refilled at limit per minute. */
class Bucket {
  told: number | undefined;
  learned: number | undefined;
  level = 0;
  private at = 0;
  private known = false;

  get limit(): number | undefined {
    return this.told ?? this.learned;
  }

  refill(now: number): void {
    const limit = this.limit;
    if (limit === undefined) return;
    if (!this.known) {
      this.known = true;
      this.level = limit; // a server bucket starts full
    } else {
      this.level = Math.min(limit, this.level + (Math.max(0, now - this.at) * limit) / WINDOW_MS);
    }
    this.at = now;
  }

  /** Ms until the bucket holds `cost` (clamped to the limit, so an oversized request can still go). */
  waitFor(cost: number, now: number): number {
    const limit = this.limit;
    if (limit === undefined || limit <= 0) return 0;
    this.refill(now);
    const need = Math.min(cost, limit) - this.level;
    return need <= EPSILON ? 0 : Math.ceil((need * WINDOW_MS) / limit);
  }

  take(cost: number): void {
    const limit = this.limit;
    if (limit === undefined) return;
    this.level -= Math.min(cost, limit);
  }

  give(amount: number, now: number): void {
    const limit = this.limit;
    if (limit === undefined || amount <= 0) return;
    this.refill(now);
    this.level = Math.min(limit, this.level + amount);
  }

  /** The server reports `remaining`: never believe we have more than that. */
  adopt(remaining: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.level, remaining);
  }

  state(now: number): BucketState {
    this.refill(now);
    return { limit: this.limit, available: this.limit === undefined ? undefined : this.level };
  }
}

interface Waiter {
  cost: number;
  resolve: (t: PacerTicket) => void;
  reject: (e: unknown) => void;
  model: string | undefined;
}

class Lane {
  readonly requests = new Bucket();
  readonly tokens = new Bucket();
  readonly queue: Waiter[] = [];
  blockedUntil = 0;
  /** Whether a response for this model has been observed (see `coldStart`). */
  observed = false;
  /** When the cold-start probe was let through. */
  probeAt: number | undefined;
  pumping = false;
  wake: AbortController | undefined;
}

export class Pacer {
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly learn: boolean;
  private readonly probe: boolean;
  private readonly estimateOpts: EstimateOptions;
  private defaults: PacerLimits;
  private readonly toldPerModel = new Map<string, PacerLimits>();
  private readonly lanes = new Map<string, Lane>();

  constructor(opts: PacerOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.learn = opts.learn ?? true;
    this.probe = this.learn && (opts.coldStart ?? 'probe') === 'probe';
    this.estimateOpts = { defaultMaxTokens: opts.defaultMaxTokens, charsPerToken: opts.charsPerToken };
    this.defaults = { requestsPerMinute: opts.requestsPerMinute, tokensPerMinute: opts.tokensPerMinute };
  }

  /** The token estimate this pacer uses for a request body sent to `url` (its endpoint, when known, says how to read the body). */
  estimate(body: unknown, url?: string): number {
    return estimateTokens(body, this.estimateOpts, url);
  }

  /** Tells the pacer a limit: for one model, or (without `model`) for every model not told otherwise. */
  setLimits(limits: PacerLimits, model?: string): void {
    if (model === undefined) this.defaults = { ...this.defaults, ...limits };
    else this.toldPerModel.set(model, { ...this.toldPerModel.get(model), ...limits });
    for (const [key, lane] of this.lanes) this.applyTold(key, lane);
    for (const lane of this.lanes.values()) this.poke(lane);
  }

  /**
   * Waits until the model's buckets can pay for one request of `tokens` (or of `body`'s estimate,
   * for the endpoint of `url` when given: `/v1/responses`, a full URL), takes the payment and
   * returns a ticket. Rejects with the signal's reason if it aborts first.
   */
  acquire(req: { model?: string | undefined; tokens?: number; body?: unknown; url?: string | undefined; signal?: AbortSignal | undefined }): Promise<PacerTicket> {
    const cost = Math.max(0, req.tokens ?? this.estimate(req.body, req.url));
    const lane = this.lane(req.model);
    if (req.signal?.aborted) return Promise.reject(req.signal.reason);
    return new Promise<PacerTicket>((resolve, reject) => {
      const waiter: Waiter = { cost, model: req.model, resolve, reject };
      const signal = req.signal;
      if (signal) {
        const unsubscribe = onAbort(signal, () => {
          const i = lane.queue.indexOf(waiter);
          if (i >= 0) {
            lane.queue.splice(i, 1);
            reject(signal.reason);
            this.poke(lane);
          }
        });
        waiter.resolve = (t) => {
          unsubscribe();
          resolve(t);
        };
        waiter.reject = (e) => {
          unsubscribe();
          reject(e);
        };
      }
      lane.queue.push(waiter);
      void this.pump(lane);
    });
  }

  /** Feeds a response back: learns limits, adopts the server's remaining counts, honours a 429's retry hint. */
  observe(model: string | undefined, status: number, headers: Headers): void {
    if (!this.learn) return;
    const lane = this.lane(model);
    const now = this.now();
    lane.observed = true;
    const num = (name: string): number | undefined => {
      const v = headers.get(name);
      if (v === null) return undefined;
      const n = Number(v.trim());
      return Number.isFinite(n) && n >= 0 ? n : undefined;
    };
    // The plain families are the binding limit at Tollgate; a server whose plain families are the
    // organization's sends a project's own limit in its own family: the one with less left binds.
    const pick = (plain: [string, string], project: [string, string]): { limit: number | undefined; remaining: number | undefined } => {
      const remPlain = num(plain[1]);
      const remProject = num(project[1]);
      const useProject = remProject !== undefined && (remPlain === undefined || remProject < remPlain);
      return useProject ? { limit: num(project[0]), remaining: remProject } : { limit: num(plain[0]), remaining: remPlain };
    };
    const { limit: limitReq, remaining: remReq } = pick([HEADER.limitRequests, HEADER.remainingRequests], [HEADER.limitProjectRequests, HEADER.remainingProjectRequests]);
    const { limit: limitTok, remaining: remTok } = pick([HEADER.limitTokens, HEADER.remainingTokens], [HEADER.limitProjectTokens, HEADER.remainingProjectTokens]);
    if (limitReq !== undefined) lane.requests.learned = limitReq;
    if (limitTok !== undefined) lane.tokens.learned = limitTok;
    if (remReq !== undefined) lane.requests.adopt(remReq, now);
    if (remTok !== undefined) lane.tokens.adopt(remTok, now);
    if (status === 429) {
      const wait = serverRetryDelayMs(headers, now, undefined, true);
      if (wait !== undefined) lane.blockedUntil = Math.max(lane.blockedUntil, now + wait);
    }
    this.poke(lane);
  }

  /** The model's buckets as the pacer sees them now. */
  state(model?: string): PacerState {
    const lane = this.lane(model);
    const now = this.now();
    return { requests: lane.requests.state(now), tokens: lane.tokens.state(now), queued: lane.queue.length, blockedUntil: lane.blockedUntil };
  }

  private lane(model: string | undefined): Lane {
    const key = model ?? '';
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Lane();
      this.lanes.set(key, lane);
      this.applyTold(key, lane);
    }
    return lane;
  }

  private applyTold(key: string, lane: Lane): void {
    const own = this.toldPerModel.get(key);
    const now = this.now();
    lane.requests.refill(now);
    lane.tokens.refill(now);
    lane.requests.told = own?.requestsPerMinute ?? this.defaults.requestsPerMinute;
    lane.tokens.told = own?.tokensPerMinute ?? this.defaults.tokensPerMinute;
    if (lane.requests.limit !== undefined) lane.requests.level = Math.min(lane.requests.level, lane.requests.limit);
    if (lane.tokens.limit !== undefined) lane.tokens.level = Math.min(lane.tokens.level, lane.tokens.limit);
  }

  /** Wakes a sleeping pump so it re-checks with new limits or a shorter queue. */
  private poke(lane: Lane): void {
    lane.wake?.abort();
  }

  private waitFor(lane: Lane, cost: number): number {
    const now = this.now();
    let probeWait = 0;
    if (this.probe && !lane.observed && lane.probeAt !== undefined) probeWait = lane.probeAt + PROBE_TIMEOUT_MS - now;
    return Math.max(probeWait, lane.blockedUntil - now, lane.requests.waitFor(1, now), lane.tokens.waitFor(cost, now), 0);
  }

  /** One pump per lane lets waiters through in order, sleeping while the head cannot pay. */
  private async pump(lane: Lane): Promise<void> {
    if (lane.pumping) return;
    lane.pumping = true;
    try {
      while (lane.queue.length > 0) {
        const head = lane.queue[0] as Waiter;
        const wait = this.waitFor(lane, head.cost);
        if (wait <= 0) {
          if (this.probe && !lane.observed && lane.probeAt === undefined) lane.probeAt = this.now();
          lane.queue.shift();
          lane.requests.take(1);
          lane.tokens.take(head.cost);
          head.resolve(this.ticket(lane, head));
          continue;
        }
        const wake = new AbortController();
        lane.wake = wake;
        try {
          await this.sleep(wait, wake.signal);
        } catch {
          // woken early: loop and re-check
        } finally {
          lane.wake = undefined;
        }
      }
    } finally {
      lane.pumping = false;
    }
  }

  private ticket(lane: Lane, w: Waiter): PacerTicket {
    let settled = false;
    return {
      model: w.model,
      tokens: w.cost,
      grantedAt: this.now(),
      settle: (used: number) => {
        if (settled || !Number.isFinite(used)) return;
        settled = true;
        lane.tokens.give(w.cost - Math.max(0, used), this.now());
        this.poke(lane);
      },
    };
  }
}

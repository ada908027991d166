/**
 * The limit stage of the request path: RPM/TPM/RPD/TPD for (organization, model), optionally
 * also for (project, model) and (key, model), and the spend reservation, taken in one atomic
 * store call. It speaks OpenAI's words: x-ratelimit-* headers on success (the project's token
 * limit in its own -project-tokens family), and on rejection the exact 429 of the dimension that
 * binds, linking the page of the limit that bound.
 * @module
 */
import { systemClock, type Clock } from '../clock.js';
import { currentTurn } from '../event-loop-turn.js';
import { bodyPrint } from '../http/body.js';
import type { LimitSet } from '../config/types.js';
import type { BucketRequest, CounterStore, ProjectSpendRequest, ReserveRequest, SettleRequest, SpendRequest, SpendState } from './counter-store.js';
import { DIMENSIONS, type Dimension, type LimitScope } from './dimensions.js';
import { blockedError, rejectionError, type SpendFigures } from './rate-limit-errors.js';
import { pairMemo } from './pair-memo.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { RetryStagger } from './retry-stagger.js';

export type { LimitSet };

export interface RateLimiterOptions {
  /** How long a reservation may stay unsettled before it is swept; default 15 minutes. */
  leaseMs?: number;
  /** The time retry hints are staggered on (the counter store keeps its own); system time by default. */
  clock?: Pick<Clock, 'now'>;
  /** The jitter of retry hints; Math.random by default. */
  random?: () => number;
}

export interface ReserveInput {
  requestId: string;
  orgId: string;
  keyId: string;
  model: string;
  /** The token estimate: prompt tokens plus the maximum output (a fraction is rounded up). */
  tokens: number;
  /** Of `tokens`, the maximum output: a spend refusal tells the caller the two apart. */
  outputTokens?: number;
  orgLimits: LimitSet;
  /** The key's project; with `projectLimits` its buckets are reserved in the same call. */
  projectId?: string;
  projectLimits?: LimitSet;
  keyLimits?: LimitSet;
  /** The worst-case cost against the monthly hard limit (pico-dollars, exact). */
  spend?: SpendRequest;
  /** `spend.hardLimit` is the organization's own spend limit (refused as `organization_spend_limit_exceeded`), not the operator's approved quota (`insufficient_quota`). */
  ownSpendLimit?: boolean;
  /** The same cost against the project's monthly spend limit (only with `spend`). */
  projectSpend?: ProjectSpendRequest;
  leaseMs?: number;
  /**
   * For the retry hint of a refused request, which of its key's earlier hints it may be coming back
   * for (retry-stagger.ts): the event-loop turn it arrived in (`currentTurn()` of
   * event-loop-turn.ts; default: the turn `reserve` is called in)…
   */
  arrivedTurn?: number | undefined;
  /**
   * …and its body as received, whose fingerprint (`bodyPrint`: the same for a request sent again
   * unchanged) is taken only when it is refused; without it, the key alone.
   */
  body?: Buffer | undefined;
}

/** An admitted request: its headers now, and the settlement to run on every exit path. */
export interface LimitReservation {
  readonly requestId: string;
  /** The x-ratelimit-* headers after this request was counted. */
  readonly headers: Readonly<Record<string, string>>;
  /** Spent and reserved after this reservation, when a spend was reserved. */
  readonly spend?: SpendState;
  /** The project's, when its spend was reserved too. */
  readonly projectSpend?: SpendState;
  /**
   * Trues up with the real usage: token buckets get reserved − actual back (never above their
   * limit) or are debited the excess; requests stay counted; spend moves from reserved to spent
   * at `actualSpend` in pico-dollars (absent: the reserved worst case). Idempotent; a failed call
   * may be retried, and a reservation never settled is charged in full when its lease runs out.
   */
  settle(actualTokens: number, actualSpend?: bigint): Promise<void>;
  /**
   * Gives everything back, the request count included: for requests the gateway itself could not
   * serve (its own overload). Shares idempotency with `settle`: whichever runs first wins.
   */
  cancel(): Promise<void>;
}

export const DEFAULT_LEASE_MS = 15 * 60_000;

/** Bucket names inside an organization's tag: `org:<model>:rpd`, `proj:<project id>:<model>:rpm`, `key:<key id>:<model>:tpm`. */
export const ORG_SCOPE = 'org';
export const keyScope = (keyId: string): string => `key:${encodeURIComponent(keyId)}`;
export const projectScope = (projectId: string): string => `proj:${encodeURIComponent(projectId)}`;
export const bucketName = (scope: string, model: string, d: Dimension): string => `${scope}:${encodeURIComponent(model)}:${d.abbr.toLowerCase()}`;

/**
 * Scope names by key and project id, built once: the ids come from the cached principal (the same
 * strings every request), so the lookup is cheap and the name is the same string every time too,
 * which makes the lookups in `bucketNames` cheap as well. Bounded like it.
 */
const keyScopes = new Map<string, string>();
const projectScopes = new Map<string, string>();
function scopeOf(memo: Map<string, string>, id: string, make: (id: string) => string): string {
  let name = memo.get(id);
  if (name === undefined) {
    if (memo.size >= 100_000) memo.clear();
    memo.set(id, (name = make(id)));
  }
  return name;
}

/**
 * The names of one scope's buckets for a model, by dimension (DIMENSIONS' order): the same few on
 * every request, so they are built once. Bounded: cleared when a flood of scopes fills it.
 */
const bucketNames = pairMemo(100_000, (scope: string, model: string): readonly string[] => DIMENSIONS.map((d) => bucketName(scope, model, d)));

export class RateLimiter {
  private readonly leaseMs: number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly stagger: RetryStagger;

  constructor(
    private readonly store: CounterStore,
    opts: RateLimiterOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.clock = opts.clock ?? systemClock;
    this.stagger = new RetryStagger(opts.random);
  }

  /** Admits the request or throws the ApiError (429) that OpenAI would answer. */
  async reserve(input: ReserveInput): Promise<LimitReservation> {
    const arrivedTurn = input.arrivedTurn ?? currentTurn();
    const tokens = Math.ceil(input.tokens);
    // The lists are made at their size (a list grown by push allocates room for 17 at once), so
    // the limits that are set are counted first; a limit of 0 anywhere blocks the request.
    const nOrg = setCount(input.orgLimits);
    const nProject = input.projectId === undefined ? 0 : setCount(input.projectLimits);
    const nKey = setCount(input.keyLimits);
    if (nOrg < 0 || nProject < 0 || nKey < 0) {
      const blocked = firstBlocked(input);
      throw blockedError({ model: input.model, orgId: input.orgId, projectId: input.projectId, dim: blocked.dim, scope: blocked.scope, requested: blocked.dim.kind === 'tokens' ? tokens : 1 });
    }
    const n = nOrg + nProject + nKey;
    const dims = new Array<Dimension>(n);
    const scopes = new Array<LimitScope>(n);
    const buckets = new Array<BucketRequest>(n);
    // One function for the three scopes, not a closure made per request.
    let at = collect(dims, scopes, buckets, 0, ORG_SCOPE, input.orgLimits, 'organization', input.model, tokens);
    if (input.projectId !== undefined) at = collect(dims, scopes, buckets, at, scopeOf(projectScopes, input.projectId, projectScope), input.projectLimits, 'project', input.model, tokens);
    collect(dims, scopes, buckets, at, scopeOf(keyScopes, input.keyId, keyScope), input.keyLimits, 'key', input.model, tokens);

    if (buckets.length === 0 && !input.spend) return unlimited(input.requestId);

    // Set one by one rather than spread from temporary objects; absent stays absent.
    const request: ReserveRequest = { reservationId: input.requestId, tag: input.orgId, buckets, leaseMs: input.leaseMs ?? this.leaseMs };
    if (input.spend) {
      request.spend = input.spend;
      if (input.projectSpend) request.projectSpend = input.projectSpend;
    }
    const outcome = await this.store.reserve(request);
    const headers = rateLimitHeaders(dims, scopes, outcome.buckets);
    if (!outcome.admitted) {
      // Callers refused together are told to come back one refill apart, not all at once; a
      // request coming back before its time keeps its place. Bucket names are only unique inside
      // an organization's tag: the stagger keys them by organization.
      const waiting = outcome.failures.flatMap((f) => (typeof f.target !== 'number' || f.retryAfterMs === null ? [] : [{ ...buckets[f.target]!, key: `${input.orgId}\n${buckets[f.target]!.key}`, waitMs: f.retryAfterMs }]));
      const never = outcome.failures.some((f) => typeof f.target !== 'number' || f.retryAfterMs === null);
      const waitMs = !never && waiting.length > 0 ? this.stagger.hintMs(this.clock.now(), waiting, { id: input.body ? `${input.keyId}\n${bodyPrint(input.body)}` : input.keyId, arrivedTurn }) : undefined;
      throw rejectionError({ model: input.model, orgId: input.orgId, projectId: input.projectId, ownSpendLimit: input.ownSpendLimit === true, dims, scopes, buckets, failures: outcome.failures, headers, ...(waitMs !== undefined && { waitMs }), ...(input.spend && input.outputTokens !== undefined && { spend: spendFigures(input.spend, input.projectSpend, tokens, input.outputTokens) }) });
    }
    return new AdmittedReservation(this.store, input.requestId, input.orgId, dims, headers, outcome.spend, outcome.projectSpend);
  }
}

/** A spend refusal's figures: the worst case reserved and the limits it was held to. */
function spendFigures(spend: SpendRequest, projectSpend: ProjectSpendRequest | undefined, tokens: number, outputTokens: number): SpendFigures {
  return { amount: spend.amount, hardLimit: spend.hardLimit, projectHardLimit: projectSpend?.hardLimit ?? null, promptTokens: tokens - outputTokens, outputTokens };
}

/** How many of the limits are set (null and absent are not), or -1 when one is 0 (the model is blocked). */
function setCount(limits: LimitSet | undefined): number {
  if (!limits) return 0;
  let n = 0;
  for (let i = 0; i < DIMENSIONS.length; i++) {
    const limit = limits[DIMENSIONS[i]!.field];
    if (limit === 0) return -1;
    if (limit !== null && limit !== undefined) n++;
  }
  return n;
}

/** The first limit of 0, in the order the scopes and dimensions are reserved in (one exists: `setCount` said so). */
function firstBlocked(input: ReserveInput): { dim: Dimension; scope: LimitScope } {
  const sets: Array<[LimitSet | undefined, LimitScope]> = [[input.orgLimits, 'organization'], [input.projectId === undefined ? undefined : input.projectLimits, 'project'], [input.keyLimits, 'key']];
  for (const [limits, scope] of sets) for (const dim of DIMENSIONS) if (limits?.[dim.field] === 0) return { dim, scope };
  throw new Error('rate limiter: no limit of 0');
}

/**
 * Writes a scope's buckets (those of its limits that are set; none is 0) into the lists from
 * position `at`; returns the position after them.
 */
function collect(dims: Dimension[], scopes: LimitScope[], buckets: BucketRequest[], at: number, scope: string, limits: LimitSet | undefined, whose: LimitScope, model: string, tokens: number): number {
  if (!limits) return at;
  const names = bucketNames(scope, model);
  for (let i = 0; i < DIMENSIONS.length; i++) {
    const d = DIMENSIONS[i]!;
    const limit = limits[d.field];
    if (limit === null || limit === undefined) continue;
    dims[at] = d;
    scopes[at] = whose;
    buckets[at] = { key: names[i]!, limit, windowMs: d.windowMs, cost: d.kind === 'tokens' ? tokens : 1 };
    at++;
  }
  return at;
}

const settled = (): void => undefined;

/** An admitted request's reservation: one object, not a closure per method (this is made on every request). */
class AdmittedReservation implements LimitReservation {
  readonly spend?: SpendState;
  readonly projectSpend?: SpendState;
  private settling: Promise<void> | undefined;

  constructor(
    private readonly store: CounterStore,
    readonly requestId: string,
    private readonly tag: string,
    private readonly dims: readonly Dimension[],
    readonly headers: Readonly<Record<string, string>>,
    spend: SpendState | undefined,
    projectSpend: SpendState | undefined,
  ) {
    if (spend) this.spend = spend;
    if (projectSpend) this.projectSpend = projectSpend;
  }

  settle(actualTokens: number, actualSpend?: bigint): Promise<void> {
    const tokens = Math.ceil(actualTokens);
    return this.once(
      this.dims.map((d) => (d.kind === 'tokens' ? tokens : 1)),
      actualSpend,
    );
  }

  cancel(): Promise<void> {
    return this.once(
      this.dims.map(() => 0),
      0n,
    );
  }

  private once(bucketCosts: number[], spendAmount: bigint | undefined): Promise<void> {
    if (this.settling) return this.settling;
    const request: SettleRequest = { reservationId: this.requestId, tag: this.tag, bucketCosts };
    if (spendAmount !== undefined) request.spendAmount = spendAmount;
    return (this.settling = this.store.settle(request).then(settled, (err: unknown) => {
      this.settling = undefined; // let the caller retry; the store settles at most once anyway
      throw err;
    }));
  }
}

function unlimited(requestId: string): LimitReservation {
  return { requestId, headers: {}, settle: async () => undefined, cancel: async () => undefined };
}

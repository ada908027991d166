/**
 * Stages 5–6 of the request path: a request's rate limits (organization, project, key) and its
 * worst-case cost against the organization's and the project's monthly spend limits, reserved
 * in one atomic step of the counter store, and the
 * settlement of that reservation once the answer is known (in the background, through the
 * `SettlementQueue`).
 *
 * Failure policy (outage-log.ts, as for identity): fail closed. When the database (spend limits)
 * or the counter store (Redis) does not answer, the request gets 503 `store_unavailable` rather
 * than being admitted unmetered. Counter state that was lost (Redis restarted empty) is rebuilt
 * from the usage ledger before anything is admitted again.
 * @module
 */
import type { Logger } from 'pino';
import { projectSpendKey, spendTarget } from '../billing/period.js';
import type { SpendLimits } from '../billing/org-spend-limits.js';
import type { Clock } from '../clock.js';
import { OutageLog } from '../outage-log.js';
import type { Reservation, ReservationRequest } from '../pipeline/types.js';
import { DependencyUnavailableError } from '../store/outage.js';
import { CounterStateLost } from './counter-store.js';
import type { LimitReservation, RateLimiter, ReserveInput } from './rate-limiter.js';
import type { SettlementQueue } from './settlements.js';

export interface RequestReservationsDeps {
  limiter: RateLimiter;
  /** An organization's spend limits (cached; a read may reach the database). */
  spendLimits: {
    get(orgId: string): Promise<SpendLimits>;
    /** The limits when the cache holds them fresh (no load, no refresh started); else undefined. */
    fresh?(orgId: string): SpendLimits | undefined;
  };
  /** Rebuilds lost counters from the usage ledger (usage/counter-rebuild.ts): an organization's, or one project's spend. */
  rebuilder: { rebuild(orgId: string, tier: string, projectId?: string): Promise<unknown>; rebuildProject(orgId: string, projectId: string): Promise<unknown> };
  settlements: SettlementQueue;
  /** Runs after each settlement has landed (the soft-limit and spend-alert checks); must not throw. */
  afterSettle: (orgId: string, projectId?: string) => void;
  clock: Clock;
  log: Logger | undefined;
  /** Milliseconds a reservation is held before the counter store charges it anyway. */
  leaseMs: number;
  /** The counter store is shared Redis (named so in outage logs), not this process's memory. */
  sharedCounters: boolean;
}

export class RequestReservations {
  private readonly spendLimitsOutage: OutageLog;
  private readonly counterOutage: OutageLog;

  constructor(private readonly d: RequestReservationsDeps) {
    this.spendLimitsOutage = new OutageLog(d.log, 'database (spend limits)', d.clock);
    this.counterOutage = new OutageLog(d.log, d.sharedCounters ? 'redis (rate limits and spend counters)' : 'counter store', d.clock);
  }

  /** Reserves or throws the catalog's 429 (a limit), 503 `store_unavailable` (an outage). */
  async reserve(input: ReservationRequest): Promise<Reservation> {
    const { d } = this;
    const { orgId, tier } = input.caller;
    // Limits in the cache are taken as they are (the common case), not through a promise; the
    // outage log is told of the answer as `guard` would tell it.
    const cached = d.spendLimits.fresh?.(orgId);
    if (cached !== undefined) this.spendLimitsOutage.ok();
    const limits = cached ?? (await this.spendLimitsOutage.guard(() => d.spendLimits.get(orgId)));
    const target = spendTarget(orgId, d.clock.now());
    const projectId = input.caller.projectId ?? undefined;
    const request: ReserveInput = {
      requestId: input.requestId,
      orgId,
      keyId: input.caller.keyId,
      model: input.model.name,
      tokens: input.tokens,
      outputTokens: input.outputTokens,
      orgLimits: input.limits.org,
      spend: { key: target.key, hardLimit: limits.hardLimitPico, amount: input.worstCasePico, periodEndMs: target.period.endMs, guarded: true },
      ownSpendLimit: limits.ownLimitBinds,
      arrivedTurn: input.arrivedTurn,
      body: input.body,
    };
    // Set one by one rather than spread from temporary objects; absent stays absent.
    if (projectId !== undefined) {
      request.projectId = projectId;
      if (input.limits.project) request.projectLimits = input.limits.project;
      // Tracked for every project, limited or not: a limit set mid-month starts from the real figure.
      request.projectSpend = { key: projectSpendKey(projectId, target.period.startMs), hardLimit: limits.projects.get(projectId) ?? null };
    }
    if (input.limits.key) request.keyLimits = input.limits.key;
    let admitted: LimitReservation;
    // The first try is awaited here, not through a second async function (a frame and a promise
    // per request); lost counters are rebuilt and tried again in `afterLoss`.
    try {
      admitted = await d.limiter.reserve(request);
    } catch (e) {
      try {
        admitted = await this.afterLoss(e, request, tier);
      } catch (again) {
        throw this.counterOutage.refusal(again);
      }
    }
    this.counterOutage.ok();
    // Past the lease the sweep charges the reservation anyway; retrying longer is pointless.
    return new HeldReservation(admitted, d.settlements, d.afterSettle, orgId, projectId, d.clock.now() + d.leaseMs);
  }

  /**
   * Counter state lost (or never built): nothing is admitted until it is rebuilt from the ledger;
   * a rebuild that fails (database down) answers 503 like any store failure. A project's spend
   * alone missing (its first request of the period) rebuilds only that, not the organization's
   * state, which is there.
   */
  private async afterLoss(e: unknown, request: ReserveInput, tier: string): Promise<LimitReservation> {
    if (!(e instanceof CounterStateLost)) throw e;
    if (e.scope === 'project' && request.projectId !== undefined) await this.d.rebuilder.rebuildProject(request.orgId, request.projectId);
    else await this.d.rebuilder.rebuild(request.orgId, tier, request.projectId);
    try {
      return await this.d.limiter.reserve(request);
    } catch (again) {
      // Lost again right after the rebuild (Redis restarting once more): still an outage.
      if (again instanceof CounterStateLost) throw new DependencyUnavailableError(again.message);
      throw again;
    }
  }
}

/**
 * An admitted request's reservation, until the pipeline settles or cancels it. Its settlement is
 * itself the queue's job (`run`, `giveUpAt`, `onSettled`): no job object and closures per request.
 */
class HeldReservation implements Reservation {
  readonly headers: Record<string, string>;
  /** What `settle` was given, for `run` (the first settle's; a later one is its own job). */
  private tokens = 0;
  private costPico = 0n;
  private submitted = false;

  constructor(
    private readonly admitted: LimitReservation,
    private readonly settlements: SettlementQueue,
    private readonly afterSettle: (orgId: string, projectId?: string) => void,
    private readonly orgId: string,
    private readonly projectId: string | undefined,
    readonly giveUpAt: number,
  ) {
    this.headers = admitted.headers;
  }

  settle({ tokens, costPico }: { tokens: number; costPico: bigint }): void {
    if (this.submitted) {
      this.settlements.submit({ run: () => this.admitted.settle(tokens, costPico), giveUpAt: this.giveUpAt, onSettled: () => this.onSettled() });
      return;
    }
    this.submitted = true;
    this.tokens = tokens;
    this.costPico = costPico;
    this.settlements.submit(this);
  }

  cancel(): void {
    this.settlements.submit({ run: () => this.admitted.cancel(), giveUpAt: this.giveUpAt });
  }

  /** The settlement job's attempt (the queue retries it). */
  run(): Promise<void> {
    return this.admitted.settle(this.tokens, this.costPico);
  }

  onSettled(): void {
    this.afterSettle(this.orgId, this.projectId);
  }
}

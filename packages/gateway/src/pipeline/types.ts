import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config, LimitSet, ModelConfig } from '../config/types.js';
import type { AbortLike } from '../http/abort-latch.js';
import type { RequestContext } from '../http/context.js';
import type { EngineCall, EngineResult } from '../upstream/engine.js';
import type { UsageEvent } from '../usage/event.js';
import type { PromptCounter } from '../tokens/prompt-counter.js';
import type { RequestObservation } from '../status/outcome.js';
import type { Counter } from '../status/metrics.js';
import type { ResponseStore } from '../responses/store.js';
import type { RepeatingFailureLog } from '../repeating-failure-log.js';

/** Who is calling: the result of authentication (stage 2). */
export interface CallerIdentity {
  keyId: string;
  orgId: string;
  userId: string;
  tier: string;
  /** The key's project (its limits and spend limit apply too); null for a key without one. */
  projectId: string | null;
}

/** The rate limits of a request: the organization's, its project's own and its key's own. */
export interface LayeredLimits {
  org: LimitSet;
  project?: LimitSet;
  key?: LimitSet;
}

/** Stages 2–3: authentication and authorization. */
export interface AccessControl<P extends CallerIdentity = CallerIdentity> {
  authenticate(ctx: RequestContext): Promise<P>;
  requireScope(p: P, method: string, path: string): void;
  requireModel(p: P, model: string): void;
  limitsFor(p: P, model: string): Promise<LayeredLimits> | LayeredLimits;
}

/** What stages 5–6 hold for a request until it settles. */
export interface Reservation {
  /** x-ratelimit-* headers describing the caller's state after admission. */
  headers: Record<string, string>;
  /**
   * Settles tokens and money to what was really used. Returns at once: the true-up runs in the
   * background and is retried until it lands (idempotent), so it never delays or fails the answer.
   */
  settle(actual: { tokens: number; costPico: bigint }): void;
  /** Returns everything (request count included): for requests the gateway itself could not serve (overload). Like `settle`, in the background. */
  cancel(): void;
}

export interface ReservationRequest {
  requestId: string;
  caller: CallerIdentity;
  model: ModelConfig;
  tokens: number;
  /** Of `tokens`, the maximum output (the rest is the prompt). */
  outputTokens: number;
  /** Pico-dollars. */
  worstCasePico: bigint;
  limits: LayeredLimits;
  /** For a refused request's retry hint: the event-loop turn it arrived in (RequestContext.arrivedTurn)… */
  arrivedTurn?: number | undefined;
  /** …and its body as received, fingerprinted only when it is refused. */
  body?: Buffer | undefined;
}

/** Stage 7: a slot on the engine. */
export interface SlotLike {
  release(outcome: 'success' | 'overload' | 'error' | 'cancelled', actualCost?: number): void;
}
export interface AdmissionLike {
  acquire(r: { orgId: string; cost: number; signal?: AbortLike; deadlineMs?: number }): Promise<SlotLike>;
}

export interface EngineDispatch {
  /**
   * Calls `model`'s engine, then (before the first byte) the fallbacks: `opts.fallbacks` when
   * given (the ones this caller may use), else the model's configured list. `servedBy` names the
   * model that answered.
   */
  call(model: string, call: EngineCall, opts?: { fallbacks?: readonly string[] }): Promise<{ result: EngineResult; servedBy: string }>;
}

/** The usage record the pipeline writes for every authenticated request (see usage/event.ts). */
export type { UsageEvent } from '../usage/event.js';

export interface PipelineDeps {
  config: Config;
  clock: Clock;
  log: Logger;
  access: AccessControl;
  findModel(name: string): ModelConfig | undefined;
  /** Counts prompts without holding the event loop (validation, stage 4). */
  promptCounter: PromptCounter;
  /** Stages 5–6 (limits/request-reservations.ts): throws the 429s and 503 `store_unavailable`. */
  reservations: { reserve(input: ReservationRequest): Promise<Reservation> };
  /** Stage 7 (admission/model-admissions.ts): the model's engine-slot gate, if it has one. */
  admissions: { of(model: ModelConfig): AdmissionLike | undefined };
  engines: EngineDispatch;
  /** Resolves once the event is journaled (a group commit, see usage/ledger.ts); the response's last byte waits for it. */
  usage: { recordGrouped(event: UsageEvent): Promise<void> };
  /** Counts requests whose reported usage was above their reservation (charged the reservation), by model. */
  usageOverruns?: Pick<Counter<'model'>, 'inc'>;
  /**
   * The status page (status/monitor.ts): told how every request ended (signals, per-model
   * metrics; must not throw), and asked for a model's open incident, named on its platform errors.
   */
  status?: {
    observe(o: RequestObservation): void;
    openIncidentFor(model: string): { id: string; status: string; url: string } | undefined;
  };
  /** Stored responses of the Responses API; without it nothing is stored or chained. */
  responses?: ResponseStore;
  /**
   * Logs failed saves of `responses` by state changes (one per process; during a database outage
   * every stored response fails).
   */
  responseSaves: Pick<RepeatingFailureLog, 'failed' | 'ok'>;
}

/**
 * The `openai-compatible` engine: one model served by one or more HTTP deployments of any
 * OpenAI-API server (OpenAI, vLLM, Ollama, another Tollgate, Tollgate's simulator served alone).
 *
 * Per call: deployments whose circuit breaker admits are ordered (weighted random first, then by
 * weight); each is tried in turn while the failure says another deployment may help and nothing
 * has been returned yet. A stream is returned only after its first chunk arrived, so "before the
 * first byte" is exactly "inside `call()`". With every breaker open the call fails at once with
 * `upstream_unavailable`, its retry hint the time until the first breaker lets a probe through.
 *
 * Transport: undici `request()` on a keep-alive Pool per upstream origin (never global fetch and
 * WHATWG streams: the hot path stays on Node streams).
 * @module
 */
import { Pool, type Dispatcher } from 'undici';
import type { Clock } from '../../clock.js';
import type { Deployment, ModelConfig } from '../../config/types.js';
import { ApiError, UpstreamHttpError } from '../../errors/api-error.js';
import { jitteredRetryHeaders } from '../../http/retry-hint.js';
import { CircuitBreaker, type BreakerOutcome, type BreakerSnapshot } from '../breaker.js';
import type { Engine, EngineCall, EngineResult } from '../engine.js';
import { respondViaChat } from '../../responses/via-chat.js';
import { attempt, type DeploymentTarget } from './attempt.js';
import { deploymentOrder } from './choose.js';
import { AttemptError } from './failure.js';

export interface OpenAICompatibleDeps {
  /** Breaker time and HTTP-date retry hints. */
  clock: Clock;
  /** Where `api_key_env` is looked up (process.env in production). */
  env: Record<string, string | undefined>;
  /** `server.overload_status`: how an overloaded upstream is reported. */
  overloadStatus: 429 | 503;
  /** Makes the dispatcher for an origin; default an undici Pool with keep-alive. */
  dispatcherFactory?: (origin: string, deployment: Deployment) => Dispatcher;
  /** Picks the first deployment; Math.random by default. */
  random?: () => number;
}

/** One deployment's health, for metrics and the status page. */
export interface DeploymentState {
  name: string;
  /** The upstream's origin and path, without query or user info (either may hold a credential). */
  baseUrl: string;
  breaker: BreakerSnapshot;
  /** `stream_usage: auto` and the upstream refused `stream_options`: streams go without it. */
  streamOptionsRefused: boolean;
}

interface Target extends DeploymentTarget {
  readonly breaker: CircuitBreaker;
  /** `stream_usage: auto` and this upstream refused `stream_options` once: it is sent none since. */
  streamOptionsRefused: boolean;
}

/** Keep-alive sockets are closed after this long unused, before servers' common 5 s timeout. */
const KEEP_ALIVE_MS = 4_000;

export class OpenAICompatibleEngine implements Engine {
  readonly name: string;
  private readonly targets: Target[];
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly random: () => number;

  constructor(
    readonly model: ModelConfig,
    private readonly deps: OpenAICompatibleDeps,
  ) {
    this.name = `openai-compatible:${model.name}`;
    this.random = deps.random ?? Math.random;
    if (model.deployments.length === 0) throw new Error(`model '${model.name}': an openai-compatible model needs at least one deployment`);
    this.targets = model.deployments.map((d) => this.target(d));
  }

  async call(call: EngineCall): Promise<EngineResult> {
    if (call.signal.aborted) throw call.signal.reason;
    const order = deploymentOrder(
      this.targets.filter((t) => t.breaker.canPass()),
      (t) => t.deployment.weight,
      this.random,
    );
    let first: AttemptError | undefined;
    for (const t of order) {
      try {
        const result = await this.onDeployment(t, call);
        if (result) return result;
      } catch (e) {
        if (!(e instanceof AttemptError)) throw e;
        if (e.action !== 'retry_other') throw e.error;
        // The caller hears about the deployment it was sent to first.
        first ??= e;
      }
    }
    if (first) throw first.error;
    throw this.unavailable();
  }

  /**
   * The call on one deployment: one attempt, or two when an `auto` deployment refuses the
   * `stream_options` the gateway added (once more without it, and never again to that
   * deployment; the gateway then counts the tokens itself). Undefined when its breaker refused.
   */
  private onDeployment(t: Target, call: EngineCall): Promise<EngineResult | undefined> {
    // A chat-only upstream gets Responses calls translated: the chat call takes the same path.
    if (call.endpoint === 'responses' && t.deployment.responses_api === 'chat') {
      const refused = Symbol('breaker refused');
      return respondViaChat(call, this.deps.clock.now(), async (chat) => {
        const r = await this.onDeployment(t, chat);
        if (!r) throw refused;
        return r;
      }).catch((e: unknown) => {
        if (e === refused) return undefined;
        throw e;
      });
    }
    const c = withStreamUsage(t, call);
    // No stream_options that could be refused (a JSON call, a stream without them): the attempt's
    // own promise, without an async frame more around it.
    if (c.body.stream_options === undefined) return this.attemptOn(t, c);
    return this.attemptWithStreamOptions(t, c, call);
  }

  /** `c` (the call with stream_options) once, and once more without them if the deployment refuses them. */
  private async attemptWithStreamOptions(t: Target, c: EngineCall, call: EngineCall): Promise<EngineResult | undefined> {
    try {
      return await this.attemptOn(t, c);
    } catch (e) {
      if (c !== call || !(e instanceof AttemptError) || !refusesStreamOptions(t, c, e)) throw e;
      t.streamOptionsRefused = true;
      return this.attemptOn(t, withoutStreamOptions(call));
    }
  }

  /** One attempt under a breaker ticket; undefined when a concurrent call took the half-open probe. */
  private async attemptOn(t: Target, call: EngineCall): Promise<EngineResult | undefined> {
    const ticket = t.breaker.acquire();
    if (!ticket) return undefined;
    let settled = false;
    const settle = (o: BreakerOutcome) => {
      if (settled) return;
      settled = true;
      t.breaker.record(ticket, o);
    };
    try {
      return await attempt(t, call, { overloadStatus: this.deps.overloadStatus, now: () => this.deps.clock.now(), settle });
    } catch (e) {
      if (!(e instanceof AttemptError)) settle('ignored');
      throw e;
    }
  }

  deploymentStates(): DeploymentState[] {
    return this.targets.map((t) => ({ name: t.deployment.name, baseUrl: t.origin + t.basePath, breaker: t.breaker.snapshot(), streamOptionsRefused: t.streamOptionsRefused }));
  }

  /** Cuts whatever is still in flight (shutdown drains requests before this) and closes the pools. */
  async close(): Promise<void> {
    await Promise.all([...this.dispatchers.values()].map((d) => d.destroy()));
  }

  private unavailable(): ApiError {
    // The first breaker to reopen is when a retry can get through: a hint the gateway knows
    // (with jitter). 0 means a half-open probe is out, whose answer time nobody knows: no hint,
    // and clients back off exponentially.
    const wait = Math.min(...this.targets.map((t) => t.breaker.retryInMs()));
    return new ApiError('upstream_unavailable', {}, { headers: wait > 0 ? jitteredRetryHeaders(wait, this.random) : {} });
  }

  private target(d: Deployment): Target {
    const url = new URL(d.base_url);
    const origin = url.origin;
    // Deployments on one origin share a pool (and its warm connections) when their connect
    // timeout, a pool-level setting, is the same.
    const key = `${origin}|${d.timeouts.connect_ms}`;
    let dispatcher = this.dispatchers.get(key);
    if (!dispatcher) {
      dispatcher = this.deps.dispatcherFactory
        ? this.deps.dispatcherFactory(origin, d)
        : new Pool(origin, { connect: { timeout: d.timeouts.connect_ms }, keepAliveTimeout: KEEP_ALIVE_MS, headersTimeout: 0, bodyTimeout: 0 });
      this.dispatchers.set(key, dispatcher);
    }
    const apiKey = d.api_key_env ? this.deps.env[d.api_key_env] : undefined;
    const base: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tollgate' };
    if (apiKey) base.authorization = `Bearer ${apiKey}`;
    const own = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return {
      deployment: d,
      dispatcher,
      origin,
      basePath: url.pathname.replace(/\/+$/, ''),
      query: url.search,
      jsonHeaders: { ...base, accept: 'application/json', ...own },
      streamHeaders: { ...base, accept: 'text/event-stream', ...own },
      breaker: new CircuitBreaker(this.model.breaker, this.deps.clock),
      streamOptionsRefused: false,
    };
  }
}

/** The call as this deployment takes it: without `stream_options` where it is not to be sent. */
function withStreamUsage(t: Target, call: EngineCall): EngineCall {
  if (!call.stream || call.body.stream_options === undefined) return call;
  const mode = t.deployment.stream_usage ?? 'auto';
  if (mode === 'never' || (mode === 'auto' && t.streamOptionsRefused)) return withoutStreamOptions(call);
  return call;
}

function withoutStreamOptions(call: EngineCall): EngineCall {
  const { stream_options: _, ...body } = call.body;
  return { ...call, body };
}

/**
 * An `auto` deployment's refusal of `stream_options` on a stream: a caller-error status (OpenAI's
 * "Unrecognized request argument supplied: stream_options", a pydantic 422 naming the field, ...)
 * whose body names the field.
 */
function refusesStreamOptions(t: Target, call: EngineCall, e: AttemptError): boolean {
  if (!call.stream || call.body.stream_options === undefined || (t.deployment.stream_usage ?? 'auto') !== 'auto') return false;
  if (e.action !== 'passthrough' || !(e.error instanceof UpstreamHttpError)) return false;
  if (e.error.status !== 400 && e.error.status !== 422) return false;
  return JSON.stringify(e.error.body ?? '').includes('stream_options');
}

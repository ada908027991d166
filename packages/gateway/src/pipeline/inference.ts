/**
 * The public inference endpoints: stages 2–9 of the request path, in order.
 *
 *   authenticate → authorize → validate → limit + quota (one atomic reservation) → admit →
 *   forward → settle
 *
 * The usage record happens on every exit path, exactly once, and always before the last byte goes
 * to the client, so a client that saw a response can rely on it being in the ledger. The counters'
 * settlement is handed to the background (pipeline/settlements.ts) right after: a counter store
 * that is slow or down never delays, fails or truncates an answer that already succeeded.
 */
import type { Usage } from '@tollgate/protocol';
import { HEADER } from '@tollgate/protocol';
import { pricePico, worstCasePico } from '../billing/pricing.js';
import { ApiError } from '../errors/api-error.js';
import { readJson } from '../http/body.js';
import { header, type RequestContext } from '../http/context.js';
import { sendJson, sendJsonText } from '../http/respond.js';
import { answerText } from '../upstream/chunk-text.js';
import type { Handler } from '../http/router.js';
import type { InferenceEndpoint } from '../upstream/engine.js';
import { validateInferenceCounted, validateResponses, type ResponsesTurn, type StoredItems, type ValidatedRequest } from '../validation/index.js';
import { presentResponse } from '../responses/present.js';
import { newResponseId, outputItemsText, responseUsage, usageOfResponse, type ResponseObject } from '../responses/response-object.js';
import { usageDetails } from '../upstream/wire-usage.js';
import { inputItemsWithIds } from '../responses/store.js';
import type { EngineResult } from '../upstream/engine.js';
import { withOutputBound } from './output-bound.js';
import { logPrompt } from './prompt-log.js';
import { relayStream } from './relay.js';
import { relayResponseEvents } from './responses-relay.js';
import type { CallerIdentity, PipelineDeps, Reservation, SlotLike } from './types.js';
import type { ModelConfig } from '../config/types.js';
import { unregisteredCounter, type Counter } from '../status/metrics.js';
import { CompletionText, countOutput, makeUsage, readUsage } from './usage-count.js';
import { echoedPrompts } from './echoed-prompts.js';
import { apiErrorRecord, failureRecord } from './failure-record.js';
import { clip, MAX_REQUESTED_MODEL_CHARS } from '../usage/event.js';

/** The engine call's options for a request no fallback can serve (the usual case), made once. */
const NO_FALLBACKS: { fallbacks: readonly string[] } = Object.freeze({ fallbacks: Object.freeze([]) });

export function inferenceHandler(endpoint: InferenceEndpoint, deps: PipelineDeps): Handler {
  return async (ctx) => {
    const caller = await deps.access.authenticate(ctx); // 2
    const run = new Run(ctx, deps, endpoint, caller);
    try {
      deps.access.requireScope(caller, ctx.method, ctx.path); // 3
      const body = run.received(await readJson(ctx, deps.config.server.max_body_bytes)); // 4
      run.requestedModel = requestedModelOf(body);
      const v =
        endpoint === 'responses'
          ? await validateResponses(body, deps.findModel, storedItems(deps, caller), deps.promptCounter)
          : await validateInferenceCounted(endpoint, body, deps.findModel, deps.promptCounter);
      run.validated = v;
      logPrompt(deps.log, deps.config.logging.log_prompts, endpoint, body, { request_id: ctx.id, model: v.model.name });
      deps.access.requireModel(caller, v.model.name); // 3 (model access needs the model name)
      await run.execute(v);
    } catch (e) {
      await run.failed(e);
      throw e;
    }
  };
}

/** `cachedTokens`: of the prompt, those the upstream reported as cached (0 when it reported none, or for an estimate). */
type Outcome = { usage: Usage | undefined; cachedTokens: number; estimated: boolean; status: number; errorCode: string | null; errorMessage: string | null };

/** One request's journey from admission to settlement. */
class Run {
  validated: ValidatedRequest | undefined;
  /** The `model` of the body as the caller sent it (recorded even when it names no model). */
  requestedModel: string | null = null;
  /** The upstream's `x-request-id` of its last answer, for the ledger. */
  private upstreamRequestId: string | null = null;
  private reservation: Reservation | undefined;
  private finished = false;
  /** The model that answered (a fallback, possibly): the one priced and recorded. */
  private served: ModelConfig | undefined;
  /** Whether the request reached the engine call: a request refused before it names no model in the ledger. */
  private engineCalled = false;
  /** Milliseconds from the engine call to its first byte, once it came. */
  private firstByteMs: number | null = null;
  /** The body as received, until the limit stage: a refused request's fingerprint for its retry hint. */
  private bytes: Buffer | undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly deps: PipelineDeps,
    private readonly endpoint: InferenceEndpoint,
    private readonly caller: CallerIdentity,
  ) {}

  /** Keeps the body's bytes for the limit stage; returns the parsed body. */
  received(body: { value: unknown; bytes: Buffer }): unknown {
    this.bytes = body.bytes;
    return body.value;
  }

  async execute(v: ValidatedRequest): Promise<void> {
    const { ctx, deps, caller } = this;
    const tokens = v.promptTokens + v.maxOutputTokens;
    // Synchronous when cached (the usual case): not awaited then (a promise and a microtask less).
    const pending = deps.access.limitsFor(caller, v.model.name);
    const limits = pending instanceof Promise ? await pending : pending;
    // The models this request may reach: its own and the fallbacks this caller may use. The
    // reservation covers the costliest of them, so a fallback can never spend past the limit.
    const reachable = this.reachable(v.model);
    let worstCase = 0n;
    for (const m of reachable) {
      const w = worstCasePico(m, v.promptTokens, v.maxOutputTokens);
      if (w > worstCase) worstCase = w;
    }
    // 5 + 6: rate limits and the worst-case cost in one atomic step; throws the 429s. A refused
    // request's retry hint fingerprints the body; the bytes are let go after this stage.
    try {
      this.reservation = await deps.reservations.reserve({
        requestId: ctx.id,
        caller,
        model: v.model,
        tokens,
        outputTokens: v.maxOutputTokens,
        worstCasePico: worstCase,
        limits,
        arrivedTurn: ctx.arrivedTurn,
        body: this.bytes,
      });
    } finally {
      this.bytes = undefined;
    }
    Object.assign(ctx.headers, this.reservation.headers);

    // 7: a slot on the engine, in the per-organization fair queue.
    let slot: SlotLike | undefined;
    const admission = deps.admissions.of(v.model);
    if (admission) slot = await admission.acquire({ orgId: caller.orgId, cost: tokens, signal: ctx.clientGone, deadlineMs: this.deadline() });

    // 8: forward.
    let outcome: Parameters<SlotLike['release']>[0] = 'error';
    let produced = 0;
    try {
      const allowFault = v.model.simulator.allow_fault_header;
      const fault = allowFault ? header(ctx, HEADER.fault) : undefined;
      const bounded = withOutputBound(v);
      const body = v.stream && v.endpoint !== 'responses' ? { ...bounded, stream_options: { ...(v.body.stream_options as object | undefined), include_usage: true } } : bounded;
      const called = process.hrtime.bigint();
      this.engineCalled = true;
      const { result, servedBy } = await deps.engines.call(
        v.model.name,
        {
          endpoint: this.endpoint,
          body,
          stream: v.stream,
          clientWantsUsage: v.includeUsage,
          requestId: ctx.id,
          signal: ctx.clientGone,
          onUpstreamRequestId: (id) => {
            this.upstreamRequestId = id;
          },
          ...(fault ? { fault } : {}),
        },
        reachable.length === 1 ? NO_FALLBACKS : { fallbacks: reachable.slice(1).map((m) => m.name) },
      );
      // Priced, recorded and reported as the model that answered.
      this.served = reachable.find((m) => m.name === servedBy) ?? v.model;
      this.firstByteMs = Number(process.hrtime.bigint() - called) / 1e6;
      if (v.responses) {
        produced = await this.deliverResponse(v, v.responses, result);
      } else if (result.kind === 'json') {
        const reported = readUsage(result.usage ?? result.body.usage);
        const usage = reported ?? (await this.estimate(v, result.body));
        produced = usage.total_tokens;
        const cachedTokens = reported ? usageDetails(result.body.usage).cached_tokens : 0;
        await this.finish({ usage, cachedTokens, estimated: !reported, status: 200, errorCode: null, errorMessage: null });
        // Relayed unchanged: sent as the engine wrote it when its text is known.
        const text = answerText(result.body);
        if (text === undefined) sendJson(ctx, 200, result.body);
        else sendJsonText(ctx, 200, text);
      } else {
        const r = await relayStream(ctx, result.chunks, v.includeUsage, this.deps.config.server.public_url, (o) => this.finishStream(v, o), deps.promptCounter, echoedPrompts(v));
        produced = r.tokens;
      }
      outcome = ctx.clientGone.aborted ? 'cancelled' : 'success';
    } catch (e) {
      outcome = e instanceof ApiError && e.entry.kind === 'overloaded' ? 'overload' : ctx.clientGone.aborted ? 'cancelled' : 'error';
      throw e;
    } finally {
      slot?.release(outcome, produced);
    }
  }

  /**
   * A Responses answer: presented as the gateway's response (its id, the caller's model and
   * settings), settled, stored when `store` is on, and only then sent. Returns tokens produced.
   */
  private async deliverResponse(v: ValidatedRequest, turn: ResponsesTurn, result: EngineResult): Promise<number> {
    const id = newResponseId('resp');
    const createdAt = Math.floor(this.ctx.startedAt / 1000);
    const present = (r: Record<string, unknown>) => presentResponse(r, turn, id, createdAt, v.model.name);
    const input = turn.store ? inputItemsWithIds(turn.input) : [];
    if (result.kind === 'json') {
      const response = present(result.body);
      const reported = result.usage ?? usageOfResponse(result.body.usage);
      const usage = reported ?? makeUsage(v.promptTokens, await countOutput(this.deps.promptCounter, outputItemsText(response.output)));
      // The engine's detail counts (cached input, reasoning) are kept; an estimate has none.
      response.usage = responseUsage(usage, reported ? usageDetails(result.body.usage) : undefined);
      await this.finish({ usage, cachedTokens: response.usage.input_tokens_details.cached_tokens, estimated: !reported, status: 200, errorCode: null, errorMessage: null });
      await this.store(turn, input, response);
      sendJson(this.ctx, 200, response);
      return usage.total_tokens;
    }
    const r = await relayResponseEvents(this.ctx, result.chunks, {
      promptTokens: v.promptTokens,
      publicUrl: this.deps.config.server.public_url,
      counter: this.deps.promptCounter,
      present,
      settle: async (o) => {
        await this.finishStream(v, o);
        if (o.response) await this.store(turn, input, o.response);
      },
    });
    return r.tokens;
  }

  /** Keeps a finished response for retrieval and chaining; a store failure does not fail the request. */
  private async store(turn: ResponsesTurn, input: Record<string, unknown>[], response: ResponseObject): Promise<void> {
    if (!turn.store || !this.deps.responses) return;
    try {
      await this.deps.responses.save({ orgId: this.caller.orgId, projectId: this.caller.projectId, keyId: this.caller.keyId, input, response });
    } catch (err) {
      this.deps.responseSaves.failed(err, { response_id: response.id });
      return;
    }
    this.deps.responseSaves.ok();
  }

  /** Settles the stream's reservation from the engine's usage chunk, or by counting what was sent. */
  private async finishStream(v: ValidatedRequest, o: { usage: Usage | undefined; cachedTokens: number; completionTokens: number; error: ApiError | undefined; disconnected: boolean }): Promise<Usage> {
    const usage = o.usage ?? makeUsage(v.promptTokens, o.completionTokens);
    const failure = o.disconnected ? { errorCode: 'client_disconnected', errorMessage: null } : o.error ? apiErrorRecord(o.error, this.deps.config.server.public_url) : { errorCode: null, errorMessage: null };
    await this.finish({ usage, cachedTokens: o.usage ? o.cachedTokens : 0, estimated: !o.usage, status: o.disconnected ? 499 : 200, errorCode: failure.errorCode, errorMessage: failure.errorMessage });
    return usage;
  }

  /** Any exit by exception: settle what is held and record the request, before the error is written. */
  async failed(e: unknown): Promise<void> {
    if (this.finished) return;
    const err = e instanceof ApiError ? e : undefined;
    const { status, errorCode, errorMessage } = failureRecord(e, this.ctx.clientGone.aborted, this.deps.config.server.public_url);
    this.nameIncident(status, err);
    const outcome: Outcome = { usage: undefined, cachedTokens: 0, estimated: false, status, errorCode, errorMessage };
    // The gateway's own overload is never charged to the caller: give everything back.
    if (this.reservation && err && err.entry.kind === 'overloaded') {
      this.finished = true;
      await this.record(outcome);
      this.reservation.cancel();
      return;
    }
    await this.finish(outcome);
  }

  private async finish(o: Outcome): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const v = this.validated;
    const model = this.served ?? v?.model;
    const cost = o.usage && model && v ? this.charge(v, model, o.usage) : 0n;
    // The ledger first (journaled with this turn's other requests, before the answer is sent),
    // then the counters in the background.
    await this.record(o, cost);
    this.reservation?.settle({ tokens: o.usage?.total_tokens ?? 0, costPico: cost });
  }

  /**
   * What the request costs: its usage at the serving model's price, but never more than the worst
   * case it was reserved for (its prompt estimate and output bound at that model's price). An
   * upstream that reports more (it ignored the bound, or its tokenizer counts the prompt higher)
   * cannot take spend past the hard limit; the ledger keeps the reported tokens with the capped
   * cost, and the overrun is counted and logged.
   */
  private charge(v: ValidatedRequest, model: ModelConfig, usage: Usage): bigint {
    const cost = pricePico(model, usage.prompt_tokens, usage.completion_tokens);
    const bound = worstCasePico(model, v.promptTokens, v.maxOutputTokens);
    if (cost <= bound) return cost;
    this.deps.usageOverruns?.inc({ model: model.name });
    this.deps.log.warn(
      { request_id: this.ctx.id, model: model.name, prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, reserved_prompt_tokens: v.promptTokens, reserved_output_tokens: v.maxOutputTokens },
      'upstream reported more usage than the request was reserved for; charged the reserved worst case',
    );
    return bound;
  }

  /**
   * A platform failure of a model with an open status-page incident says so in a header, so the
   * person reading the error learns what the status page would tell them.
   */
  private nameIncident(status: number, err: ApiError | undefined): void {
    const model = this.validated?.model.name;
    if (!model || !this.deps.status) return;
    const platform = err ? ['server', 'service_unavailable', 'timeout', 'overloaded'].includes(err.entry.kind) : status >= 500;
    if (!platform) return;
    const i = this.deps.status.openIncidentFor(model);
    if (i) this.ctx.headers[HEADER.statusIncident] = `${i.id}; status=${i.status}; url=${i.url}`;
  }

  private record(o: Outcome, cost = 0n): Promise<void> {
    const v = this.validated;
    this.deps.status?.observe({
      model: this.reservation && v ? v.model.name : null,
      status: o.status,
      errorCode: o.errorCode,
      firstByteMs: o.status < 400 ? this.firstByteMs : null,
      promptTokens: o.usage?.prompt_tokens ?? 0,
      completionTokens: o.usage?.completion_tokens ?? 0,
    });
    return this.deps.usage.recordGrouped({
      request_id: this.ctx.id,
      org_id: this.caller.orgId,
      project_id: this.caller.projectId,
      key_id: this.caller.keyId,
      user_id: this.caller.userId,
      // The model that answered, or the one called when none did (an engine failure); none for a
      // request refused before any model was called (validation, access, limits, spend, queue).
      model: this.served?.name ?? (this.engineCalled ? v?.model.name : undefined) ?? '',
      requested_model: this.requestedModel,
      endpoint: this.endpoint,
      prompt_tokens: o.usage?.prompt_tokens ?? 0,
      // A part of the prompt: never more than it, whatever an upstream says.
      cached_tokens: o.usage ? Math.min(o.cachedTokens, o.usage.prompt_tokens) : 0,
      completion_tokens: o.usage?.completion_tokens ?? 0,
      cost_pico: cost,
      status_code: o.status,
      error_code: o.errorCode,
      error_message: o.errorMessage,
      upstream_request_id: this.upstreamRequestId,
      streamed: v?.stream ?? false,
      latency_ms: Number((process.hrtime.bigint() - this.ctx.start) / 1_000_000n),
      estimated: o.estimated,
      created_at: this.ctx.startedAt,
    });
  }

  /**
   * The requested model, then its fallbacks that exist, serve the same endpoint and that this
   * caller may use (the organization's allow-list): a fallback never serves a model the caller
   * could not call directly.
   */
  private reachable(model: ModelConfig): ModelConfig[] {
    const out = [model];
    for (const name of model.fallbacks) {
      const m = this.deps.findModel(name);
      if (!m || out.includes(m) || m.type !== model.type) continue;
      try {
        this.deps.access.requireModel(this.caller, m.name);
      } catch {
        continue;
      }
      out.push(m);
    }
    return out;
  }

  private async estimate(v: ValidatedRequest, body: Record<string, unknown>): Promise<Usage> {
    const text = new CompletionText(this.deps.promptCounter, echoedPrompts(v));
    text.addChunk(body);
    return makeUsage(v.promptTokens, await text.tokens());
  }

  /** The client's own deadline, from the SDK's X-Stainless-Timeout hint (whole seconds). */
  private deadline(): number | undefined {
    const t = Number(header(this.ctx, HEADER.stainlessTimeout));
    return Number.isFinite(t) && t > 0 ? this.deps.clock.now() + t * 1000 : undefined;
  }
}

/** The stored responses as the caller's organization and project may see them: earlier turns and referenced items. */
function storedItems(deps: PipelineDeps, caller: CallerIdentity): StoredItems {
  return {
    previousTurns: (id) => {
      if (!deps.responses) throw new ApiError('previous_response_not_found', { id }, { param: 'previous_response_id' });
      return deps.responses.conversation(caller, id);
    },
    items: (ids) => {
      if (!deps.responses) throw new ApiError('item_not_found', { id: ids[0]! });
      return deps.responses.items(caller, ids);
    },
  };
}

/** The `code` (else `type`) of an upstream error body, for the usage record. */
/** The body's `model` as sent, cut to the ledger's bound; null when it is not a string. */
function requestedModelOf(body: unknown): string | null {
  const m = (body as { model?: unknown } | null)?.model;
  return typeof m === 'string' ? clip(m, MAX_REQUESTED_MODEL_CHARS) : null;
}

/** The counter behind `PipelineDeps.usageOverruns`, for the gateway's /metrics. */
export function usageOverrunCounter(): Counter<'model'> {
  return unregisteredCounter('tollgate_usage_overrun_total', 'Requests whose upstream reported more tokens than were reserved, by serving model; each was charged its reserved worst case.', ['model']);
}

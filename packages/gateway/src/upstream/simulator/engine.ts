/**
 * The simulator engine: an OpenAI-compatible fake model, one instance per configured model.
 *
 * Per call, in order: the forced fault from `call.fault` (see faults.ts for the syntax), then the
 * configured random faults, then a capacity slot (queue, or the overload error: `overloadStatus`), then the
 * latency model: `ttft_ms` before the first token and `tokens_per_second` after it, on the
 * injected clock. Output is deterministic in (prompt, request `seed`, `simulator.seed`), and all
 * usage is the real tokenizer count.
 * @module
 */
import type { Clock } from '../../clock.js';
import type { ModelConfig } from '../../config/types.js';
import { ApiError } from '../../errors/api-error.js';
import type { Engine, EngineCall, EngineResult } from '../engine.js';
import type { Answer, AnswerContext } from './answer.js';
import { Capacity, type SimulatorStats } from './capacity.js';
import { chatAnswer } from './chat.js';
import { completionAnswer } from './completions.js';
import { embeddingsAnswer } from './embeddings.js';
import { faultError, FaultRoller, parseFault, type FaultPlan } from './faults.js';
import { hexFrom } from './random.js';
import { frameStream } from './stream.js';
import { waitFor, waitForAbort } from './wait.js';
import type { PromptCounter } from '../../tokens/prompt-counter.js';
import { chatPromptText, promptListTexts } from '../../tokens/prompt-text.js';
import { respondViaChat } from '../../responses/via-chat.js';

export interface SimulatorDeps {
  clock: Clock;
  /** Rolls for the configured fault probabilities; Math.random when not given. */
  random?: () => number;
  /** Counts long prompts off the event loop; without it prompts are counted inline. */
  promptCounter?: PromptCounter;
  /**
   * Inside a gateway, `server.overload_status`: a full capacity is refused as the gateway's overload
   * (429 `engine_overloaded` or 503 `server_is_overloaded`). Absent (the simulator served alone),
   * 503 `server_is_overloaded`, as engines answer.
   */
  overloadStatus?: 429 | 503;
}

export class SimulatorEngine implements Engine {
  readonly name: string;
  private readonly capacity: Capacity;
  private readonly faults: FaultRoller;
  private readonly clock: Clock;
  private readonly fingerprint: string;
  private readonly promptCounter: PromptCounter | undefined;
  private served = 0;

  constructor(
    readonly model: ModelConfig,
    deps: SimulatorDeps,
  ) {
    this.name = `simulator:${model.name}`;
    this.clock = deps.clock;
    this.promptCounter = deps.promptCounter;
    const s = model.simulator;
    this.capacity = new Capacity(Math.max(1, s.max_concurrency), Math.max(0, s.max_queue), deps.overloadStatus === 429 ? 'engine_overloaded' : 'server_is_overloaded');
    this.faults = new FaultRoller(model, deps.random ?? Math.random);
    this.fingerprint = `fp_${hexFrom(10, 'fingerprint', model.name, s.seed)}`;
  }

  stats(): SimulatorStats {
    return { ...this.capacity.stats(), served: this.served };
  }

  async call(call: EngineCall): Promise<EngineResult> {
    // Generated in chat form and translated: both endpoints give the same text for one prompt.
    if (call.endpoint === 'responses') return respondViaChat(call, this.clock.now(), (c) => this.call(c));
    // Everything up to `acquire` runs synchronously, so calls fired together take slots and
    // queue places in the order they were made.
    const plan = call.fault === undefined ? null : parseFault(call.fault);
    if (plan?.kind === 'disconnect') throw transportOnly(call.fault!);
    if (plan?.kind === 'error' && (plan.afterChunks === null || !call.stream || call.endpoint === 'embeddings')) {
      throw faultError(plan.id, this.model);
    }
    if (plan === null) this.faults.roll();
    const release = await this.capacity.acquire(call.signal);
    try {
      return await this.serve(call, plan, release);
    } catch (err) {
      release();
      throw err;
    }
  }

  private async serve(call: EngineCall, plan: FaultPlan | null, release: () => void): Promise<EngineResult> {
    const s = this.model.simulator;
    if (call.endpoint === 'embeddings') {
      if (plan?.kind === 'stall') await waitForAbort(call.signal);
      const { json, usage } = embeddingsAnswer(call.body, this.model, await this.promptTokens(call));
      await waitFor(this.clock, s.ttft_ms, call.signal);
      return this.finish(release, { kind: 'json', body: json, usage });
    }
    const answer = this.answer(call, await this.promptTokens(call));
    if (!call.stream) {
      if (plan?.kind === 'stall') await waitForAbort(call.signal);
      await waitFor(this.clock, s.ttft_ms + this.generationMs(answer.longestTokens), call.signal);
      return this.finish(release, { kind: 'json', body: answer.json, usage: answer.usage });
    }
    await waitFor(this.clock, s.ttft_ms, call.signal);
    const includeUsage = (call.body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const chunks = frameStream({
      frames: answer.frames(includeUsage),
      clock: this.clock,
      signal: call.signal,
      start: this.clock.now(),
      tokensPerSecond: s.tokens_per_second,
      interruption:
        plan?.kind === 'stall'
          ? { kind: 'stall', afterChunks: plan.afterChunks }
          : plan?.kind === 'error'
            ? { kind: 'error', afterChunks: plan.afterChunks ?? 0, error: () => faultError(plan.id, this.model) }
            : null,
      onEnd: (completed) => {
        if (completed) this.served++;
        release();
      },
    });
    return { kind: 'stream', chunks };
  }

  /** The prompt's tokens, counted by the PromptCounter (off the loop when long), or undefined without one. */
  private async promptTokens(call: EngineCall): Promise<number | undefined> {
    if (!this.promptCounter) return undefined;
    const b = call.body;
    const prompts =
      call.endpoint === 'chat.completions'
        ? [chatPromptText(Array.isArray(b.messages) ? (b.messages as unknown[]) : [], b.tools)]
        : promptListTexts(call.endpoint === 'completions' ? b.prompt : b.input);
    const counts = await this.promptCounter.count(prompts, Infinity);
    return counts.reduce((sum, c) => sum + c.tokens, 0);
  }

  private answer(call: EngineCall, promptTokens: number | undefined): Answer {
    const ctx: AnswerContext = {
      model: this.model,
      id: `${call.endpoint === 'completions' ? 'cmpl' : 'chatcmpl'}-${hexFrom(29, 'response', call.requestId)}`,
      created: Math.floor(this.clock.now() / 1000),
      systemFingerprint: this.fingerprint,
      requestId: call.requestId,
      ...(promptTokens === undefined ? {} : { promptTokens }),
    };
    return call.endpoint === 'completions' ? completionAnswer(call.body, ctx) : chatAnswer(call.body, ctx);
  }

  private generationMs(tokens: number): number {
    const tps = this.model.simulator.tokens_per_second;
    return tps > 0 ? (tokens * 1000) / tps : 0;
  }

  private finish(release: () => void, result: EngineResult): EngineResult {
    this.served++;
    release();
    return result;
  }
}

/** `disconnect@n` needs a socket to cut; only the HTTP simulator (serve.ts) has one. */
function transportOnly(fault: string): ApiError {
  return new ApiError('invalid_fault', { fault });
}

/**
 * Prompt tokens and the output budget of a validated body, and the two limits they must fit:
 * the model's output cap and its context window. Counting uses tokens/count.ts, the same
 * functions the simulator and settlement use, so a reservation and a bill agree.
 * @module
 */
import type { ModelConfig } from '../config/types.js';
import { ApiError } from '../errors/api-error.js';
import type { Counted } from '../tokens/count-job.js';
import type { CompletionFacts } from './completions.js';
import { integerAboveMax } from './errors.js';
import type { GenerationFacts } from './generation.js';

export interface TokenBudget {
  promptTokens: number;
  /** Worst-case output tokens of the whole request (all choices, all prompts). */
  maxOutputTokens: number;
  /**
   * Output tokens one completion may produce (the explicit cap, else what the model and window
   * allow): the bound the forward stage sends upstream when the caller set none, so the upstream
   * cannot produce more than was reserved. For a batch of prompts, the smallest of them.
   */
  perCompletion: number;
}

type Noun = 'messages' | 'prompt' | 'input';

/**
 * An explicit cap above what the model can produce (judged before any counting: it needs none).
 * OpenAI words it "max_tokens is too large: X. This model supports at most Y completion tokens,
 * whereas you provided X." (code invalid_value), which the catalog lacks; the range entry says
 * the same with the same param.
 */
export function checkOutputCap(facts: GenerationFacts, model: ModelConfig): void {
  const cap = facts.explicitMax;
  if (cap !== undefined && cap.value > model.max_output_tokens) integerAboveMax(cap.param, cap.value, model.max_output_tokens);
}

export function chatBudget(prompt: Counted, model: ModelConfig, facts: GenerationFacts): TokenBudget {
  const perChoice = outputFor('messages', prompt, facts, model);
  return { promptTokens: prompt.tokens, maxOutputTokens: perChoice * facts.n, perCompletion: perChoice };
}

/** A Responses request: its input (earlier turns included) counted as the equivalent chat prompt. */
export function responsesBudget(prompt: Counted, model: ModelConfig, maxOutputTokens: number | undefined): TokenBudget {
  const facts: GenerationFacts = {
    stream: false,
    includeUsage: false,
    n: 1,
    explicitMax: maxOutputTokens === undefined ? undefined : { param: 'max_output_tokens', value: maxOutputTokens },
  };
  checkOutputCap(facts, model);
  const out = outputFor('input', prompt, facts, model);
  return { promptTokens: prompt.tokens, maxOutputTokens: out, perCompletion: out };
}

/** Each prompt of a batch is completed on its own, so each must fit the window on its own. */
export function completionBudget(prompts: readonly Counted[], model: ModelConfig, facts: CompletionFacts): TokenBudget {
  let promptTokens = 0;
  let perCandidate = 0;
  let perCompletion = Infinity;
  for (const p of prompts) {
    promptTokens += p.tokens;
    const out = outputFor('prompt', p, facts, model);
    perCandidate += out;
    perCompletion = Math.min(perCompletion, out);
  }
  return { promptTokens, maxOutputTokens: perCandidate * facts.candidates, perCompletion: Number.isFinite(perCompletion) ? perCompletion : 0 };
}

/** Each input is embedded on its own; the window bounds each input, not their sum. */
export function embeddingBudget(inputs: readonly Counted[], model: ModelConfig): TokenBudget {
  let promptTokens = 0;
  for (const c of inputs) {
    if (!c.exact || c.tokens > model.context_window) contextExceeded('input', c, model.context_window);
    promptTokens += c.tokens;
  }
  return { promptTokens, maxOutputTokens: 0, perCompletion: 0 };
}

/**
 * Output tokens of one completion of a `prompt`-token prompt: the explicit cap, or what the
 * model may produce in the room the context leaves. The window is judged per completion, not
 * times `n`: each choice is generated in its own context (OpenAI accepts n=2 with a cap that
 * fits once but not twice). A count that stopped early (not exact) is already above the window.
 */
function outputFor(noun: Noun, counted: Counted, facts: GenerationFacts, model: ModelConfig): number {
  const window = model.context_window;
  const prompt = counted.tokens;
  if (!counted.exact || prompt > window) contextExceeded(noun, counted, window);
  const cap = facts.explicitMax;
  if (cap === undefined) return Math.min(model.max_output_tokens, window - prompt);
  if (prompt + cap.value > window) {
    throw new ApiError(
      'context_length_exceeded_with_completion',
      { context_window: window, total_tokens: prompt + cap.value, prompt_tokens: prompt, completion_tokens: cap.value, noun },
      { param: noun },
    );
  }
  return cap.value;
}

/**
 * The prompt alone is over the window. When counting stopped early (or never started: its
 * length alone proved it), the message says "at least" the tokens counted, never a made-up total.
 */
function contextExceeded(noun: Noun, counted: Counted, window: number): never {
  const promptTokens = counted.exact ? counted.tokens : `at least ${counted.tokens}`;
  throw new ApiError('context_length_exceeded', { context_window: window, prompt_tokens: promptTokens, noun }, { param: noun });
}

/**
 * Prompt tokens and the output budget of a validated body, and the two limits they must fit:
 * the model's output cap and its context window. Counting uses tokens/count.ts, the same
 * functions the simulator and settlement use, so a reservation and a bill agree.
 * @module
 */
import type { ModelConfig } from '../config/types.js';
import { ApiError } from '../http/api-error.js';
import { countChatPrompt } from '../tokens/count.js';
import type { CompletionFacts } from './completions.js';
import { integerAboveMax } from './errors.js';
import type { GenerationFacts } from './generation.js';
import type { Obj } from './fields.js';
import { tokensPerPrompt } from './prompt-forms.js';

export interface TokenBudget {
  promptTokens: number;
  /** Worst-case output tokens of the whole request (all choices, all prompts). */
  maxOutputTokens: number;
}

type Noun = 'messages' | 'prompt' | 'input';

export function chatBudget(body: Obj, model: ModelConfig, facts: GenerationFacts): TokenBudget {
  checkOutputCap(facts, model);
  const tools = body.tools ?? body.functions ?? undefined;
  const promptTokens = countChatPrompt(body.messages as unknown[], tools);
  const perChoice = outputFor('messages', promptTokens, facts, model);
  return { promptTokens, maxOutputTokens: perChoice * facts.n };
}

/** Each prompt of a batch is completed on its own, so each must fit the window on its own. */
export function completionBudget(body: Obj, model: ModelConfig, facts: CompletionFacts): TokenBudget {
  checkOutputCap(facts, model);
  let promptTokens = 0;
  let perCandidate = 0;
  for (const tokens of tokensPerPrompt(body.prompt)) {
    promptTokens += tokens;
    perCandidate += outputFor('prompt', tokens, facts, model);
  }
  return { promptTokens, maxOutputTokens: perCandidate * facts.candidates };
}

/** Each input is embedded on its own; the window bounds each input, not their sum. */
export function embeddingBudget(body: Obj, model: ModelConfig): TokenBudget {
  let promptTokens = 0;
  for (const tokens of tokensPerPrompt(body.input)) {
    if (tokens > model.context_window) contextExceeded('input', tokens, model.context_window);
    promptTokens += tokens;
  }
  return { promptTokens, maxOutputTokens: 0 };
}

/**
 * An explicit cap above what the model can produce. OpenAI words it "max_tokens is too large:
 * X. This model supports at most Y completion tokens, whereas you provided X." (code
 * invalid_value), which the catalog lacks; the range entry says the same with the same param.
 */
function checkOutputCap(facts: GenerationFacts, model: ModelConfig): void {
  const cap = facts.explicitMax;
  if (cap !== undefined && cap.value > model.max_output_tokens) integerAboveMax(cap.param, cap.value, model.max_output_tokens);
}

/**
 * Output tokens of one completion of a `prompt`-token prompt: the explicit cap, or what the
 * model may produce in the room the context leaves. The window is judged per completion, not
 * times `n`: each choice is generated in its own context (OpenAI accepts n=2 with a cap that
 * fits once but not twice).
 */
function outputFor(noun: Noun, prompt: number, facts: GenerationFacts, model: ModelConfig): number {
  const window = model.context_window;
  if (prompt > window) contextExceeded(noun, prompt, window);
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

function contextExceeded(noun: Noun, prompt: number, window: number): never {
  throw new ApiError('context_length_exceeded', { context_window: window, prompt_tokens: prompt, noun }, { param: noun });
}

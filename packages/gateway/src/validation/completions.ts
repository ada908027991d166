/**
 * Type, range and value checks of a legacy /v1/completions body, then the checks that relate
 * two parameters. Required parameters and unknown names are judged before this runs.
 * @module
 */
import { integerBelowMin, onlyAllowedWhen } from './errors.js';
import { optBoolean, optInteger, optString, type Obj } from './fields.js';
import { checkGenerationParams, checkStreamOptionsNeedStream, type GenerationFacts } from './generation.js';
import { checkPromptForm } from './prompt-forms.js';
import { LIMITS } from './vocabulary.js';

export interface CompletionFacts extends GenerationFacts {
  /**
   * Completions generated per prompt: `best_of` when larger than `n`. OpenAI generates (and
   * bills) all `best_of` candidates and returns the best `n`.
   */
  candidates: number;
}

export function checkCompletionBody(body: Obj): CompletionFacts {
  // `prompt: null` is in the SDK's type (the model then starts a new document).
  if (body.prompt !== null) checkPromptForm(body.prompt, { name: 'prompt', allowEmptyString: true, maxItems: Infinity });
  const facts = checkGenerationParams(body);
  const bestOf = optInteger(body, 'best_of', '', LIMITS.best_of[0], LIMITS.best_of[1]);
  optBoolean(body, 'echo', '');
  optInteger(body, 'logprobs', '', LIMITS.completion_logprobs[0], LIMITS.completion_logprobs[1]);
  optString(body, 'suffix', '');

  checkStreamOptionsNeedStream(body, facts.stream);
  if (bestOf !== undefined) {
    // "best_of must be greater than n"; and its candidates "cannot be streamed".
    if (bestOf < facts.n) integerBelowMin('best_of', bestOf, facts.n);
    if (bestOf > 1 && facts.stream) onlyAllowedWhen('best_of', 'stream', 'disabled');
  }
  return { ...facts, candidates: Math.max(facts.n, bestOf ?? 1) };
}

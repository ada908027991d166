/**
 * Usage objects as engines send them and OpenAI's clients read them: the detail counts read from
 * either API's form, and a chat usage written in OpenAI's full shape. Shared by the relays, the
 * Responses translation and the simulator.
 * @module
 */
import type { Usage } from '@tollgate/protocol';

/**
 * The parts of a usage that OpenAI breaks out (parts of the totals, not added to them): input
 * read from and written to the prompt cache, and reasoning within the output.
 */
export interface UsageDetails {
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

export const NO_DETAILS: UsageDetails = { cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 };

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const detailCount = (x: unknown): number => (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : 0);

/**
 * The detail counts of an engine's usage object in either form: Chat Completions
 * (`prompt_tokens_details.cached_tokens`, `.cache_write_tokens`,
 * `completion_tokens_details.reasoning_tokens`) or Responses (`input_tokens_details`,
 * `output_tokens_details`, same names). A count that is absent or not a count is 0.
 */
export function usageDetails(u: unknown): UsageDetails {
  if (!isObj(u)) return NO_DETAILS;
  const input = isObj(u.input_tokens_details) ? u.input_tokens_details : isObj(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const output = isObj(u.output_tokens_details) ? u.output_tokens_details : isObj(u.completion_tokens_details) ? u.completion_tokens_details : {};
  return { cached_tokens: detailCount(input.cached_tokens), cache_write_tokens: detailCount(input.cache_write_tokens), reasoning_tokens: detailCount(output.reasoning_tokens) };
}

/**
 * A chat usage as OpenAI sends it: the totals and both detail objects, every detail count 0 —
 * for a usage whose parts nobody reported (the simulator's, which reads no prompt cache and
 * reasons in no hidden tokens, or one the gateway counted itself).
 */
export function chatWireUsage(u: Usage): Record<string, unknown> {
  return {
    ...u,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

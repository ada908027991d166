/**
 * The output bound a request was reserved for, sent upstream in the field the endpoint reads. A
 * request without a cap is reserved at the model's worst case; without this the upstream could
 * produce more than was reserved and settlement would pass the organization's hard limit.
 * A cap the caller set is kept as sent (it is what was reserved).
 * @module
 */
import type { ValidatedRequest } from '../validation/index.js';

const present = (v: unknown) => v !== undefined && v !== null;

export function withOutputBound(v: Pick<ValidatedRequest, 'endpoint' | 'body' | 'outputBound'>): Record<string, unknown> {
  const b = v.body;
  switch (v.endpoint) {
    case 'chat.completions':
      // `max_tokens` is the chat field every OpenAI-compatible engine reads (vLLM, llama.cpp, Ollama).
      return present(b.max_completion_tokens) || present(b.max_tokens) ? b : { ...b, max_tokens: v.outputBound };
    case 'completions':
      return present(b.max_tokens) ? b : { ...b, max_tokens: v.outputBound };
    case 'responses':
      // A translating engine turns this into the chat body's `max_tokens` (responses/to-chat.ts).
      return present(b.max_output_tokens) ? b : { ...b, max_output_tokens: v.outputBound };
    default:
      return b;
  }
}

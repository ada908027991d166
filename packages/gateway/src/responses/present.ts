/**
 * The gateway's view of a response an engine produced: the id Tollgate stores it under, the
 * model name the caller used (not the upstream's), and the settings only the gateway knows
 * (`store`, `previous_response_id`, `metadata`, the caller's own `instructions` and `user`), and
 * `max_output_tokens` as the caller sent it: the engine was sent the bound the request was reserved
 * for (pipeline/output-bound.ts), which OpenAI would echo as null when the caller set none.
 * @module
 */
import type { ResponsesTurn } from '../validation/index.js';
import type { ResponseObject } from './response-object.js';

export function presentResponse(r: Record<string, unknown>, turn: ResponsesTurn, id: string, createdAt: number, model: string): ResponseObject {
  const req = turn.request;
  return {
    ...(r as ResponseObject),
    id,
    object: 'response',
    created_at: createdAt,
    model,
    background: false,
    instructions: typeof req.instructions === 'string' ? req.instructions : null,
    previous_response_id: turn.previousResponseId,
    store: turn.store,
    metadata: req.metadata && typeof req.metadata === 'object' ? req.metadata : {},
    user: typeof req.user === 'string' ? req.user : null,
    max_output_tokens: typeof req.max_output_tokens === 'number' ? req.max_output_tokens : null,
    output: Array.isArray(r.output) ? (r.output as Record<string, unknown>[]) : [],
  };
}

import type { Logger } from 'pino';
import type { InferenceEndpoint } from '../upstream/engine.js';

/** The body field that carries the prompt, per endpoint. */
const PROMPT_FIELD: Record<InferenceEndpoint, 'messages' | 'prompt' | 'input'> = {
  'chat.completions': 'messages',
  completions: 'prompt',
  embeddings: 'input',
  responses: 'input',
};

/**
 * With `logging.log_prompts`, one `prompt` line per validated inference request: the request id,
 * the model and the prompt field as sent, nothing else of the body (no `user`, no metadata) and
 * never the caller's key. Off by default: prompts are the customers' data.
 */
export function logPrompt(log: Logger, enabled: boolean, endpoint: InferenceEndpoint, body: unknown, fields: { request_id: string; model: string }): void {
  if (!enabled) return;
  const field = PROMPT_FIELD[endpoint];
  log.info({ ...fields, [field]: (body as Record<string, unknown>)[field] }, 'prompt');
}

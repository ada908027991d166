/**
 * Models and a rejection helper shared by the validation tests (and reusable by HTTP-level
 * tests): the built-in default models plus a tiny-context one for context-length cases.
 */
import { renderErrorBody } from '@tollgate/protocol';
import { DEFAULT_MODELS, type ModelConfig, ApiError } from 'tollgate';
import type { InferenceEndpoint } from '../../src/upstream/engine.js';
import { validateInference, type ValidatedRequest } from '../../src/validation/index.js';

const small = DEFAULT_MODELS.find((m) => m.name === 'sim-small')!;
const embed = DEFAULT_MODELS.find((m) => m.name === 'sim-embed')!;

/** A chat model whose 60-token window a short prompt can overflow. */
export const TINY_CHAT: ModelConfig = { ...small, name: 'tiny-chat', context_window: 60, max_output_tokens: 40 };
/** An embedding model with a 10-token window. */
export const TINY_EMBED: ModelConfig = { ...embed, name: 'tiny-embed', context_window: 10 };

export const TEST_MODELS: readonly ModelConfig[] = [...DEFAULT_MODELS, TINY_CHAT, TINY_EMBED];

export function findTestModel(name: string): ModelConfig | undefined {
  return TEST_MODELS.find((m) => m.name === name);
}

export function validate(endpoint: InferenceEndpoint, body: unknown): ValidatedRequest {
  return validateInference(endpoint, body, findTestModel);
}

/** What a client sees for a rejected body: the status and the four fields of the error. */
export interface Rejection {
  status: number;
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export function render(err: ApiError): Rejection {
  const { error } = renderErrorBody(err.entry, err.vars, { publicUrl: 'http://gw', param: err.param });
  return { status: err.status, ...error };
}

/** The rendered rejection of `body`; fails the test when the body is accepted. */
export function rejection(endpoint: InferenceEndpoint, body: unknown): Rejection {
  try {
    validate(endpoint, body);
  } catch (err) {
    if (err instanceof ApiError) return render(err);
    throw err;
  }
  throw new Error(`accepted a body that should be rejected: ${JSON.stringify(body)}`);
}

/** A 400 invalid_request_error with the given code, param and message. */
export function bad(code: string | null, param: string | null, message: string): Rejection {
  return { status: 400, type: 'invalid_request_error', code, param, message };
}

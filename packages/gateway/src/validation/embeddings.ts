/**
 * Type, range and value checks of a /v1/embeddings body. Required parameters and unknown names
 * are judged before this runs; `dimensions` is judged again against the model once it is known.
 * @module
 */
import type { ModelConfig } from '../config/types.js';
import { ApiError } from '../errors/api-error.js';
import { integerAboveMax } from './errors.js';
import { optEnum, optInteger, optString, type Obj } from './fields.js';
import { checkPromptForm } from './prompt-forms.js';
import { ENCODING_FORMAT, LIMITS } from './vocabulary.js';

export function checkEmbeddingBody(body: Obj): void {
  checkPromptForm(body.input, { name: 'input', allowEmptyString: false, maxItems: LIMITS.embedding_inputs });
  optInteger(body, 'dimensions', '', 1, Infinity);
  optEnum(body, 'encoding_format', '', ENCODING_FORMAT);
  optString(body, 'user', '', LIMITS.user);
}

/** The length of the simulator's vectors when its model's config names none. */
export const SIMULATOR_EMBEDDING_DIMENSIONS = 1536;

/** OpenAI's embedding models: the length of their vectors, and whether `dimensions` can shorten them. */
const OPENAI_EMBEDDINGS: Readonly<Record<string, { size: number; accepts: boolean }>> = {
  'text-embedding-3-small': { size: 1536, accepts: true },
  'text-embedding-3-large': { size: 3072, accepts: true },
  'text-embedding-ada-002': { size: 1536, accepts: false },
};

export interface EmbeddingShape {
  /** The length of the model's vectors, the most `dimensions` may ask for; undefined: not known. */
  size: number | undefined;
  /** Whether a request may set `dimensions` at all. */
  acceptsDimensions: boolean;
}

/**
 * What the gateway knows of an embedding model's vectors: its config's `embedding_dimensions` and
 * `accepts_dimensions`, else OpenAI's own figures when the model (or the upstream model its first
 * deployment names) is one of OpenAI's, else the simulator's length on the simulator. An
 * OpenAI-compatible model of another name, with nothing configured, is not checked: its upstream
 * judges `dimensions` itself.
 */
export function embeddingShape(model: ModelConfig): EmbeddingShape {
  const known = OPENAI_EMBEDDINGS[model.name] ?? OPENAI_EMBEDDINGS[model.deployments[0]?.model ?? ''];
  const fallbackSize = known?.size ?? (model.provider === 'simulator' ? SIMULATOR_EMBEDDING_DIMENSIONS : undefined);
  return { size: model.embedding_dimensions ?? fallbackSize, acceptsDimensions: model.accepts_dimensions ?? known?.accepts ?? true };
}

/**
 * `dimensions` against the model (the body's own checks passed): refused on a model that cannot
 * shorten its vectors, in OpenAI's words for text-embedding-ada-002 (param and code null, as
 * observed), and above the model's length as any integer above its maximum is.
 */
export function checkEmbeddingDimensions(body: Obj, model: ModelConfig): void {
  const dimensions = body.dimensions;
  if (typeof dimensions !== 'number') return;
  const shape = embeddingShape(model);
  if (!shape.acceptsDimensions) throw new ApiError('dimensions_not_supported');
  if (shape.size !== undefined && dimensions > shape.size) integerAboveMax('dimensions', dimensions, shape.size);
}

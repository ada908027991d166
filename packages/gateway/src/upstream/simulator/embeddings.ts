/**
 * Embeddings: a deterministic unit vector per input. Values come from a PRNG seeded by the input
 * and the model seed; a shorter `dimensions` takes a prefix of the same sequence and renormalizes
 * it, like OpenAI's shortened text-embedding-3 vectors. Values are rounded to float32 so the
 * float and base64 encodings carry the same numbers.
 */
import type { Usage } from '@tollgate/protocol';
import type { ModelConfig } from '../../config/types.js';
import { countEmbeddingInput } from '../../tokens/count.js';
import { embeddingShape, SIMULATOR_EMBEDDING_DIMENSIONS } from '../../validation/embeddings.js';
import { mulberry32, seedFrom } from './random.js';

/** The length of a vector when neither the request nor the model's config sets one. */
export const DEFAULT_DIMENSIONS = SIMULATOR_EMBEDDING_DIMENSIONS;
/** Upper bound on `dimensions`, so one request cannot ask for an unbounded vector. */
export const MAX_DIMENSIONS = 16_384;

/** The inputs of a request: one string, strings, one token array, or token arrays. */
function inputs(input: unknown): unknown[] {
  if (Array.isArray(input) && input.length > 0 && !input.every((x) => typeof x === 'number')) return input;
  return [input ?? ''];
}

/** A unit-length (L2) vector of `dimensions` float32 values for one input. */
export function embed(input: unknown, dimensions: number, modelSeed: number): Float32Array {
  const rng = mulberry32(seedFrom('embedding', input, modelSeed));
  const v = new Float64Array(dimensions);
  // Gaussian components (Box–Muller) give directions spread evenly over the sphere.
  for (let i = 0; i < dimensions; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    const t = 2 * Math.PI * rng();
    v[i] = r * Math.cos(t);
    if (i + 1 < dimensions) v[i + 1] = r * Math.sin(t);
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  const out = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) out[i] = v[i]! / norm;
  return out;
}

/** float32 little-endian bytes in base64, as `encoding_format: "base64"` returns them. */
export function toBase64(v: Float32Array): string {
  const buf = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4);
  return buf.toString('base64');
}

/** The request's `dimensions`, else the model's length (`embedding_dimensions`, or OpenAI's for its names). */
export function dimensionsOf(body: Record<string, unknown>, model: ModelConfig): number {
  const d = body.dimensions;
  const own = Math.min(embeddingShape(model).size ?? DEFAULT_DIMENSIONS, MAX_DIMENSIONS);
  return typeof d === 'number' && Number.isInteger(d) && d >= 1 ? Math.min(d, MAX_DIMENSIONS) : own;
}

export function embeddingsAnswer(body: Record<string, unknown>, model: ModelConfig, counted?: number): { json: Record<string, unknown>; usage: Usage } {
  const dims = dimensionsOf(body, model);
  const base64 = body.encoding_format === 'base64';
  const data = inputs(body.input).map((input, index) => {
    const v = embed(input, dims, model.simulator.seed);
    return { object: 'embedding', index, embedding: base64 ? toBase64(v) : Array.from(v) };
  });
  const promptTokens = counted ?? countEmbeddingInput(body.input);
  const usage: Usage = { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens };
  return { json: { object: 'list', data, model: model.name, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }, usage };
}

/**
 * A bound on the nesting depth of a body. JSON.parse takes any depth, but JSON.stringify (the
 * token counter's and the forward stage's) overflows the stack near 10 000 levels, turning a
 * 60 KB body into a 500. api.openai.com cannot parse such a body either (its parser stops near
 * 1 000 levels) and answers with its invalid-JSON error, so that is the answer here too.
 * @module
 */
import { ApiError } from '../errors/api-error.js';

/** Far deeper than any real request (strict JSON schemas allow 10 levels), far from the stack. */
export const MAX_DEPTH = 512;

export function checkDepth(value: unknown): void {
  if (exceeds(value, MAX_DEPTH)) throw new ApiError('invalid_json');
}

/** Recursion is bounded by `budget`, so it needs no stack of its own and allocates nothing. */
function exceeds(value: unknown, budget: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (budget === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (exceeds(value[i], budget - 1)) return true;
    return false;
  }
  for (const key in value) if (exceeds((value as Record<string, unknown>)[key], budget - 1)) return true;
  return false;
}

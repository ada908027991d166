/**
 * Reading admin request bodies: a JSON object with known fields, USD amounts checked and turned
 * into pico-dollars, errors worded like OpenAI's validation errors.
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { readJsonBody } from '../http/body.js';
import type { RequestContext } from '../http/context.js';
import { usdToPico } from './pricing.js';

/** Largest USD amount accepted: its pico-dollars fit the 64-bit integer columns (2^63 p$ ≈ $9.22M). */
export const MAX_USD = 9_000_000;

export async function readObjectBody(ctx: RequestContext, maxBytes: number, known: readonly string[], opts: { optional?: boolean } = {}): Promise<Record<string, unknown>> {
  // An empty body on a POST that needs no fields (approve) is an empty object.
  if (opts.optional && (ctx.req.headers['content-length'] === '0' || (ctx.req.headers['content-length'] === undefined && ctx.req.headers['transfer-encoding'] === undefined))) return {};
  const body = await readJsonBody(ctx, maxBytes);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('invalid_body_type', { actual: body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}` });
  }
  const o = body as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length === 1) throw new ApiError('unrecognized_argument', { names: unknown[0]! });
  if (unknown.length > 1) throw new ApiError('unrecognized_arguments', { names: unknown.join(', ') });
  return o;
}

/** A USD amount field: undefined when absent, null when null and `nullable`, else pico-dollars. */
export function usdField(o: Record<string, unknown>, name: string, opts: { nullable: boolean; required?: boolean }): bigint | null | undefined {
  const v = o[name];
  if (v === undefined) {
    if (opts.required) throw new ApiError('missing_required_parameter', { param: name }, { param: name });
    return undefined;
  }
  if (v === null && opts.nullable) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ApiError('invalid_type', { param: name, expected: opts.nullable ? 'a number or null' : 'a number', actual: describe(v) }, { param: name });
  }
  if (v < 0) throw new ApiError('decimal_below_min_value', { param: name, min: 0, value: v }, { param: name });
  if (v > MAX_USD) throw new ApiError('decimal_above_max_value', { param: name, max: MAX_USD, value: v }, { param: name });
  return usdToPico(v);
}

/** A string field, trimmed; `maxLength` in characters. */
export function stringField(o: Record<string, unknown>, name: string, opts: { required: boolean; maxLength: number }): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) {
    if (opts.required) throw new ApiError('missing_required_parameter', { param: name }, { param: name });
    return undefined;
  }
  if (typeof v !== 'string') throw new ApiError('invalid_type', { param: name, expected: 'a string', actual: describe(v) }, { param: name });
  const s = v.trim();
  if (opts.required && s === '') throw new ApiError('missing_required_parameter', { param: name }, { param: name });
  if (s.length > opts.maxLength) throw new ApiError('string_above_max_length', { param: name, max: opts.maxLength, length: s.length }, { param: name });
  return s;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

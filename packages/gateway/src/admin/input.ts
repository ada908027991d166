import { ApiError } from '../errors/api-error.js';
import { readJsonBody } from '../http/body.js';
import type { RequestContext } from '../http/context.js';

/** How OpenAI names JSON types in "expected X, but got Y instead". */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(v) ? 'an integer' : 'a decimal';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}

export const typeError = (param: string, expected: string, value: unknown) => new ApiError('invalid_type', { param, expected, actual: typeName(value) }, { param });
export const missing = (param: string) => new ApiError('missing_required_parameter', { param }, { param });
export const badValue = (param: string, value: unknown, supported: string) => new ApiError('invalid_value', { value: String(value).slice(0, 200), supported }, { param });

function rejectUnknown(names: Iterable<string>, allowed: readonly string[]): void {
  const unknown = [...names].filter((n) => !allowed.includes(n));
  if (unknown.length === 1) throw new ApiError('unrecognized_argument', { names: unknown[0]! });
  if (unknown.length > 1) throw new ApiError('unrecognized_arguments', { names: unknown.join(', ') });
}

/**
 * The fields of a JSON object body, read with the checks every admin body needs: an object,
 * no unknown fields (typos fail loudly instead of being ignored), types and ranges named by
 * the offending parameter.
 */
export class Fields {
  private constructor(private readonly obj: Record<string, unknown>) {}

  static async fromBody(ctx: RequestContext, maxBytes: number, allowed: readonly string[]): Promise<Fields> {
    const body = await readJsonBody(ctx, maxBytes);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('invalid_body_type', { actual: typeName(body) });
    rejectUnknown(Object.keys(body), allowed);
    return new Fields(body as Record<string, unknown>);
  }

  /** The value as sent, for shapes the typed readers do not cover (nested objects). */
  raw(name: string): unknown {
    return this.obj[name];
  }

  has(name: string): boolean {
    return this.obj[name] !== undefined;
  }

  /** A non-empty string (trimmed); undefined when absent and not required. */
  string(name: string, opts: { required: true; max?: number }): string;
  string(name: string, opts?: { required?: false; max?: number }): string | undefined;
  string(name: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
    const v = this.obj[name];
    if (v === undefined || v === null) {
      if (opts.required) throw missing(name);
      if (v === null) throw typeError(name, 'a string', v);
      return undefined;
    }
    if (typeof v !== 'string') throw typeError(name, 'a string', v);
    const s = v.trim();
    if (s === '') {
      if (opts.required) throw missing(name);
      throw badValue(name, v, 'a non-empty string');
    }
    const max = opts.max ?? 256;
    if (s.length > max) throw new ApiError('string_above_max_length', { param: name, max, length: s.length }, { param: name });
    return s;
  }

  /** One of fixed values. */
  oneOf<T extends string>(name: string, values: readonly T[], opts: { required?: boolean } = {}): T | undefined {
    const v = this.obj[name];
    if (v === undefined) {
      if (opts.required) throw missing(name);
      return undefined;
    }
    if (typeof v !== 'string') throw typeError(name, 'a string', v);
    if (!(values as readonly string[]).includes(v)) throw badValue(name, v, values.map((x) => `'${x}'`).join(', '));
    return v as T;
  }

  /** An array of strings, or null when `nullable`; undefined when absent. */
  stringArray(name: string, opts: { nullable?: boolean; max?: number } = {}): string[] | null | undefined {
    const v = this.obj[name];
    if (v === undefined) return undefined;
    if (v === null) {
      if (opts.nullable) return null;
      throw typeError(name, 'an array of strings', v);
    }
    if (!Array.isArray(v)) throw typeError(name, opts.nullable ? 'an array of strings or null' : 'an array of strings', v);
    const max = opts.max ?? 1000;
    if (v.length > max) throw new ApiError('array_above_max_length', { param: name, max, length: v.length }, { param: name });
    return v.map((x, i) => {
      if (typeof x !== 'string') throw typeError(`${name}[${i}]`, 'a string', x);
      return x;
    });
  }

  /** An integer in [min, max], or null when `nullable`; undefined when absent. */
  integer(name: string, opts: { nullable?: boolean; min?: number; max?: number } = {}): number | null | undefined {
    const v = this.obj[name];
    if (v === undefined) return undefined;
    if (v === null) {
      if (opts.nullable) return null;
      throw typeError(name, 'an integer', v);
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(name, opts.nullable ? 'an integer or null' : 'an integer', v);
    const min = opts.min ?? 0;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    if (v < min) throw new ApiError('integer_below_min_value', { param: name, min, value: v }, { param: name });
    if (v > max) throw new ApiError('integer_above_max_value', { param: name, max, value: v }, { param: name });
    return v;
  }
}

/** Query-string parameters, with unknown names refused like unknown body fields. */
export function queryParams(ctx: RequestContext, allowed: readonly string[]): URLSearchParams {
  const q = new URLSearchParams(ctx.rawQuery);
  rejectUnknown(new Set(q.keys()), allowed);
  return q;
}

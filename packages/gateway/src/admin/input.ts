/**
 * Reading the JSON bodies and query strings of the admin APIs (identity, billing, the status
 * page, the organization Administration API), with the checks and the wording of the `/v1`
 * validator: an object, no unknown fields (typos fail loudly instead of being ignored), types
 * and ranges named by the offending parameter ("Invalid type for 'x': expected a decimal, but got
 * a string instead.").
 *
 * Unknown names are worded by the API they reach. OpenAI's Administration API
 * (`/v1/organization/...`) answers as its newer endpoints do, "Unknown parameter: 'x'." with code
 * `unknown_parameter` and `param` x: unverified for that API. The reference
 * (/work/shared/reference/openai-wire.md §2 (n), §7) has captures of `unknown_parameter` from
 * Responses, Images and Assistants and of "Unrecognized request argument supplied" from Chat
 * Completions only, and puts the split at "legacy Chat/Completions vs newer endpoints"; the
 * Administration API (2024) is of the newer ones, so it follows that lean. What OpenAI does with
 * an unknown name there is not on record; refusing it is safe only because every name the official
 * SDK's admin client sends is allowed where it sends it, with the nulls its types allow
 * (test/organization/sdk-parameters.test.ts). This gateway's own APIs (`/admin/v1`, the
 * console's, `/v1/invites/accept`) keep the older wording.
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { readJsonBody } from '../http/body.js';
import type { RequestContext } from '../http/context.js';
import { usdToPico } from '../billing/pricing.js';
import { describeValue } from '../validation/describe.js';
import { ORG_PREFIX } from '../organization/deps.js';

export const typeError = (param: string, expected: string, value: unknown) => new ApiError('invalid_type', { param, expected, actual: describeValue(value) }, { param });
export const missing = (param: string) => new ApiError('missing_required_parameter', { param }, { param });
export const badValue = (param: string, value: unknown, supported: string) => new ApiError('invalid_value', { value: String(value).slice(0, 200), supported }, { param });

/** Whether the request is to OpenAI's Administration API, whose unknown names are `unknown_parameter`. */
const isAdministrationApi = (ctx: RequestContext): boolean => ctx.path.startsWith(`${ORG_PREFIX}/`);

/** "Unknown parameter: 'path'." (code `unknown_parameter`, `param` the path). */
export const unknownParameter = (path: string) => new ApiError('unknown_parameter', { param: path }, { param: path });

function rejectUnknown(ctx: RequestContext, names: Iterable<string>, allowed: readonly string[]): void {
  const unknown = [...names].filter((n) => !allowed.includes(n));
  if (unknown.length > 0 && isAdministrationApi(ctx)) throw unknownParameter(unknown[0]!);
  if (unknown.length === 1) throw new ApiError('unrecognized_argument', { names: unknown[0]! });
  if (unknown.length > 1) throw new ApiError('unrecognized_arguments', { names: unknown.join(', ') });
}

/** Largest USD amount accepted: its pico-dollars fit the 64-bit integer columns (2^63 p$ ≈ $9.22M). */
export const MAX_USD = 9_000_000;

/** The fields of a JSON object body, each read by a typed accessor that throws the 400 to answer. */
export class Fields {
  private constructor(private readonly obj: Record<string, unknown>) {}

  /**
   * Reads the body: a JSON object whose keys are all in `allowed`. With `optional`, a request
   * without a body (a POST that needs no fields, such as an approval) reads as `{}`.
   */
  static async fromBody(ctx: RequestContext, maxBytes: number, allowed: readonly string[], opts: { optional?: boolean } = {}): Promise<Fields> {
    const h = ctx.req.headers;
    if (opts.optional && (h['content-length'] === '0' || (h['content-length'] === undefined && h['transfer-encoding'] === undefined))) return new Fields({});
    const body = await readJsonBody(ctx, maxBytes);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('invalid_body_type', { actual: describeValue(body) });
    rejectUnknown(ctx, Object.keys(body), allowed);
    return new Fields(body as Record<string, unknown>);
  }

  /** The value as sent, for shapes the typed readers do not cover (nested objects). */
  raw(name: string): unknown {
    return this.obj[name];
  }

  has(name: string): boolean {
    return this.obj[name] !== undefined;
  }

  /** The value as sent, for a reader of its own (a map of component statuses, a time). */
  get(name: string): unknown {
    return this.obj[name];
  }

  /**
   * A non-empty string (trimmed); undefined when absent and not required; null when null and
   * `nullable` (a parameter the official SDK types as `string | null`).
   */
  string(name: string, opts: { required: true; max?: number }): string;
  string(name: string, opts: { nullable: true; max?: number }): string | null | undefined;
  string(name: string, opts?: { required?: false; max?: number }): string | undefined;
  string(name: string, opts: { required?: boolean; nullable?: boolean; max?: number } = {}): string | null | undefined {
    const v = this.obj[name];
    if (v === undefined || v === null) {
      if (opts.required) throw missing(name);
      if (v === null && opts.nullable) return null;
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

  /** One of fixed values; with `nullable`, null reads as absent. */
  oneOf<T extends string>(name: string, values: readonly T[], opts: { required?: boolean; nullable?: boolean } = {}): T | undefined {
    const v = this.obj[name];
    if (v === undefined || (v === null && opts.nullable)) {
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

  /** A boolean; undefined when absent (or null). */
  boolean(name: string): boolean | undefined {
    const v = this.obj[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw typeError(name, 'a boolean', v);
    return v;
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

  /**
   * A USD amount (JSON number, OpenAI's "decimal") in [0, MAX_USD], as pico-dollars; null when
   * null and `nullable`; undefined when absent and not required.
   */
  usd(name: string, opts: { nullable: boolean; required?: boolean }): bigint | null | undefined {
    const v = this.obj[name];
    if (v === undefined) {
      if (opts.required) throw missing(name);
      return undefined;
    }
    if (v === null && opts.nullable) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(name, opts.nullable ? 'a decimal or null' : 'a decimal', v);
    if (v < 0) throw new ApiError('decimal_below_min_value', { param: name, min: 0, value: v }, { param: name });
    if (v > MAX_USD) throw new ApiError('decimal_above_max_value', { param: name, max: MAX_USD, value: v }, { param: name });
    const pico = usdToPico(v);
    // Amounts are kept in whole pico-dollars; one that rounds to nothing would become a limit of 0,
    // which refuses every request: refused instead.
    if (pico === 0n && v > 0) throw badValue(name, v, '0, or an amount of at least 0.000000000001 (one pico-dollar)');
    return pico;
  }
}

/**
 * An integer query parameter in [min, max] (default: from 0, no maximum); undefined when absent.
 * A query string carries text only, so a value that is not a whole number is OpenAI's "Invalid
 * type for 'limit': expected an integer, but got a string instead." Every admin query parameter
 * that takes an integer reads it here.
 */
export function queryInteger(q: URLSearchParams, name: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const text = raw.trim();
  if (!/^-?\d+$/.test(text)) throw typeError(name, 'an integer', raw);
  const v = Number(text);
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (v < min) throw new ApiError('integer_below_min_value', { param: name, min, value: v }, { param: name });
  if (v > max) throw new ApiError('integer_above_max_value', { param: name, max, value: Number.isSafeInteger(v) ? v : text }, { param: name });
  return v;
}

/** A boolean query parameter (`true` or `false`); undefined when absent. */
export function queryBoolean(q: URLSearchParams, name: string): boolean | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  if (raw !== 'true' && raw !== 'false') throw badValue(name, raw, "'true', 'false'");
  return raw === 'true';
}

/**
 * `GET …?optional=true`: the caller (the console) takes "there is none" as an answer, not an
 * error, and gets 204 with no body where the plain read is a 404 (or, for the session, a 401), so
 * a browser logs no failed request for it. Absent or `false`: the plain read. Another value: 400.
 */
export const optionalRead = (ctx: RequestContext): boolean => ctx.method === 'GET' && (queryBoolean(new URLSearchParams(ctx.rawQuery), 'optional') ?? false);

/** Query-string parameters, with unknown names refused like unknown body fields. */
export function queryParams(ctx: RequestContext, allowed: readonly string[]): URLSearchParams {
  const q = new URLSearchParams(ctx.rawQuery);
  rejectUnknown(ctx, new Set(q.keys()), allowed);
  return q;
}

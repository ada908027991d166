/**
 * How an HTTP upstream's failures become Tollgate's errors: two tables, one for answers (an HTTP
 * status and body) and one for transport failures (no answer at all), and the functions that
 * apply them. The tables are data so that the docs and the tests can walk them row by row.
 *
 * The rules behind them: a 4xx that is the caller's fault goes back
 * unchanged; our own credentials or account never surface as the caller's 401 or 429; overload
 * and server errors are tried on another deployment before the first byte; nothing becomes a 200.
 * @module
 */
import { formatDuration, HEADER, retryHeaders, type ErrorId } from '@tollgate/protocol';
import type { Timeouts } from '../../config/types.js';
import { ApiError } from '../../errors/api-error.js';
import type { BreakerOutcome } from '../breaker.js';

/**
 * passthrough: the caller's fault, sent back as the upstream said it;
 * retry_other: try another deployment (before the first byte), else throw `error`;
 * fail: throw `error` now; another deployment would not help.
 */
export type UpstreamAction = 'passthrough' | 'retry_other' | 'fail';

export interface UpstreamMapping {
  action: UpstreamAction;
  /** For retry_other, the error to throw when no deployment is left; for fail, the error. */
  error?: ApiError;
  /** passthrough only: the status and body to send to the caller. */
  status?: number;
  body?: unknown;
  /** What the deployment's circuit breaker hears (the row's `breaker`). */
  breaker: BreakerOutcome;
}

/** The `error` object of an OpenAI-style error body. */
export interface UpstreamErrorObject {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  param?: unknown;
}

export interface ErrorMapRow {
  /** What the row covers, in words (test names and docs). */
  readonly case: string;
  readonly matches: (status: number, error: UpstreamErrorObject | undefined) => boolean;
  readonly action: UpstreamAction;
  /**
   * The catalog id thrown; `overloaded` is `engine_overloaded` (429) or `server_is_overloaded`
   * (503) as `server.overload_status` says; null for passthrough.
   */
  readonly error: ErrorId | 'overloaded' | null;
  /** Carry the upstream's `retry-after-ms` / `retry-after` on the error. */
  readonly retryHint: boolean;
  /**
   * What the deployment's circuit breaker hears. Overload is `ignored`: a deployment that says
   * "busy, retry in 1 s" is healthy and short of capacity (other deployments and admission deal
   * with that); opening its breaker would turn a 1 s wait into `open_ms` of refusals.
   */
  readonly breaker: BreakerOutcome;
}

/** Statuses that say the request itself is wrong: any deployment would answer the same. */
export const CALLER_STATUSES: readonly number[] = [400, 404, 409, 413, 415, 422];

const isQuota = (e: UpstreamErrorObject | undefined) => e?.type === 'insufficient_quota' || e?.code === 'insufficient_quota';

/**
 * Answers, first matching row wins. A 2xx reaches this table only when its body is unusable: an
 * error object inside a 2xx is first given the status its type implies (`statusOfErrorObject`).
 */
export const ERROR_MAP: readonly ErrorMapRow[] = [
  {
    case: "the caller's fault: 400, 404, 409, 413, 415, 422",
    matches: (s) => CALLER_STATUSES.includes(s),
    action: 'passthrough',
    error: null,
    retryHint: false,
    breaker: 'success',
  },
  {
    case: 'our credentials rejected: 401, 403',
    matches: (s) => s === 401 || s === 403,
    action: 'fail',
    error: 'upstream_authentication_failed',
    retryHint: false,
    breaker: 'failure',
  },
  {
    case: 'our upstream account out of quota: 429 insufficient_quota, 402',
    matches: (s, e) => s === 402 || (s === 429 && isQuota(e)),
    action: 'fail',
    error: 'upstream_quota_exhausted',
    retryHint: false,
    breaker: 'failure',
  },
  {
    case: 'rate limited or overloaded: 429, 503',
    matches: (s) => s === 429 || s === 503,
    action: 'retry_other',
    error: 'overloaded',
    retryHint: true,
    breaker: 'ignored',
  },
  {
    // 408 is the upstream giving up on us, not the caller's fault.
    case: 'upstream failure: 500, 502, 504, any other 5xx, 408',
    matches: (s) => (s >= 500 && s < 600) || s === 408,
    action: 'retry_other',
    error: 'server_error',
    retryHint: false,
    breaker: 'failure',
  },
  {
    // Never turn an upstream 4xx into a 5xx: clients would retry a request that cannot succeed.
    case: 'any other 4xx: passed through',
    matches: (s) => s >= 400 && s < 500,
    action: 'passthrough',
    error: null,
    retryHint: false,
    breaker: 'success',
  },
  {
    case: 'no usable answer: 1xx, 3xx, a 2xx body that is not a JSON object',
    matches: () => true,
    action: 'retry_other',
    error: 'upstream_invalid_response',
    retryHint: false,
    breaker: 'failure',
  },
];

/**
 * Maps an upstream answer that is not a usable success. `body` is the parsed JSON, or the text
 * when it was not JSON. `nowMs` resolves an HTTP-date `retry-after`.
 */
export function mapUpstreamError(
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
  overloadStatus: 429 | 503,
  nowMs?: number,
): UpstreamMapping {
  const err = errorObjectOf(body);
  const effective = status >= 200 && status < 300 && err ? statusOfErrorObject(err) : status;
  const row = ERROR_MAP.find((r) => r.matches(effective, err))!;
  if (row.action === 'passthrough') return { action: 'passthrough', status: effective, body: envelope(body, effective), breaker: row.breaker };
  const id = row.error === 'overloaded' ? (overloadStatus === 429 ? 'engine_overloaded' : 'server_is_overloaded') : row.error!;
  const hint = row.retryHint ? retryHintMs(headers, nowMs) : undefined;
  return { action: row.action, error: new ApiError(id, {}, hint === undefined ? {} : { headers: retryHeaders(hint) }), breaker: row.breaker };
}

/** The headers a passed-through caller error carries: a retry cannot help. */
export const PASSTHROUGH_HEADERS: Readonly<Record<string, string>> = { [HEADER.shouldRetry]: 'false' };

export interface TransportMapRow {
  readonly case: string;
  readonly matches: (code: string) => boolean;
  readonly error: ErrorId;
  /** The deployment timeout named in the message, if the error is a timeout. */
  readonly timeout: keyof Timeouts | null;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
]);

/**
 * Failures without an answer (the error's `code`, from Node or undici). Every row is retried on
 * another deployment before the first byte and counts as a breaker failure; after the first byte
 * the error is thrown from the chunk iterator.
 */
export const TRANSPORT_ERROR_MAP: readonly TransportMapRow[] = [
  {
    case: 'connect timeout',
    matches: (c) => c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'ETIMEDOUT',
    error: 'upstream_connect_timeout',
    timeout: 'connect_ms',
  },
  {
    case: 'connection refused, reset or closed, DNS failure, host unreachable',
    matches: (c) => CONNECTION_CODES.has(c),
    error: 'upstream_connection_failed',
    timeout: null,
  },
  {
    case: 'not HTTP: the response could not be parsed',
    matches: (c) => c.startsWith('HPE_') || c === 'UND_ERR_INFO',
    error: 'upstream_invalid_response',
    timeout: null,
  },
  {
    case: 'anything else',
    matches: () => true,
    error: 'server_error',
    timeout: null,
  },
];

/** The catalog error for a transport failure (an ApiError given is returned as it is). */
export function mapTransportError(err: unknown, timeouts: Timeouts): ApiError {
  if (err instanceof ApiError) return err;
  const code = errorCode(err) ?? '';
  const row = TRANSPORT_ERROR_MAP.find((r) => r.matches(code))!;
  const vars: Record<string, string> = row.timeout ? { timeout: formatDuration(timeouts[row.timeout]) } : {};
  return new ApiError(row.error, vars, { cause: err });
}

/** The `code` of a Node/undici error, looking through `cause` and AggregateError (happy eyeballs). */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const x = e as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof x.code === 'string') return x.code;
    if (Array.isArray(x.errors) && x.errors.length > 0) e = x.errors[0];
    else e = x.cause;
  }
  return undefined;
}

/** The `error` object of a body (`{"error": {...}}`), if it has one. */
export function errorObjectOf(body: unknown): UpstreamErrorObject | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const e = (body as { error?: unknown }).error;
  if (e === null || e === undefined || e === false) return undefined;
  if (typeof e === 'string') return { message: e };
  return typeof e === 'object' && !Array.isArray(e) ? (e as UpstreamErrorObject) : { message: String(e) };
}

const str = (x: unknown) => (typeof x === 'string' ? x : '');

/**
 * The HTTP status an error object implies, for errors that arrive without one: inside a 2xx
 * body or as a `data: {"error": ...}` frame. A numeric `code` (Cloudflare, vLLM) wins.
 */
export function statusOfErrorObject(e: UpstreamErrorObject): number {
  const numeric = typeof e.code === 'number' ? e.code : Number.NaN;
  if (numeric >= 400 && numeric < 600) return numeric;
  if (isQuota(e)) return 429;
  const words = new Set([str(e.type), str(e.code)]);
  const has = (...w: string[]) => w.some((x) => words.has(x));
  if (has('rate_limit_exceeded', 'rate_limit_error', 'engine_overloaded', 'slow_down')) return 429;
  if (has('service_unavailable_error', 'server_is_overloaded', 'overloaded_error')) return 503;
  if (has('authentication_error', 'invalid_api_key')) return 401;
  if (has('permission_error', 'insufficient_permissions')) return 403;
  if (has('not_found_error', 'model_not_found')) return 404;
  if (has('invalid_request_error', 'context_length_exceeded', 'BadRequestError')) return 400;
  return 500;
}

/** The upstream's retry hint in milliseconds: `retry-after-ms` first, then `retry-after`. */
export function retryHintMs(headers: Record<string, string | string[] | undefined>, nowMs?: number): number | undefined {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const ms = Number(one(HEADER.retryAfterMs));
  if (one(HEADER.retryAfterMs) !== undefined && Number.isFinite(ms) && ms > 0) return ms;
  const after = one(HEADER.retryAfter)?.trim();
  if (!after) return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) {
    const s = Number(after);
    return s > 0 ? s * 1000 : undefined;
  }
  const at = Date.parse(after);
  if (nowMs === undefined || Number.isNaN(at)) return undefined;
  return at > nowMs ? at - nowMs : undefined;
}

const MAX_PASSTHROUGH_MESSAGE = 2000;

/**
 * The body a caller error is passed through with: unchanged when it is an OpenAI error envelope;
 * anything else (vLLM's flat errors, FastAPI's `detail`, an HTML page) is wrapped in one, because
 * the SDKs read only `error.*` and would otherwise report "<status> status code (no body)".
 */
function envelope(body: unknown, status: number): unknown {
  if (errorObjectOf(body) && typeof (body as { error: unknown }).error === 'object') return body;
  const flat = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const text = typeof body === 'string' ? body.trim() : '';
  const detail = flat?.detail;
  const message =
    str(flat?.message) ||
    (typeof detail === 'string' ? detail : detail === undefined ? '' : JSON.stringify(detail)) ||
    text.slice(0, MAX_PASSTHROUGH_MESSAGE) ||
    `The engine for this model rejected the request with HTTP ${status}.`;
  return {
    error: {
      message,
      type: 'invalid_request_error',
      param: typeof flat?.param === 'string' ? flat.param : null,
      code: typeof flat?.code === 'string' ? flat.code : null,
    },
  };
}

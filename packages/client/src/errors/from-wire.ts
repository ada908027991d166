/**
 * One function decides what an error response is: `errorFromWire`. The catalog entry (found by
 * status + type + code, and the message when needed) gives the class, `retryable` and the hint,
 * so the same 429 becomes a `RateLimitError`, an `InsufficientQuotaError`, an
 * `EngineOverloadedError` or a `RequestTooLargeError`. Errors the catalog does not know fall back
 * on their code and type where OpenAI's are well known, then on the status.
 * @module
 */
import { CATALOG, HEADER, type CatalogEntry, type Locale } from '@tollgate/protocol';
import { serverRetryDelayMs, statusLooksRetryable } from '../core/retry-policy.js';
import { findCatalogEntry } from './catalog-match.js';
import {
  APIError,
  AuthenticationError,
  ContextLengthExceededError,
  EngineOverloadedError,
  InsufficientQuotaError,
  InvalidRequestError,
  ModelNotFoundError,
  PermissionError,
  RateLimitError,
  RequestTooLargeError,
  ServiceUnavailableError,
  type ClientErrorKind,
  type ErrorInit,
  type SentRequest,
  type WireErrorObject,
} from './classes.js';

export interface WireError {
  /** HTTP status; undefined for an error frame inside a stream. */
  status: number | undefined;
  headers?: Headers | undefined;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  locale?: Locale | undefined;
  request?: SentRequest | undefined;
  nowMs?: number | undefined;
}

/**
 * Kinds where the same request can never succeed, whatever the server's headers say: those of
 * which no catalog entry is retryable (authentication, permission, invalid request, not found,
 * conflict, insufficient quota). For errors the catalog does not know, classified by kind alone.
 */
const HOPELESS: ReadonlySet<ClientErrorKind> = new Set(CATALOG.map((e) => e.kind).filter((kind) => !CATALOG.some((e) => e.kind === kind && e.retryable)));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The inner error object: `body.error`, or the body itself when it carries the fields at top level. */
export function errorObjectOf(body: unknown): WireErrorObject | undefined {
  if (!isObject(body)) return undefined;
  if (isObject(body.error)) return body.error as WireErrorObject;
  if (typeof body.error === 'string') return { message: body.error };
  if ('message' in body || 'type' in body || 'code' in body) return body as WireErrorObject;
  return undefined;
}

function messageOf(status: number | undefined, err: WireErrorObject | undefined, body: unknown): string {
  if (err) {
    if (typeof err.message === 'string' && err.message.length > 0) return err.message;
    if (err.message !== undefined && err.message !== null) return JSON.stringify(err.message);
    return JSON.stringify(err);
  }
  if (typeof body === 'string' && body.trim().length > 0) {
    const text = body.trim().replace(/\s+/g, ' ');
    return `${status ?? ''} ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`.trim();
  }
  return status === undefined ? 'An error occurred during streaming' : `${status} status code (no body)`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function fallbackKind(status: number | undefined, type: string | undefined, code: string | null | undefined, message: string): ClientErrorKind {
  if (type === 'insufficient_quota' || code === 'insufficient_quota') return 'insufficient_quota';
  if (code === 'engine_overloaded' || code === 'server_is_overloaded') return 'overloaded';
  if ((status === 429 || status === 503 || status === undefined) && /overloaded/i.test(message)) return 'overloaded';
  if (code === 'context_length_exceeded') return 'invalid_request';
  if (message.startsWith('Request too large')) return 'invalid_request';
  if (status === undefined) {
    if (type === 'invalid_request_error') return 'invalid_request';
    if (type === 'requests' || type === 'tokens' || type === 'rate_limit_error') return 'rate_limit';
    if (type === 'service_unavailable_error') return 'service_unavailable';
    if (type === 'server_error') return 'server';
    return 'unknown';
  }
  if (status === 404) return 'not_found';
  if (status === 400 || status === 413 || status === 415 || status === 422) return 'invalid_request';
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 429) return 'rate_limit';
  if (status === 502 || status === 503 || status === 504) return 'service_unavailable';
  if (status >= 500) return 'server';
  return 'unknown';
}

type ApiErrorClass = new (init: ErrorInit) => APIError;

function classFor(kind: ClientErrorKind, entry: CatalogEntry | undefined, status: number | undefined, code: string | null | undefined, message: string): ApiErrorClass {
  switch (kind) {
    case 'authentication':
      return AuthenticationError;
    case 'permission':
      return PermissionError;
    case 'invalid_request':
    case 'not_found':
    case 'conflict':
      if (code === 'context_length_exceeded') return ContextLengthExceededError;
      if (code === 'model_not_found') return ModelNotFoundError;
      if (entry ? entry.id === 'request_too_large' || entry.id === 'body_too_large' : status === 413 || message.startsWith('Request too large')) {
        return RequestTooLargeError;
      }
      return InvalidRequestError;
    case 'rate_limit':
      return RateLimitError;
    case 'insufficient_quota':
      return InsufficientQuotaError;
    case 'overloaded':
      return EngineOverloadedError;
    case 'service_unavailable':
    case 'timeout':
      return ServiceUnavailableError;
    default:
      return APIError;
  }
}

/** The typed error for an error response (or a mid-stream error frame, with `status` undefined). */
export function errorFromWire(w: WireError): APIError {
  const err = errorObjectOf(w.body);
  const message = messageOf(w.status, err, w.body);
  const type = str(err?.type);
  const code = err?.code === null ? null : str(err?.code);
  const param = err?.param === null ? null : str(err?.param);
  const entry = findCatalogEntry(w.status, type, code, message);
  const kind: ClientErrorKind = entry?.kind ?? fallbackKind(w.status, type, code, message);
  const Cls = classFor(kind, entry, w.status, code, message);

  const shouldRetry = w.headers?.get(HEADER.shouldRetry);
  let retryable: boolean;
  if (entry) retryable = entry.retryable && shouldRetry !== 'false';
  else if (HOPELESS.has(kind)) retryable = false;
  else retryable = w.status === undefined ? shouldRetry !== 'false' : statusLooksRetryable(w.status, w.headers);

  const rateLimited = kind === 'rate_limit' || w.status === 429;
  const retryAfterMs = serverRetryDelayMs(w.headers, w.nowMs ?? Date.now(), type, rateLimited);

  return new Cls({
    message,
    kind,
    retryable,
    status: w.status,
    type,
    code,
    param,
    headers: w.headers,
    requestID: w.headers?.get(HEADER.requestId) ?? undefined,
    entry,
    retryAfterMs,
    error: err,
    locale: w.locale,
    request: w.request,
  });
}

/** Parses a body text as JSON when it is JSON, else returns the text. */
export function parseBodyText(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

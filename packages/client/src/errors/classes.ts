/**
 * The error classes, named as in OpenAI's error guide. Every error the SDK throws is a
 * `TollgateError`; errors the API returned are `APIError`s, refined by the catalog entry they came
 * from. What an error *is* (its class, `retryable`, `hint`) is decided once, in `./from-wire.ts`
 * and `./transport.ts`; this file only holds the data and the shared behaviour.
 * @module
 */
import type { CatalogEntry, ErrorKind, Locale } from '@tollgate/protocol';
import { hintFor, type Hint } from './hints.js';
import type { StatusIncident } from './status-page.js';
import { buildSupportReport, type SupportContext, type SupportReport } from './support-report.js';

/** The catalog's kinds plus the failures that never reached (or never came back from) the API. */
export type ClientErrorKind = ErrorKind | 'connection' | 'client_timeout' | 'aborted' | 'unknown';

/** Why the client stopped retrying, when it did. */
export type RetryStop =
  | 'not_retryable'
  | 'max_retries'
  | 'retry_budget'
  | 'deadline'
  | 'retry_after_too_long'
  | 'aborted'
  | 'mid_stream';

/** The request an error belongs to, as it was sent (secrets are redacted only when reported). */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** The inner `error` object of an OpenAI error body, as received. */
export interface WireErrorObject {
  message?: unknown;
  type?: unknown;
  param?: unknown;
  code?: unknown;
  [key: string]: unknown;
}

export interface ErrorInit {
  message: string;
  kind: ClientErrorKind;
  retryable: boolean;
  status?: number | undefined;
  type?: string | undefined;
  code?: string | null | undefined;
  param?: string | null | undefined;
  headers?: Headers | undefined;
  requestID?: string | undefined;
  entry?: CatalogEntry | undefined;
  retryAfterMs?: number | undefined;
  error?: WireErrorObject | undefined;
  locale?: Locale | undefined;
  request?: SentRequest | undefined;
  cause?: unknown;
}

/** Base of everything this SDK throws. */
export class TollgateError extends Error {
  /** What kind of failure this is: the catalog entry's kind, or a client-side kind. */
  readonly kind: ClientErrorKind;
  /** HTTP status; undefined for connection errors, timeouts, aborts and mid-stream error frames. */
  readonly status: number | undefined;
  /** OpenAI's `type` field, e.g. `invalid_request_error`, `tokens`, `insufficient_quota`. */
  readonly type: string | undefined;
  /** OpenAI's `code` field (null when the server sent null). */
  readonly code: string | null | undefined;
  /** OpenAI's `param` field: which request parameter is at fault. */
  readonly param: string | null | undefined;
  /** Response headers, when there was a response. */
  readonly headers: Headers | undefined;
  /** `x-request-id` of the response: quote it to support. */
  readonly requestID: string | undefined;
  /** The catalog entry the error was recognised as, if any. */
  readonly entry: CatalogEntry | undefined;
  /** Whether sending the same request again can succeed. */
  readonly retryable: boolean;
  /** The server's retry hint in ms (`retry-after-ms`, `retry-after`, `x-ratelimit-reset-*`). */
  readonly retryAfterMs: number | undefined;
  /** The inner `error` object of the body, as received. */
  readonly error: WireErrorObject | undefined;
  /** The locale `hint` is given in. */
  readonly locale: Locale;
  /** When the error was raised. */
  readonly time: Date;
  /** The request, when the error came through this SDK's client. */
  request: SentRequest | undefined;
  /** How many attempts reached the network (1 = no retry). Set by the client. */
  attempts: number;
  /** Why the client did not retry further. Set by the client. */
  retryStop: RetryStop | undefined;
  /** The open status-page incident, for a server-side error. Set by the client. */
  statusIncident: StatusIncident | undefined;

  constructor(init: ErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param;
    this.headers = init.headers;
    this.requestID = init.requestID;
    this.entry = init.entry;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.error = init.error;
    this.locale = init.locale ?? 'en';
    this.time = new Date();
    this.request = init.request;
    this.attempts = 1;
    this.retryStop = undefined;
    this.statusIncident = undefined;
  }

  /** The catalog's cause and fix for this error, in the client's locale. */
  get hint(): Hint {
    return this.hintIn(this.locale);
  }

  /** The cause and fix in another locale. */
  hintIn(locale: Locale): Hint {
    const h = hintFor(this.entry, this.kind, locale);
    return this.statusIncident ? { ...h, incident: this.statusIncident } : h;
  }

  /**
   * What support needs for an error that persists (per the error guide): the model, the message
   * and code, the request data and headers with keys and secrets redacted, the time with its time
   * zone, and the request id. `context` fills in what the SDK could not see (e.g. the request of
   * an error that `classify()` converted from another SDK).
   */
  supportReport(context: SupportContext = {}): SupportReport {
    return buildSupportReport(this, context);
  }
}

/** The API answered with an error (an HTTP error status, or an error frame inside a stream). */
export class APIError extends TollgateError {}

/** The request itself is wrong: it will fail the same way until it is changed. */
export class InvalidRequestError extends APIError {}
/** The prompt (plus the requested output) is longer than the model's context. */
export class ContextLengthExceededError extends InvalidRequestError {}
/** No model of that name exists (or is visible to the caller). */
export class ModelNotFoundError extends InvalidRequestError {}
/** The request is larger than any limit allows (tokens over the whole TPM, or body bytes). */
export class RequestTooLargeError extends InvalidRequestError {}

/** The key is missing, wrong, revoked, or does not match the organization. */
export class AuthenticationError extends APIError {}
/** The key is valid but may not do this (missing scope, model not allowed). */
export class PermissionError extends APIError {}

/** A rate limit was hit: wait (see `retryAfterMs`) and try again. */
export class RateLimitError extends APIError {}
/** The spend quota is exhausted: retrying cannot help until the quota changes. */
export class InsufficientQuotaError extends RateLimitError {}

/** The service (or its engine) cannot take the request now; retrying later can succeed. */
export class ServiceUnavailableError extends APIError {}
/** The engine is overloaded (429 `engine_overloaded` or 503 `server_is_overloaded`). */
export class EngineOverloadedError extends ServiceUnavailableError {}

/** No HTTP response: refused, reset, DNS failure, TLS failure, or the body broke off. */
export class APIConnectionError extends TollgateError {}
/** The client's own timeout (per attempt, or the overall deadline) passed. */
export class Timeout extends APIConnectionError {}

/**
 * The caller aborted the request through its AbortSignal. Its `name` is `AbortError`, as fetch's
 * own abort error is named, so code that checks `err.name === 'AbortError'` keeps working.
 */
export class APIUserAbortError extends TollgateError {}

// Names survive minification this way (a bundler may rename the classes themselves).
const NAMES: [new (init: ErrorInit) => TollgateError, string][] = [
  [TollgateError, 'TollgateError'],
  [APIError, 'APIError'],
  [InvalidRequestError, 'InvalidRequestError'],
  [ContextLengthExceededError, 'ContextLengthExceededError'],
  [ModelNotFoundError, 'ModelNotFoundError'],
  [RequestTooLargeError, 'RequestTooLargeError'],
  [AuthenticationError, 'AuthenticationError'],
  [PermissionError, 'PermissionError'],
  [RateLimitError, 'RateLimitError'],
  [InsufficientQuotaError, 'InsufficientQuotaError'],
  [ServiceUnavailableError, 'ServiceUnavailableError'],
  [EngineOverloadedError, 'EngineOverloadedError'],
  [APIConnectionError, 'APIConnectionError'],
  [Timeout, 'Timeout'],
  [APIUserAbortError, 'AbortError'],
];
for (const [cls, name] of NAMES) Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });

/**
 * `classify(e)`: the same taxonomy for errors that did not come through this client — thrown by
 * the official `openai` SDK, a raw `Response`, or `{ status, headers, body }` — so teams that keep
 * the official SDK still get the class, `retryable` and `hint`.
 *
 * The official SDK's errors are recognised by shape and by the names of their classes (walking
 * the prototype chain), not by `instanceof`, so this package does not depend on `openai` and
 * works with any of its versions (v4 kept headers as a plain object, v5+ as `Headers`).
 * @module
 */
import type { Locale } from '@tollgate/protocol';
import { toHeaders, type HeadersLike } from '../core/headers.js';
import { TollgateError, type SentRequest } from './classes.js';
import { errorFromWire, parseBodyText } from './from-wire.js';
import { abortError, connectionError, timeoutError } from './transport.js';

export interface ClassifyOptions {
  locale?: Locale;
  /** The request, if known, for `supportReport()`. */
  request?: SentRequest;
}

/** A response described by hand. `body` is the parsed JSON or the raw text. */
export interface ResponseLike {
  status: number;
  headers?: HeadersLike | undefined;
  body?: unknown;
}

function classNames(e: object): string[] {
  const names: string[] = [];
  for (let p: unknown = Object.getPrototypeOf(e); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const ctor = (p as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === 'string') names.push(ctor.name);
  }
  return names;
}

const CONNECTION_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+|CERT_\w+|ERR_TLS\w*)$/;

function isConnectionFailure(e: Error): boolean {
  if (e instanceof TypeError && /fetch failed|network|Failed to fetch|Load failed|terminated/i.test(e.message)) return true;
  for (let cur: unknown = e, i = 0; cur && typeof cur === 'object' && i < 4; i++, cur = (cur as { cause?: unknown }).cause) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.test(code)) return true;
  }
  return false;
}

function isResponse(v: unknown): v is Response {
  return typeof Response !== 'undefined' && v instanceof Response;
}

function isResponseLike(v: unknown): v is ResponseLike {
  return typeof v === 'object' && v !== null && !(v instanceof Error) && typeof (v as { status?: unknown }).status === 'number';
}

/** Classifies a raw `Response` (reads its body). */
export function classify(value: Response, options?: ClassifyOptions): Promise<TollgateError>;
/** Classifies an error thrown by the official SDK, a `fetch` failure, or `{ status, headers, body }`. */
export function classify(value: unknown, options?: ClassifyOptions): TollgateError;
export function classify(value: unknown, options: ClassifyOptions = {}): TollgateError | Promise<TollgateError> {
  const { locale, request } = options;
  if (value instanceof TollgateError) return value;
  if (isResponse(value)) {
    return value.text().then((text) => errorFromWire({ status: value.status, headers: value.headers, body: parseBodyText(text), locale, request }));
  }
  if (isResponseLike(value)) {
    const body = typeof value.body === 'string' ? parseBodyText(value.body) : value.body;
    return errorFromWire({ status: value.status, headers: toHeaders(value.headers), body, locale, request });
  }
  if (value instanceof Error) {
    const names = classNames(value);
    if (names.includes('APIUserAbortError') || value.name === 'AbortError') return abortError(value, locale, request);
    if (names.includes('APIConnectionTimeoutError') || value.name === 'TimeoutError') return timeoutError(undefined, 'attempt', locale, request, value);
    if (names.includes('APIConnectionError')) return connectionError(value.cause ?? value, locale, request);
    const sdk = value as Error & { status?: unknown; headers?: unknown; error?: unknown };
    if ('status' in sdk && 'error' in sdk && (typeof sdk.status === 'number' || sdk.status === undefined)) {
      const headers = sdk.headers === undefined || sdk.headers === null ? undefined : toHeaders(sdk.headers as HeadersLike);
      const status = typeof sdk.status === 'number' ? sdk.status : undefined;
      // The SDK's `error` is the body's inner error object (v7.5: possibly the whole body).
      const body = sdk.error ?? (status === undefined ? { error: { message: sdk.message } } : undefined);
      return errorFromWire({ status, headers, body, locale, request });
    }
    if (isConnectionFailure(value)) return connectionError(value, locale, request);
  }
  const message = value instanceof Error ? value.message : typeof value === 'string' ? value : 'Unknown error';
  return new TollgateError({ message, kind: 'unknown', retryable: false, locale, request, cause: value });
}

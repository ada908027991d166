/**
 * Errors for requests that got no (complete) response: connection failures, the client's own
 * timeouts, and the caller's abort. fetch reports all three as a rejected promise; which one it
 * was is known only to whoever aborted, so the caller says.
 * @module
 */
import type { Locale } from '@tollgate/protocol';
import { APIConnectionError, APIUserAbortError, Timeout, type SentRequest } from './classes.js';

/** The most telling part of a fetch failure: Node puts the system error (ECONNREFUSED, ENOTFOUND) in `cause`. */
function describe(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
    if (typeof cur !== 'object') break;
    const o = cur as { message?: unknown; code?: unknown; cause?: unknown };
    const piece = [typeof o.code === 'string' ? o.code : '', typeof o.message === 'string' ? o.message : ''].filter(Boolean).join(' ');
    if (piece && !parts.includes(piece)) parts.push(piece);
    cur = o.cause;
  }
  return parts.join(': ');
}

export function connectionError(cause: unknown, locale?: Locale, request?: SentRequest): APIConnectionError {
  const detail = describe(cause);
  return new APIConnectionError({
    message: detail ? `Connection error: ${detail}` : 'Connection error.',
    kind: 'connection',
    retryable: true,
    locale,
    request,
    cause,
  });
}

export function timeoutError(ms: number | undefined, what: 'attempt' | 'deadline', locale?: Locale, request?: SentRequest, cause?: unknown): Timeout {
  const message =
    what === 'deadline' ? `Request timed out: the overall deadline of ${ms} ms passed.` : `Request timed out${ms === undefined ? '' : ` after ${ms} ms`}.`;
  // Retryable either way: with more time the same request can succeed. The loop itself stops at the deadline.
  return new Timeout({ message, kind: 'client_timeout', retryable: true, locale, request, cause });
}

export function abortError(reason: unknown, locale?: Locale, request?: SentRequest): APIUserAbortError {
  return new APIUserAbortError({ message: 'Request was aborted.', kind: 'aborted', retryable: false, locale, request, cause: reason });
}

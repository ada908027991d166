/**
 * What the usage ledger records of a request that failed: the status, error code and message the
 * caller was shown (the message as rendered, cut to the ledger's bound), so that a request lookup
 * answers "what happened to req_…?" with the caller's own words.
 * @module
 */
import { ApiError, UpstreamHttpError } from '../errors/api-error.js';
import { errorBody } from '../errors/render.js';
import { clip, MAX_ERROR_MESSAGE_CHARS } from '../usage/event.js';

export interface FailureRecord {
  status: number;
  errorCode: string;
  errorMessage: string | null;
}

/**
 * The record of `e`, thrown on the request path: a catalog error as rendered; an upstream's own
 * caller error (passed through as received) with its code and message; a client that went away
 * is 499 `client_disconnected`; anything else the 500 `server_error` the caller was sent.
 */
export function failureRecord(e: unknown, aborted: boolean, publicUrl: string): FailureRecord {
  if (e instanceof ApiError) return apiErrorRecord(e, publicUrl);
  if (e instanceof UpstreamHttpError) {
    const err = (e.body as { error?: { code?: unknown; type?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof err?.code === 'string' ? err.code : typeof err?.type === 'string' ? err.type : `upstream_${e.status}`;
    const message = typeof err?.message === 'string' ? err.message : typeof e.body === 'string' ? e.body : null;
    return { status: e.status, errorCode: code, errorMessage: clip(message, MAX_ERROR_MESSAGE_CHARS) };
  }
  if (aborted) return { status: 499, errorCode: 'client_disconnected', errorMessage: null };
  return apiErrorRecord(new ApiError('server_error'), publicUrl);
}

/** A catalog error as the caller saw it. */
export function apiErrorRecord(e: ApiError, publicUrl: string): FailureRecord {
  return { status: e.status, errorCode: e.entry.id, errorMessage: clip(errorBody(e, publicUrl).error.message, MAX_ERROR_MESSAGE_CHARS) };
}

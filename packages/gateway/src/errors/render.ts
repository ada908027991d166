/**
 * How an ApiError looks on the wire, in the two places it can go: a whole HTTP response, or the
 * last frame of a stream that already started (its status and headers are sent, so the error
 * can only travel in the body). Every writer of errors (the gateway's router and relays, the
 * node:http client-error hook, the simulator's server) renders through these two functions.
 * @module
 */
import { renderErrorBody, sseFrame, type ErrorBody } from '@tollgate/protocol';
import type { ApiError } from './api-error.js';

/** The JSON body `{"error":{"message","type","param","code"}}`; messages link to `publicUrl`'s docs. */
export function errorBody(err: ApiError, publicUrl: string): ErrorBody {
  return renderErrorBody(err.entry, err.vars, { publicUrl, param: err.param });
}

export interface ErrorResponse {
  status: number;
  /** The error's own headers (retry hints, rate-limit state, `x-should-retry: false`). */
  headers: Record<string, string>;
  body: ErrorBody;
}

/** An error as an HTTP response; the transport adds its own headers (request id, version, CORS). */
export function errorResponse(err: ApiError, publicUrl: string): ErrorResponse {
  return { status: err.status, headers: err.headers, body: errorBody(err, publicUrl) };
}

/**
 * The stream an error frame ends: Chat Completions and Completions (`data: {"error": ...}`), or
 * Responses (an `event: error` frame with `{type, code, message, param}`, `code` falling back
 * to the type when the entry has none).
 */
export type StreamFormat = 'chat' | 'responses';

/**
 * The frame that ends a stream which failed after it started; nothing (no `[DONE]`) follows it.
 * `sequenceNumber` numbers a Responses event where the writer numbers its events.
 */
export function streamErrorFrame(err: ApiError, publicUrl: string, format: StreamFormat = 'chat', sequenceNumber?: number): string {
  const body = errorBody(err, publicUrl);
  if (format === 'chat') return sseFrame(body);
  const b = body.error;
  const event: Record<string, unknown> = { type: 'error', code: b.code ?? b.type, message: b.message, param: b.param };
  if (sequenceNumber !== undefined) event.sequence_number = sequenceNumber;
  return sseFrame(event, 'error');
}

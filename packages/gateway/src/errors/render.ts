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
 * Responses (an `event: error` frame, see `responsesErrorEvent`).
 */
export type StreamFormat = 'chat' | 'responses';

/** The format of the stream a request to `path` (as routed) gets: Responses for POST /v1/responses. */
export function streamFormatOf(path: string): StreamFormat {
  return path === '/v1/responses' ? 'responses' : 'chat';
}

/**
 * The frame that ends a stream which failed after it started; nothing (no `[DONE]`) follows it.
 * `sequenceNumber` numbers a Responses event where the writer numbers its events.
 */
export function streamErrorFrame(err: ApiError, publicUrl: string, format: StreamFormat = 'chat', sequenceNumber?: number): string {
  const body = errorBody(err, publicUrl);
  if (format === 'chat') return sseFrame(body);
  return sseFrame(responsesErrorEvent(body, sequenceNumber), 'error');
}

/**
 * A Responses `error` event, in both shapes clients read. The published schema is flat (`type:
 * "error"`, `code`, `message`, `param`, `sequence_number`); OpenAI's own streams nest the error
 * under `error` as well (`{type, code, message, param}`: openai-node issue #1730 shows one from
 * api.openai.com, and openai-node reads `data.error ?? data`, openai-wire.md §5). The SDKs throw
 * an APIError only for the nested form (openai-node 6.x on any frame with a truthy `error`,
 * openai-python likewise); given only the flat one, openai-node 6.49's `responses.stream()`
 * rejects with the plain event object. `code` falls back to the type when the entry has none, as
 * OpenAI's in-stream `server_error` does.
 */
function responsesErrorEvent(body: ErrorBody, sequenceNumber?: number): Record<string, unknown> {
  const b = body.error;
  const code = b.code ?? b.type;
  const event: Record<string, unknown> = { type: 'error', code, message: b.message, param: b.param, error: { type: b.type, code, message: b.message, param: b.param } };
  if (sequenceNumber !== undefined) event.sequence_number = sequenceNumber;
  return event;
}

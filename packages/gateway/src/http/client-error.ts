import type { Socket } from 'node:net';
import { HEADER, OPENAI_VERSION, formatDuration } from '@tollgate/protocol';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors/api-error.js';
import { errorResponse } from '../errors/render.js';
import { newRequestId } from './context.js';

/** Node's default limit on the size of all request headers together. */
const MAX_HEADER_BYTES = 16 * 1024;

const REASON: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

export interface ClientErrorOptions {
  publicUrl: string;
  /** server.request_timeout_ms, named in the 408 message. */
  requestTimeoutMs: number;
  /** Times the answer's request id (newRequestId). */
  clock: Clock;
}

/**
 * Answers what node:http rejects before (or instead of) a handler (oversized headers, malformed
 * HTTP, a request not received within headersTimeout/requestTimeout) in the same OpenAI envelope
 * as every other error, instead of Node's bare status line, so clients still see a code, a message
 * and a request id. The socket is closed after the answer.
 */
export function onClientError(opts: ClientErrorOptions): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    const code = err.code;
    // A response of a handler already started on this socket: anything written now would corrupt
    // it; closing is the only signal left.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || code === 'ECONNRESET' || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const e =
      code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError('headers_too_large', { limit: MAX_HEADER_BYTES })
        : code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new ApiError('request_timeout', { timeout: formatDuration(opts.requestTimeoutMs) })
          : new ApiError('malformed_request', { reason: code ?? 'unreadable request' });
    const r = errorResponse(e, opts.publicUrl);
    const body = JSON.stringify(r.body);
    // This answer closes the connection, so it says `x-should-retry` either way.
    const shouldRetry = r.headers[HEADER.shouldRetry] ?? 'true';
    socket.end(
      `HTTP/1.1 ${r.status} ${REASON[r.status] ?? 'Bad Request'}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${newRequestId(opts.clock.now())}\r\n` +
        `openai-version: ${OPENAI_VERSION}\r\nx-should-retry: ${shouldRetry}\r\naccess-control-allow-origin: *\r\nconnection: close\r\n\r\n${body}`,
    );
    // end() waits for the peer to read; a client that stalls on purpose may not: do not let the
    // socket linger half-closed.
    socket.setTimeout(5_000, () => socket.destroy());
  };
}

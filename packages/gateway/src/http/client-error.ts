import type { Socket } from 'node:net';
import { OPENAI_VERSION, renderErrorBody } from '@tollgate/protocol';
import { ApiError } from './api-error.js';
import { newRequestId } from './context.js';

/** Node's default limit on the size of all request headers together. */
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Answers what node:http rejects before any handler runs (oversized headers, malformed HTTP) in
 * the same OpenAI envelope as every other error, instead of Node's bare status line, so clients
 * still see a code, a message and a request id.
 */
export function onClientError(publicUrl: string): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    if (!socket.writable || (err as { code?: string }).code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const code = (err as { code?: string }).code;
    const e = code === 'HPE_HEADER_OVERFLOW' ? new ApiError('headers_too_large', { limit: MAX_HEADER_BYTES }) : new ApiError('malformed_request', { reason: code ?? 'unreadable request' });
    const body = JSON.stringify(renderErrorBody(e.entry, e.vars, { publicUrl }));
    socket.end(
      `HTTP/1.1 ${e.status} ${code === 'HPE_HEADER_OVERFLOW' ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${newRequestId()}\r\n` +
        `openai-version: ${OPENAI_VERSION}\r\nx-should-retry: false\r\naccess-control-allow-origin: *\r\nconnection: close\r\n\r\n${body}`,
    );
  };
}

import type { ServerResponse } from 'node:http';
import { EXPOSED_HEADERS, HEADER, OPENAI_VERSION, SSE_DONE, sseFrame } from '@tollgate/protocol';
import type { ApiError } from '../errors/api-error.js';
import { errorResponse } from '../errors/render.js';
import type { RequestContext } from './context.js';
import { allowsCors } from './cors.js';

const EXPOSE = EXPOSED_HEADERS.join(', ');

/** Headers on every response: request id, version, processing time, CORS, and the stages' own. */
function writeHead(ctx: RequestContext, status: number, contentType: string, extra?: Record<string, string>): void {
  const res = ctx.res;
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader(HEADER.requestId, ctx.id);
  res.setHeader(HEADER.version, OPENAI_VERSION);
  res.setHeader(HEADER.processingMs, String(Number((process.hrtime.bigint() - ctx.start) / 1_000_000n)));
  if (allowsCors(ctx.path)) {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', EXPOSE);
  }
  for (const k in ctx.headers) res.setHeader(k, ctx.headers[k]!);
  if (extra) for (const k in extra) res.setHeader(k, extra[k]!);
}

export function sendJson(ctx: RequestContext, status: number, body: unknown, extra?: Record<string, string>): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  const text = JSON.stringify(body);
  writeHead(ctx, status, 'application/json', extra);
  ctx.res.setHeader('content-length', Buffer.byteLength(text));
  ctx.res.end(ctx.method === 'HEAD' ? undefined : text);
}

export function sendText(ctx: RequestContext, status: number, contentType: string, text: string): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  writeHead(ctx, status, contentType);
  ctx.res.setHeader('content-length', Buffer.byteLength(text));
  ctx.res.end(ctx.method === 'HEAD' ? undefined : text);
}

export function sendError(ctx: RequestContext, err: ApiError, publicUrl: string): void {
  const r = errorResponse(err, publicUrl);
  sendJson(ctx, r.status, r.body, r.headers);
}

/**
 * Starts an SSE response. Errors after this point can only be sent as `data: {"error":...}`.
 * `flush` sends the headers at once, for a server that has nothing to write yet (the simulator
 * before its first token); a relay that already holds its first frame passes false, so the
 * headers leave with that frame in one socket write instead of two.
 */
export function startStream(ctx: RequestContext, flush = true): void {
  writeHead(ctx, 200, 'text/event-stream; charset=utf-8', { 'cache-control': 'no-cache', connection: 'keep-alive' });
  if (flush) ctx.res.flushHeaders();
}

/** Writes one SSE data frame; returns false when the socket buffer is full (wait for 'drain'). */
export function writeEvent(ctx: RequestContext, data: unknown): boolean {
  return ctx.res.write(sseFrame(data));
}

/** Waits for a response's socket buffer to drain, or for the client to go away. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

export function endStream(ctx: RequestContext): void {
  if (!ctx.res.destroyed) ctx.res.end(SSE_DONE);
}

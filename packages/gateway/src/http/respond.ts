import type { ServerResponse } from 'node:http';
import { EXPOSED_HEADERS, HEADER, OPENAI_VERSION } from '@tollgate/protocol';
import type { ApiError } from '../errors/api-error.js';
import { errorResponse } from '../errors/render.js';
import type { RequestContext } from './context.js';
import { allowsCors } from './cors.js';

const EXPOSE = EXPOSED_HEADERS.join(', ');

/**
 * Headers on every response: request id, version, processing time, CORS, and the stages' own,
 * then `extra`; a later one replaces an earlier one of the same name (case-insensitive, as
 * setHeader would). Handed to res.writeHead in one object: setHeader per header cost more.
 */
function headersFor(ctx: RequestContext, contentType: string | undefined, extra?: Record<string, string>): Record<string, string> {
  const h: Record<string, string> = {
    [HEADER.requestId]: ctx.id,
    [HEADER.version]: OPENAI_VERSION,
    [HEADER.processingMs]: String(Number((process.hrtime.bigint() - ctx.start) / 1_000_000n)),
  };
  if (contentType !== undefined) h['content-type'] = contentType;
  if (allowsCors(ctx.path)) {
    h['access-control-allow-origin'] = '*';
    h['access-control-expose-headers'] = EXPOSE;
  }
  for (const k in ctx.headers) h[k.toLowerCase()] = ctx.headers[k]!;
  if (extra) for (const k in extra) h[k.toLowerCase()] = extra[k]!;
  return h;
}

export function sendJson(ctx: RequestContext, status: number, body: unknown, extra?: Record<string, string>): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  sendJsonText(ctx, status, JSON.stringify(body), extra);
}

/** `sendJson` of a body already serialized (an upstream answer relayed as it came). */
export function sendJsonText(ctx: RequestContext, status: number, text: string, extra?: Record<string, string>): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  const h = headersFor(ctx, 'application/json', extra);
  h['content-length'] = String(Buffer.byteLength(text));
  ctx.res.writeHead(status, h);
  ctx.res.end(ctx.method === 'HEAD' ? undefined : text);
}

/** 204 No Content: the headers every response carries, no body. */
export function sendNoContent(ctx: RequestContext): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  ctx.res.writeHead(204, headersFor(ctx, undefined)).end();
}

export function sendText(ctx: RequestContext, status: number, contentType: string, text: string): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  const h = headersFor(ctx, contentType);
  h['content-length'] = String(Buffer.byteLength(text));
  ctx.res.writeHead(status, h);
  ctx.res.end(ctx.method === 'HEAD' ? undefined : text);
}

/**
 * An error as an HTML page for a person, when the path is a page for people and the request asks
 * for HTML (the status page's own 404 in its style and language); undefined: the JSON error body.
 */
export type ErrorPage = (ctx: RequestContext, err: ApiError) => string | undefined;

export function sendError(ctx: RequestContext, err: ApiError, publicUrl: string, page?: ErrorPage): void {
  const r = errorResponse(err, publicUrl);
  const html = page?.(ctx, err);
  if (html === undefined) return sendJson(ctx, r.status, r.body, r.headers);
  Object.assign(ctx.headers, r.headers, { 'cache-control': 'no-store' });
  sendText(ctx, r.status, 'text/html; charset=utf-8', html);
}

/**
 * Starts an SSE response. Errors after this point can only be sent as `data: {"error":...}`.
 * `flush` sends the headers at once, for a server that has nothing to write yet (the simulator
 * before its first token); a relay that already holds its first frame passes false, so the
 * headers leave with that frame in one socket write instead of two (writeHead only stores them).
 */
export function startStream(ctx: RequestContext, flush = true): void {
  ctx.res.writeHead(200, headersFor(ctx, 'text/event-stream; charset=utf-8', { 'cache-control': 'no-cache', connection: 'keep-alive' }));
  if (flush) ctx.res.flushHeaders();
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


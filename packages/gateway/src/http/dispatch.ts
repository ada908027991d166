import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { isDependencyOutage, outageStoreOf } from '../store/outage.js';
import { FailureStreak, SUMMARY_EVERY_MS } from '../repeating-failure-log.js';
import { ApiError, UpstreamHttpError } from '../errors/api-error.js';
import { createContext, type RequestContext } from './context.js';
import { allowsCors } from './cors.js';
import { streamErrorFrame, streamFormatOf } from '../errors/render.js';
import { sendError, sendJson, type ErrorPage } from './respond.js';
import type { Router } from './router.js';

export interface DispatchOptions {
  publicUrl: string;
  /** Proxies in front whose X-Forwarded-For entries are trusted (0: none; see clientAddress). */
  trustedProxyHops: number;
  log: Logger;
  /** Stamps each request's arrival (RequestContext.startedAt). */
  clock: Clock;
  /** True while shutting down: responses ask the client to close the connection. */
  draining: () => boolean;
  /** Called once per request when the response is done (metrics). */
  onDone?: (ctx: RequestContext) => void;
  /**
   * The public URL's path when it has one (`/llm` for https://example.com/llm): a request whose
   * path starts with it is routed without it, so a reverse proxy may pass the prefix on or strip it.
   */
  pathPrefix?: string;
  /** Answers a request no route matched (the console's files); false: 404 as usual. */
  fallback?: (ctx: RequestContext) => Promise<boolean>;
  /** Errors on pages for people as HTML to a browser (unknown paths, failures of their routes). */
  errorPage?: ErrorPage;
}

/**
 * The `dependency unavailable` lines of routes without an outage policy of their own (the admin
 * API, the console): one streak per store (`database`, `Redis server`), so an outage logs its
 * first failure with the cause and then one summary a minute (`dependency still unavailable`,
 * with the requests refused since), not one line per request. These routes have no call that
 * tells when the store works again (the request path's OutageLog and /readyz do), so a streak
 * ends once a minute passes without a failure; the next failure starts a new one.
 */
export class DispatchOutageLog {
  private readonly streaks = new Map<string, FailureStreak>();

  constructor(
    private readonly clock: Clock,
    private readonly quietMs = SUMMARY_EVERY_MS,
  ) {}

  failed(log: Pick<Logger, 'warn'>, store: string, err: unknown, fields: Record<string, unknown>): void {
    let streak = this.streaks.get(store);
    if (!streak) this.streaks.set(store, (streak = new FailureStreak(this.clock, this.quietMs, this.quietMs)));
    const step = streak.failed();
    if (step.line === 'first') log.warn({ ...fields, store, err }, 'dependency unavailable');
    else if (step.line === 'summary') log.warn({ ...fields, store, failures: step.failures, failing_ms: step.failingMs, err }, 'dependency still unavailable');
  }
}

/**
 * `*` allows every request header but Authorization, which the Fetch standard requires by name
 * (a browser that follows it refuses the preflight otherwise; Chromium only warns): named, every
 * browser can send a bearer key.
 */
const PREFLIGHT_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': '*, authorization',
  'access-control-max-age': '86400',
};

/**
 * The node:http request listener: route, run the handler, render whatever it throws. Stage 1 of
 * the request path (route) lives here; every later stage runs inside a handler.
 */
export function createDispatcher(router: Router, opts: DispatchOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const prefix = opts.pathPrefix && opts.pathPrefix !== '/' ? opts.pathPrefix.replace(/\/+$/, '') : undefined;
  const outages = new DispatchOutageLog(opts.clock);
  // Read at each failure, not copied here: a server that learns its URL once listening (the
  // simulator on port 0) sets opts.publicUrl after this.
  const failWith = (ctx: RequestContext, e: unknown) => fail(ctx, e, { publicUrl: opts.publicUrl, log: opts.log, outages, ...(opts.errorPage ? { errorPage: opts.errorPage } : {}) });
  return (req, res) => {
    if (prefix && req.url !== undefined && (req.url === prefix || req.url.startsWith(`${prefix}/`) || req.url.startsWith(`${prefix}?`))) {
      req.url = req.url.slice(prefix.length) || '/';
      if (req.url.startsWith('?')) req.url = `/${req.url}`;
    }
    const ctx = createContext(req, res, opts.trustedProxyHops, opts.clock, opts.onDone);
    if (opts.draining()) res.setHeader('connection', 'close');
    if (ctx.method === 'OPTIONS') {
      // A preflight for the admin API gets no CORS grant, so the browser stops there.
      res.writeHead(204, allowsCors(ctx.path) ? PREFLIGHT_HEADERS : {}).end();
      return;
    }
    const m = router.match(ctx.method, ctx.path);
    if (m.kind === 'not_found') {
      const notFound = () => sendError(ctx, new ApiError('invalid_url', { method: ctx.method, path: ctx.path }), opts.publicUrl, opts.errorPage);
      if (!opts.fallback) return notFound();
      opts.fallback(ctx).then(
        (answered) => {
          if (!answered) notFound();
        },
        (e: unknown) => failWith(ctx, e),
      );
      return;
    }
    if (m.kind === 'method_not_allowed') {
      return sendError(ctx, new ApiError('method_not_allowed', { method: ctx.method, path: ctx.path, allowed: m.allowed.join(', ') }, { headers: { allow: m.allowed.join(', ') } }), opts.publicUrl, opts.errorPage);
    }
    ctx.params = m.params;
    ctx.route = m.route;
    try {
      const p = m.handler(ctx);
      if (p) p.catch((e: unknown) => failWith(ctx, e));
    } catch (e) {
      failWith(ctx, e);
    }
  };
}

export type FailOptions = Pick<DispatchOptions, 'publicUrl' | 'log' | 'errorPage'> & {
  /** Logs outages by streak, not one line per refused request. */
  outages: DispatchOutageLog;
};

/** Renders a thrown value: catalog errors as themselves, upstream passthroughs as received, anything else as a 500. */
export function fail(ctx: RequestContext, e: unknown, opts: FailOptions): void {
  const res = ctx.res;
  if (res.destroyed || res.writableEnded) return;
  if (res.headersSent) {
    // A stream already started: the only way left to tell the client is an error frame, in the
    // stream's own format (a Responses stream's `error` event, which SDKs throw as an APIError).
    const err = e instanceof ApiError ? e : new ApiError('server_error');
    if (!(e instanceof ApiError)) opts.log.error({ err: e, req_id: ctx.id }, 'request failed after the response started');
    res.end(streamErrorFrame(err, opts.publicUrl, streamFormatOf(ctx.path)));
    return;
  }
  if (e instanceof ApiError) {
    // A 500 made from an exception (an upstream call that failed in a way nothing classifies) is
    // a fault to look into, logged like any unexpected error; a 500 the catalog meant is not.
    if (e.entry.id === 'server_error' && e.cause !== undefined) opts.log.error({ err: e.cause, req_id: ctx.id, path: ctx.path }, 'unexpected error');
    return sendError(ctx, e, opts.publicUrl, opts.errorPage);
  }
  if (e instanceof UpstreamHttpError) return sendJson(ctx, e.status, e.body, { ...e.headers });
  if (ctx.clientGone.aborted) {
    res.destroy();
    return;
  }
  // The database or Redis is down (the admin API, any route without its own policy): a
  // retryable 503, never a 500 for something the caller can simply retry later.
  if (isDependencyOutage(e)) {
    const store = outageStoreOf(e);
    opts.outages.failed(opts.log, store, e, { req_id: ctx.id, path: ctx.path });
    return sendError(ctx, new ApiError('store_unavailable', { store }, { cause: e }), opts.publicUrl, opts.errorPage);
  }
  opts.log.error({ err: e, req_id: ctx.id, path: ctx.path }, 'unexpected error');
  sendError(ctx, new ApiError('server_error'), opts.publicUrl, opts.errorPage);
}

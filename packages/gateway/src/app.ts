/**
 * Assembles a gateway from a validated config: the store, the counters (memory or Redis), the
 * identity layer, the engines, the routes, and an HTTP server that drains on close.
 * Everything the world provides (clock, Redis, fetch, env, logger destination) is injectable.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream, Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { Config, ModelConfig } from './config/types.js';
import { onClientError } from './http/client-error.js';
import type { RequestContext } from './http/context.js';
import { createDispatcher } from './http/dispatch.js';
import { Router } from './http/router.js';
import { createLogger } from './logger.js';
import { inferenceHandler } from './pipeline/inference.js';
import { registerDocsRoutes } from './routes/docs.js';
import { registerResponseRoutes } from './responses/routes.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerModelRoutes } from './routes/models.js';
import { Metrics } from './status/metrics.js';
import { registerStatusRoutes, statusErrorPage } from './status/routes.js';
import { connectRedis, type RedisClient } from './redis-client.js';
import { buildServices, type Services } from './services.js';
import type { MailTransport } from './mail/mailer.js';

export interface GatewayDeps {
  clock?: Clock;
  env?: Record<string, string | undefined>;
  /** Where logs go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  logger?: Logger;
  fetch?: typeof fetch;
  /** A Redis (or Redis Cluster) client to use instead of connecting to config.redis. */
  redis?: RedisClient;
  /** Evaluate the status page on a timer (default true); tests call `services.status.tick()`. */
  statusAutoTick?: boolean;
  /** The console's built files (default packages/console/dist). */
  consoleDist?: string;
  /** Sends the e-mails instead of SMTP at smtp.url (which must still be set: it turns mail on). */
  mailTransport?: MailTransport;
}

export interface Gateway {
  readonly config: Config;
  readonly server: Server;
  readonly services: Services;
  readonly log: Logger;
  /** Starts listening; resolves with the bound URL. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Stops accepting, waits for in-flight requests (up to the grace period), flushes, closes;
   * resolves with what the drain did (every call, the same).
   */
  close(): Promise<DrainReport>;
}

/** What a gateway's close did with the requests it had. */
export interface DrainReport {
  /** Requests answered during the drain: those in flight when it began, and any sent on a connection still open meanwhile. */
  drained: number;
  /** Requests still in flight when the grace period (`server.shutdown_grace_ms`) ended: their connections were closed. */
  cut: number;
  /** From the start of the drain until the server had closed its last connection. */
  drainMs: number;
}

export async function createGateway(config: Config, deps: GatewayDeps = {}): Promise<Gateway> {
  const clock = deps.clock ?? systemClock;
  const env = deps.env ?? process.env;
  const log = deps.logger ?? createLogger(config.logging.level, deps.logDestination, { logPrompts: config.logging.log_prompts });
  const redis = deps.redis ?? (config.redis ? await connectRedis(config.redis, log) : undefined);
  const services = await buildServices(config, { clock, env, log, redis, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.statusAutoTick === undefined ? {} : { statusAutoTick: deps.statusAutoTick }), ...(deps.consoleDist ? { consoleDist: deps.consoleDist } : {}), ...(deps.mailTransport ? { mailTransport: deps.mailTransport } : {}) }).catch((e: unknown) => {
    // A failed start ends its process: the Redis client made here must not keep it alive.
    if (!deps.redis && redis) redis.disconnect();
    throw e;
  });
  const metrics = new Metrics();

  let draining = false;
  /** Requests received and not yet closed (the drain at close waits for them). */
  let inFlight = 0;
  /** Requests received in all (the drain counts those it answered by it). */
  let received = 0;
  const router = new Router();
  const pipeline = services.pipeline;
  router.on('POST', '/v1/chat/completions', inferenceHandler('chat.completions', pipeline));
  router.on('POST', '/v1/completions', inferenceHandler('completions', pipeline));
  router.on('POST', '/v1/embeddings', inferenceHandler('embeddings', pipeline));
  router.on('POST', '/v1/responses', inferenceHandler('responses', pipeline));
  if (pipeline.responses) registerResponseRoutes(router, { access: pipeline.access, store: pipeline.responses });
  registerModelRoutes(router, { models: config.models, access: pipeline.access });
  registerDocsRoutes(router, config.server.public_url);
  registerHealthRoutes(router, { checks: services.readinessChecks, reported: services.reportedChecks, draining: () => draining });
  registerMetricsRoute(router, metrics, config.secrets.metrics_token);
  services.registerAdmin(router);
  registerStatusRoutes(router, services.status, services.store);

  const dispatcher = createDispatcher(router, {
    publicUrl: config.server.public_url,
    pathPrefix: new URL(config.server.public_url).pathname,
    fallback: services.console.serveStatic,
    errorPage: statusErrorPage(services.status),
    trustedProxyHops: config.server.trust_proxy ? config.server.trusted_proxy_hops : 0,
    log,
    clock,
    draining: () => draining,
    onDone: (ctx) => {
      inFlight--;
      if (ctx.path.startsWith('/admin/')) services.status.observeAdmin(ctx.res.statusCode);
      const path = routeLabel(ctx);
      metrics.requestCell(path, ctx.res.statusCode).value++;
      metrics.latencyCell(path).observe(Number(process.hrtime.bigint() - ctx.start) / 1e9);
    },
  });
  const { request_timeout_ms: requestTimeout, headers_timeout_ms: headersTimeout } = config.server;
  const server = createServer(
    {
      keepAliveTimeout: 65_000,
      requestTimeout,
      headersTimeout,
      // How often node:http looks for requests past those bounds: a tenth of the shorter one, so
      // a stalled request is cut within 10% of its bound (Node's default looks every 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(Math.min(requestTimeout, headersTimeout) / 10))),
    },
    (req, res) => {
      inFlight++;
      received++;
      dispatcher(req, res);
    },
  );
  server.on('clientError', onClientError({ publicUrl: config.server.public_url, requestTimeoutMs: requestTimeout, clock }));
  services.registerMetrics(metrics);

  let closing: Promise<DrainReport> | undefined;
  return {
    config,
    server,
    services,
    log,
    listen(port = config.server.port, host = config.server.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          resolve(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
        });
      });
    },
    close() {
      closing ??= (async () => {
        draining = true;
        const start = { at: clock.now(), received, inFlight };
        let cut = 0;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            cut = inFlight;
            server.closeAllConnections();
          }, config.server.shutdown_grace_ms);
          timer.unref();
          // Keep-alive connections of requests that finish during the drain go idle one by one:
          // close each as it does, so the drain ends when the last request ends. Once nothing is
          // in flight, close every connection: a client may have opened one that never sends a
          // request (fetch does after an abort), which Node does not count as idle.
          const sweep = setInterval(() => {
            if (inFlight === 0) server.closeAllConnections();
            else server.closeIdleConnections();
          }, 50);
          server.close(() => {
            clearTimeout(timer);
            clearInterval(sweep);
            resolve();
          });
          server.closeIdleConnections();
        });
        const report: DrainReport = { drained: start.inFlight + (received - start.received) - cut, cut, drainMs: clock.now() - start.at };
        await services.close();
        if (!deps.redis && redis) redis.disconnect();
        return report;
      })();
      return closing;
    },
  };
}

/** Bounded label values for metrics: known routes by name, everything else as "other". */
/**
 * A request's `path` label: under /v1 the route that matched, as registered (`/v1/responses/{id}`,
 * `/v1/organization/projects/{project_id}`), else `other`; coarse groups for the rest. Never the
 * path itself: ids and made-up paths would each add a series, without bound.
 */
function routeLabel(ctx: RequestContext): string {
  const path = ctx.path;
  if (path.startsWith('/v1/')) return ctx.route ?? 'other';
  if (path.startsWith('/admin/')) return '/admin';
  if (path.startsWith('/api/v2/')) return '/api/v2';
  if (path === '/status' || path.startsWith('/status/')) return '/status';
  return ['/healthz', '/readyz', '/metrics', '/docs/errors'].includes(path) ? path : 'other';
}

export type { ModelConfig };

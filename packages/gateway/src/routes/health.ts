import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';

export interface Readiness {
  /** Name → check; a check resolves true when the dependency answers. Each one failing makes the instance not ready. */
  checks: Record<string, () => Promise<boolean>>;
  /** Checked and shown the same way, but never making the instance not ready (the database: see below). */
  reported?: Record<string, () => Promise<boolean>>;
  draining: () => boolean;
}

/**
 * /healthz: the process is alive (never depends on the database or Redis, so an outage there
 * does not get every instance restarted). /readyz: ready for traffic — not draining, and each
 * required dependency (Redis, without which no request can be counted) answering within a short
 * bound. The database is only reported: an instance serves the keys and limits it loaded through
 * an outage (`database.max_stale_ms`) and answers the rest with a retryable 503, and every
 * instance shares the outage, so taking them all out of the load balancer would only turn those
 * answers into refused connections.
 */
export function registerHealthRoutes(router: Router, r: Readiness): void {
  router.on('GET', '/healthz', (ctx) => sendJson(ctx, 200, { status: 'ok' }));
  router.on('GET', '/readyz', async (ctx) => {
    const results: Record<string, string> = {};
    let ok = !r.draining();
    const probe = async ([name, check]: [string, () => Promise<boolean>], required: boolean) => {
      const pass = await Promise.race([check().catch(() => false), new Promise<boolean>((res) => setTimeout(res, 1000, false).unref())]);
      results[name] = pass ? 'ok' : 'failing';
      if (!pass && required) ok = false;
    };
    await Promise.all([...Object.entries(r.checks).map((c) => probe(c, true)), ...Object.entries(r.reported ?? {}).map((c) => probe(c, false))]);
    sendJson(ctx, ok ? 200 : 503, { status: ok ? 'ready' : r.draining() ? 'draining' : 'not_ready', checks: results });
  });
}

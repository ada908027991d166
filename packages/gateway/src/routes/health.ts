import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';

export interface Readiness {
  /** Name → check; a check resolves true when the dependency answers. */
  checks: Record<string, () => Promise<boolean>>;
  draining: () => boolean;
}

/**
 * /healthz: the process is alive (never depends on the database or Redis, so an outage there
 * does not get every instance restarted). /readyz: ready for traffic — not draining, and each
 * dependency answering within a short bound.
 */
export function registerHealthRoutes(router: Router, r: Readiness): void {
  router.on('GET', '/healthz', (ctx) => sendJson(ctx, 200, { status: 'ok' }));
  router.on('GET', '/readyz', async (ctx) => {
    const results: Record<string, string> = {};
    let ok = !r.draining();
    await Promise.all(
      Object.entries(r.checks).map(async ([name, check]) => {
        const pass = await Promise.race([check().catch(() => false), new Promise<boolean>((res) => setTimeout(res, 1000, false).unref())]);
        results[name] = pass ? 'ok' : 'failing';
        if (!pass) ok = false;
      }),
    );
    sendJson(ctx, ok ? 200 : 503, { status: ok ? 'ready' : r.draining() ? 'draining' : 'not_ready', checks: results });
  });
}

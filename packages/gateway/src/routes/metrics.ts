import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors/api-error.js';
import { header, type RequestContext } from '../http/context.js';
import { sendText } from '../http/respond.js';
import type { Router } from '../http/router.js';
import { credentialFrom } from '../identity/bearer.js';
import type { Metrics } from '../status/metrics.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /metrics (Prometheus text format). With a metrics token configured (`metrics.token_env`,
 * TOLLGATE_METRICS_TOKEN by default) it answers only `Authorization: Bearer <token>`: the figures
 * (organizations' traffic, queue depths) are not for everyone who can reach the port. The token is
 * its own, so a scraper never holds the admin key. Compared in constant time.
 */
export function registerMetricsRoute(router: Router, metrics: Metrics, token: string | null): void {
  const expected = token === null ? null : sha256(token);
  router.on('GET', '/metrics', async (ctx: RequestContext) => {
    if (expected !== null) {
      const given = credentialFrom(header(ctx, 'authorization'));
      if (given === undefined || !timingSafeEqual(sha256(given), expected)) throw new ApiError('invalid_metrics_token');
    }
    sendText(ctx, 200, 'text/plain; version=0.0.4', await metrics.render());
  });
}

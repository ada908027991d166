/**
 * `GET /admin/v1/models`: every configured model with its live health, for the operator (the
 * console's Models page). A model's status is its status-page component's (what the page shows,
 * an incident's override included) next to the status the gateway's own signals computed and why;
 * each deployment of an OpenAI-compatible model reports its circuit breaker (`closed`, `open`,
 * `half_open`, the failures counted and when an open breaker lets a probe through). The simulator
 * has no deployments. The numbers are this instance's: breakers are kept per process.
 *
 * ```
 * GET /admin/v1/models   → {object: "list", data: [{object: "admin.model", id, type, provider,
 *                            status, automatic_status, status_reason, deployments: [...]}]}
 * ```
 * @module
 */
import type { Config } from '../config/types.js';
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { Snapshot } from '../status/page.js';
import type { Engine } from '../upstream/engine.js';
import { deploymentStatesOf } from '../upstream/engines.js';

export interface ModelHealthDeps {
  config: Pick<Config, 'models' | 'server'>;
  engines: ReadonlyMap<string, Engine>;
  /** The status page's components (one per model). */
  snapshot(): Promise<Snapshot>;
  requireAdmin(ctx: RequestContext): void | Promise<void>;
}

export function registerModelHealthRoute(router: Router, deps: ModelHealthDeps): void {
  router.on('GET', '/admin/v1/models', async (ctx) => {
    try {
      await deps.requireAdmin(ctx);
      sendJson(ctx, 200, { object: 'list', data: modelHealth(deps, await deps.snapshot()) });
    } catch (e) {
      if (e instanceof ApiError) return sendError(ctx, e, deps.config.server.public_url);
      throw e;
    }
  });
}

export function modelHealth(deps: Pick<ModelHealthDeps, 'config' | 'engines'>, s: Snapshot) {
  return deps.config.models.map((m) => {
    const c = s.components.find((x) => x.def.model === m.name);
    const weight = new Map(m.deployments.map((d) => [d.name, d.weight]));
    return {
      object: 'admin.model',
      id: m.name,
      type: m.type,
      provider: m.provider,
      status: c?.status ?? null,
      automatic_status: c?.automatic ?? null,
      status_reason: c?.reason ?? null,
      deployments: deploymentStatesOf(deps.engines.get(m.name)).map((d) => ({
        name: d.name,
        base_url: d.baseUrl,
        weight: weight.get(d.name) ?? null,
        breaker: {
          state: d.breaker.state,
          consecutive_failures: d.breaker.consecutiveFailures,
          window_calls: d.breaker.windowCalls,
          window_failures: d.breaker.windowFailures,
          opens: d.breaker.opens,
          retry_in_ms: d.breaker.retryInMs,
        },
        stream_options_refused: d.streamOptionsRefused,
      })),
    };
  });
}

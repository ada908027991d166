import type { ModelObject } from '@tollgate/protocol';
import type { ModelConfig } from '../config/types.js';
import { ApiError } from '../errors/api-error.js';
import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { AccessControl } from '../pipeline/types.js';

const toObject = (m: ModelConfig): ModelObject => ({ id: m.name, object: 'model', created: m.created, owned_by: m.owned_by });

/** GET /v1/models and /v1/models/{model}: the models this caller's organization may use. */
export function registerModelRoutes(router: Router, deps: { models: readonly ModelConfig[]; access: AccessControl }): void {
  const byName = new Map(deps.models.map((m) => [m.name, m]));
  router.on('GET', '/v1/models', async (ctx) => {
    const caller = await deps.access.authenticate(ctx);
    deps.access.requireScope(caller, ctx.method, ctx.path);
    const data: ModelObject[] = [];
    for (const m of deps.models) {
      try {
        deps.access.requireModel(caller, m.name);
        data.push(toObject(m));
      } catch {
        // not on this organization's allow-list: not listed
      }
    }
    sendJson(ctx, 200, { object: 'list', data });
  });
  router.on('GET', '/v1/models/:model', async (ctx) => {
    const caller = await deps.access.authenticate(ctx);
    deps.access.requireScope(caller, ctx.method, '/v1/models');
    const name = ctx.params.model!;
    const m = byName.get(name);
    if (!m) throw new ApiError('model_not_found', { model: name });
    deps.access.requireModel(caller, name);
    sendJson(ctx, 200, toObject(m));
  });
}

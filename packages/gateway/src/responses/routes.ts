/**
 * Stored responses: `GET /v1/responses/{id}`, `DELETE /v1/responses/{id}` and
 * `GET /v1/responses/{id}/input_items` (OpenAI's list shape, `limit` / `order` / `after` /
 * `before`). Only keys of the project (and organization) that created a response can see it,
 * within its retention: another project's id is not found, as on OpenAI.
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { AccessControl } from '../pipeline/types.js';
import { describeValue } from '../validation/describe.js';
import type { ResponseStore } from './store.js';

export function registerResponseRoutes(router: Router, deps: { access: AccessControl; store: ResponseStore }): void {
  router.on('GET', '/v1/responses/:id', async (ctx) => {
    const caller = await deps.access.authenticate(ctx);
    deps.access.requireScope(caller, ctx.method, ctx.path);
    sendJson(ctx, 200, await deps.store.get(caller, ctx.params.id!));
  });
  router.on('DELETE', '/v1/responses/:id', async (ctx) => {
    const caller = await deps.access.authenticate(ctx);
    deps.access.requireScope(caller, ctx.method, ctx.path);
    const id = ctx.params.id!;
    await deps.store.delete(caller, id);
    sendJson(ctx, 200, { id, object: 'response.deleted', deleted: true });
  });
  router.on('GET', '/v1/responses/:id/input_items', async (ctx) => {
    const caller = await deps.access.authenticate(ctx);
    deps.access.requireScope(caller, ctx.method, ctx.path);
    const q = new URLSearchParams(ctx.rawQuery);
    const limit = listLimit(q.get('limit'));
    const order = q.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw new ApiError('invalid_value', { value: order, supported: "'asc' and 'desc'" }, { param: 'order' });
    let items = await deps.store.inputItems(caller, ctx.params.id!);
    if (order === 'desc') items = items.reverse();
    const after = q.get('after');
    const before = q.get('before');
    if (after) items = items.slice(items.findIndex((i) => i.id === after) + 1);
    if (before) {
      const at = items.findIndex((i) => i.id === before);
      if (at >= 0) items = items.slice(0, at);
    }
    const data = items.slice(0, limit);
    sendJson(ctx, 200, {
      object: 'list',
      data,
      first_id: (data[0]?.id as string | undefined) ?? null,
      last_id: (data.at(-1)?.id as string | undefined) ?? null,
      has_more: items.length > limit,
    });
  });
}

/** `limit`: 1 to 100, default 20 (OpenAI's bounds). */
function listLimit(raw: string | null): number {
  if (raw === null) return 20;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new ApiError('invalid_type', { param: 'limit', expected: 'an integer', actual: describeValue(raw) }, { param: 'limit' });
  if (n < 1) throw new ApiError('integer_below_min_value', { param: 'limit', min: 1, value: n }, { param: 'limit' });
  if (n > 100) throw new ApiError('integer_above_max_value', { param: 'limit', max: 100, value: n }, { param: 'limit' });
  return n;
}

import { ApiError } from '../errors/api-error.js';
import { keyLimits } from '../limits/index.js';
import type { LimitOverride } from '../store/index.js';
import type { AdminDeps, AdminHandler } from './deps.js';
import { listOf } from './paging.js';
import { checkModel, readLimitOverride, replacedRow } from './rate-limits.js';
import { withLimitSeeds } from '../usage/limit-seeds.js';

/**
 * Per-key limits: optional limits on one API key, checked in the same atomic step as its
 * organization's (a request must fit both). Unset fields mean "no extra limit on this key".
 */
async function existingKey(deps: AdminDeps, keyId: string) {
  const key = await deps.store.apiKeys.get(keyId);
  if (!key) throw new ApiError('resource_not_found', { resource: 'API key', id: keyId });
  return key;
}

function keyLimitObject(keyId: string, model: string, rows: ReadonlyMap<string, LimitOverride>) {
  const effective = keyLimits(model, rows);
  return { object: 'api_key.rate_limit', id: `krl-${keyId}-${model}`, api_key_id: keyId, model, limited: effective !== undefined, ...(effective ?? {}), overrides: rows.get(model) ?? {} };
}

/** GET /admin/v1/keys/{key_id}/rate_limits */
export const listKeyRateLimits: AdminHandler = async (ctx, deps) => {
  const key = await existingKey(deps, ctx.params.key_id!);
  const rows = await deps.store.rateLimits.keyLimits(key.id);
  return { body: listOf(['*', ...deps.config.models.map((m) => m.name)].map((m) => keyLimitObject(key.id, m, rows)), false) };
};

/** PUT /admin/v1/keys/{key_id}/rate_limits/{model} {max_requests_per_1_minute?, ...}; an empty body removes them. */
export const setKeyRateLimit: AdminHandler = async (ctx, deps) => {
  const model = ctx.params.model!;
  const override = await readLimitOverride(ctx, deps);
  checkModel(deps, model);
  const key = await existingKey(deps, ctx.params.key_id!);
  // A field the key did not limit before starts from what the key used (usage/limit-seeds.ts).
  const before = await deps.store.rateLimits.keyLimits(key.id);
  const rows = await withLimitSeeds(
    deps.limitSeeds,
    key.orgId,
    { kind: 'key', keyId: key.id },
    deps.config.models.map((m) => m.name),
    { before: (m) => keyLimits(m, before), predicted: (m) => keyLimits(m, replacedRow(before, model, override)), actual: (after) => (m) => keyLimits(m, after) },
    async () => {
      await deps.store.rateLimits.setKeyLimit(key.id, model, override);
      await deps.identity.invalidate({ kind: 'key', keyId: key.id });
      return deps.store.rateLimits.keyLimits(key.id);
    },
  );
  deps.log?.info({ key_id: key.id, model, override }, 'key rate limit set');
  const body = keyLimitObject(key.id, model, rows);
  return { body, audit: { orgId: key.orgId, type: 'rate_limit.updated', objectId: body.id, projectId: key.projectId, details: { id: body.id, changes_requested: { api_key_id: key.id, model, ...override } } } };
};

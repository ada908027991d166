import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { isCountableLimit, LIMIT_WINDOWS_MS } from '../limits/bucket-math.js';
import { orgLimits } from '../limits/index.js';
import { isEmptyOverride, LIMIT_FIELDS, type LimitOverride, type Organization } from '../store/index.js';
import type { AdminDeps, AdminHandler } from './deps.js';
import { Fields } from './input.js';
import { liveOrganization } from './lookups.js';
import { rateLimitObject } from './objects.js';
import { listOf } from './paging.js';
import { withLimitSeeds } from '../usage/limit-seeds.js';

/**
 * The body of a limits PUT: OpenAI's four field names, each a number (the limit), null
 * (unlimited) or omitted; limits too fine to count exactly are refused here, not at request time.
 */
export async function readLimitOverride(ctx: RequestContext, deps: AdminDeps): Promise<LimitOverride> {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, LIMIT_FIELDS);
  const override: LimitOverride = {};
  for (const field of LIMIT_FIELDS) {
    const v = f.integer(field, { nullable: true, min: 0 });
    if (typeof v === 'number' && v > 0 && !isCountableLimit(v, LIMIT_WINDOWS_MS[field])) {
      throw new ApiError('invalid_value', { value: v, supported: 'a limit that can be counted exactly (a rounder number, e.g. a multiple of 1000)' }, { param: field });
    }
    if (v !== undefined) override[field] = v;
  }
  return override;
}

/** A configured model name, or `*` (every model). */
export function checkModel(deps: AdminDeps, model: string): void {
  if (model !== '*' && !deps.config.models.some((m) => m.name === model)) throw new ApiError('resource_not_found', { resource: 'model', id: model });
}

/** Rows after a PUT of `override` for `model` (which replaces the row; an empty one removes it). */
export function replacedRow(rows: ReadonlyMap<string, LimitOverride>, model: string, override: LimitOverride): Map<string, LimitOverride> {
  const out = new Map(rows);
  if (isEmptyOverride(override)) out.delete(model);
  else out.set(model, override);
  return out;
}

function objectFor(deps: AdminDeps, org: Organization, model: string, overrides: ReadonlyMap<string, LimitOverride>) {
  return rateLimitObject(model, org.tier, orgLimits(deps.config, org.tier, model, overrides), overrides.get(model) ?? {});
}

/** GET /admin/v1/organizations/{org_id}/rate_limits: effective limits per configured model. */
export const listRateLimits: AdminHandler = async (ctx, deps) => {
  const org = await liveOrganization(deps.store, ctx.params.org_id!);
  const overrides = await deps.store.rateLimits.orgOverrides(org.id);
  return { body: listOf(deps.config.models.map((m) => objectFor(deps, org, m.name, overrides)), false) };
};

/** GET /admin/v1/organizations/{org_id}/rate_limits/{model} */
export const getRateLimit: AdminHandler = async (ctx, deps) => {
  const model = ctx.params.model!;
  checkModel(deps, model);
  const org = await liveOrganization(deps.store, ctx.params.org_id!);
  return { body: objectFor(deps, org, model, await deps.store.rateLimits.orgOverrides(org.id)) };
};

/**
 * PUT /admin/v1/organizations/{org_id}/rate_limits/{model} — replaces the override: a field set
 * to a number is the limit, null is unlimited, an omitted field goes back to the tier's value
 * (an empty body removes the override).
 */
export const setRateLimit: AdminHandler = async (ctx, deps) => {
  const model = ctx.params.model!;
  const override = await readLimitOverride(ctx, deps);
  checkModel(deps, model);
  const org = await liveOrganization(deps.store, ctx.params.org_id!);
  // A field the organization did not limit before starts from what it used (usage/limit-seeds.ts).
  const before = await deps.store.rateLimits.orgOverrides(org.id);
  const limitsOf = (rows: ReadonlyMap<string, LimitOverride>) => (m: string) => orgLimits(deps.config, org.tier, m, rows);
  const rows = await withLimitSeeds(
    deps.limitSeeds,
    org.id,
    { kind: 'organization' },
    deps.config.models.map((m) => m.name),
    { before: limitsOf(before), predicted: limitsOf(replacedRow(before, model, override)), actual: limitsOf },
    async () => {
      await deps.store.rateLimits.setOrgOverride(org.id, model, override);
      await deps.identity.invalidate({ kind: 'org', orgId: org.id });
      return deps.store.rateLimits.orgOverrides(org.id);
    },
  );
  deps.log?.info({ org_id: org.id, model, override }, 'rate limit override set');
  const body = objectFor(deps, org, model, rows);
  return { body, audit: { orgId: org.id, type: 'rate_limit.updated', objectId: body.id, details: { id: body.id, changes_requested: { model, ...override } } } };
};

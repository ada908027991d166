/**
 * A project's limits through the Administration API: per-model rate limits (equal to or below
 * the organization's, as OpenAI requires), model permissions, and the monthly spend limits of
 * the organization (its own, at most the hard limit the operator approved) and of a project. Every change is announced like a revocation (effective at
 * the next request on every instance) and recorded in the audit log.
 *
 * ```
 * GET  /rate_limits?limit&after&before                       (Tollgate's: the organization's, with remaining_*)
 * GET  /projects/{project_id}/rate_limits?limit&after&before (rows carry Tollgate's remaining_*,
 *                                                           overridden_fields, organization_limits)
 * POST /projects/{project_id}/rate_limits/{rate_limit_id}   {max_requests_per_1_minute?, …} (null: the organization's again)
 * GET|POST|DELETE /projects/{project_id}/model_permissions  {mode, model_ids}
 * GET|POST|DELETE /spend_limit                              {threshold_amount, currency, interval}
 * GET|POST|DELETE /projects/{project_id}/spend_limit        (the same)
 * ```
 * Rate-limit ids are `rl-<model>`. A limit Tollgate does not keep (images, audio, batch) is
 * accepted in an update and not stored; an unlimited value reads as null. A project's row shows
 * the limit in effect for each field: the project's own where it set one (listed in Tollgate's
 * `overridden_fields`), else the organization's (Tollgate's `organization_limits` has all four).
 * An update with a field set to null removes the project's own value, so the organization's
 * applies again (OpenAI's API has no way to do that; its SDK sends a null given to it as null).
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { Fields, badValue } from '../admin/input.js';
import { deleteOwnSpendLimit, getOrgLimits, setOwnSpendLimit } from '../billing/org-limits.js';
import { keyLimits } from '../limits/limit-layers.js';
import { remainingOf, type Remaining } from '../limits/remaining.js';
import { withLimitSeeds } from '../usage/limit-seeds.js';
import { LIMIT_FIELDS, MODEL_PERMISSION_MODES, type LimitField, type LimitOverride } from '../store/index.js';
import type { OrgCaller, OrgDeps, OrgHandler } from './deps.js';
import { listQuery, notFound } from './list.js';
import { announce, pathProject } from './projects.js';
import { centsAtMost, THRESHOLD_FIELDS, thresholdAboveMax, thresholdObject, thresholdOf } from './threshold.js';

const RL_PREFIX = 'rl-';
/** OpenAI's fields Tollgate does not count: accepted in an update, not stored. */
const NOT_KEPT = ['max_images_per_1_minute', 'max_audio_megabytes_per_1_minute', 'batch_1_day_max_input_tokens'];

type Limits = Record<LimitField, number | null>;

async function effective(deps: OrgDeps, caller: OrgCaller, projectId: string, model: string): Promise<{ org: Limits; project: Limits; own: Limits | undefined }> {
  const l = await deps.identity.limits.resolveLimits(caller.org.id, caller.org.tier, model, undefined, projectId);
  const project = { ...l.org };
  for (const f of LIMIT_FIELDS) if (l.project && l.project[f] !== undefined) project[f] = pick(l.project[f], l.org[f]);
  return { org: l.org, project, own: l.project };
}

/** The fields a project sets itself for a model (its row for the model, or for every model). */
function overriddenFields(rows: ReadonlyMap<string, LimitOverride>, model: string): LimitField[] {
  const own = rows.get(model);
  const all = rows.get('*');
  return LIMIT_FIELDS.filter((f) => own?.[f] !== undefined || all?.[f] !== undefined);
}

/** A project's own value where it has one; the lower wins if the organization's was lowered since. */
function pick(own: number | null | undefined, org: number | null): number | null {
  if (own === undefined || own === null) return org;
  return org === null ? own : Math.min(own, org);
}

/**
 * After a change to limits: announced (every instance re-reads the organization at its next
 * request), then recorded in the audit log as `e.type` with its `changes_requested`.
 */
export async function limitsChanged(deps: OrgDeps, caller: OrgCaller, e: { type: string; objectId: string; projectId?: string }, changes: Record<string, unknown>): Promise<void> {
  await announce(deps, caller.org.id);
  await deps.audit.record(caller.actor, caller.org.id, { ...e, details: { id: e.objectId, changes_requested: changes } });
}

/** `project.rate_limit`, with Tollgate's `remaining_*` (when read), `overridden_fields` and `organization_limits`. */
function rateLimitObject(model: string, e: { org: Limits; project: Limits }, overridden: LimitField[], remaining?: Remaining) {
  return { object: 'project.rate_limit', id: `${RL_PREFIX}${model}`, model, ...e.project, ...remaining, overridden_fields: overridden, organization_limits: e.org };
}

/**
 * The configured models one page of a rate-limit list covers (`limit`, `after`, `before` over the
 * ids `rl-<model>`, in configuration order), and whether more follow.
 */
function modelPage(ctx: Parameters<OrgHandler>[0], deps: OrgDeps): { models: string[]; hasMore: boolean } {
  const { q } = listQuery(ctx, ['before']);
  const limit = Number(q.get('limit') ?? 100);
  const ids = deps.config.models.map((m) => `${RL_PREFIX}${m.name}`);
  let start = 0;
  let end = ids.length;
  const after = q.get('after');
  const before = q.get('before');
  if (after) start = ids.indexOf(after) + 1;
  if (before) end = Math.max(0, ids.indexOf(before));
  if ((after && start === 0) || (before && !ids.includes(before))) throw notFound('rate limit', (after || before)!);
  const models = deps.config.models.slice(start, end).slice(0, limit).map((m) => m.name);
  return { models, hasMore: start + models.length < end };
}

const listOf = <T extends { id: string }>(data: T[], hasMore: boolean) => ({ object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore });

/**
 * GET /projects/{project_id}/rate_limits — one row per configured model, in configuration order.
 * Tollgate adds `remaining_*` to each limit: what a request of this project may still take now
 * (its own bucket and the organization's, whichever has less; null = no limit), read from the
 * counters without changing them.
 */
export const listProjectRateLimits: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const { models, hasMore } = modelPage(ctx, deps);
  const rows = await deps.store.rateLimits.projectLimits(p.id);
  const data = await Promise.all(
    models.map(async (model) => {
      const e = await effective(deps, caller, p.id, model);
      const left = await remainingOf(deps.counters, { orgId: caller.org.id, model, org: e.org, project: { id: p.id, limits: e.own } });
      return rateLimitObject(model, e, overriddenFields(rows, model), left.project);
    }),
  );
  return { body: listOf(data, hasMore) };
};

/**
 * GET /rate_limits (Tollgate's; OpenAI lists rate limits per project only) — the organization's
 * effective limit per configured model (tier, then the operator's overrides) with `remaining_*`:
 * what is left of it now across all its projects and keys.
 */
export const listOrgRateLimits: OrgHandler = async (ctx, caller, deps) => {
  const { models, hasMore } = modelPage(ctx, deps);
  const data = await Promise.all(
    models.map(async (model) => {
      const { org } = await deps.identity.limits.resolveLimits(caller.org.id, caller.org.tier, model);
      const left = await remainingOf(deps.counters, { orgId: caller.org.id, model, org });
      return { object: 'organization.rate_limit', id: `${RL_PREFIX}${model}`, model, ...org, ...left.org };
    }),
  );
  return { body: listOf(data, hasMore) };
};

/**
 * POST /projects/{project_id}/rate_limits/{rate_limit_id} — each given value must be equal to or
 * below the organization's (400 naming the field otherwise); a null removes the project's own
 * value (the organization's applies again); the fields left out keep theirs.
 */
export const updateProjectRateLimit: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const id = ctx.params.rate_limit_id!;
  const model = id.startsWith(RL_PREFIX) ? id.slice(RL_PREFIX.length) : '';
  if (!deps.config.models.some((m) => m.name === model)) throw notFound('rate limit', id);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, [...LIMIT_FIELDS, ...NOT_KEPT]);
  const { org } = await effective(deps, caller, p.id, model);
  const changes: LimitOverride & Record<string, number> = {};
  const removed: LimitField[] = [];
  for (const field of LIMIT_FIELDS) {
    const orgValue = org[field];
    const v = f.integer(field, orgValue === null ? { nullable: true } : { nullable: true, max: orgValue });
    if (v === null) removed.push(field);
    else if (v !== undefined) changes[field] = v;
  }
  for (const field of NOT_KEPT) f.integer(field, { nullable: true });
  // A field the project did not limit before starts from what the project used (usage/limit-seeds.ts).
  const before = await deps.store.rateLimits.projectLimits(p.id);
  const predicted = new Map(before).set(model, mergedOverride(before.get(model), changes, removed));
  const rows = await withLimitSeeds(
    deps.limitSeeds,
    caller.org.id,
    { kind: 'project', projectId: p.id },
    [model],
    { before: (m) => keyLimits(m, before), predicted: (m) => keyLimits(m, predicted), actual: (after) => (m) => keyLimits(m, after) },
    async () => {
      // Only the fields given are written (one statement): a concurrent update of another field stays.
      await deps.store.rateLimits.mergeProjectLimit(p.id, model, changes, removed);
      await limitsChanged(deps, caller, { type: 'rate_limit.updated', objectId: id, projectId: p.id }, { ...changes, ...Object.fromEntries(removed.map((r) => [r, null])) });
      return deps.store.rateLimits.projectLimits(p.id);
    },
  );
  return { body: rateLimitObject(model, await effective(deps, caller, p.id, model), overriddenFields(rows, model)) };
};

/** A row after `mergeProjectLimit(changes, removed)`. */
function mergedOverride(row: LimitOverride | undefined, changes: LimitOverride, removed: readonly LimitField[]): LimitOverride {
  const out: LimitOverride = { ...row, ...changes };
  for (const f of removed) delete out[f];
  return out;
}

// ---- model permissions ----

/** GET /projects/{project_id}/model_permissions — none set reads as an empty deny list (every model). */
export const getModelPermissions: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const mp = p.modelPermissions ?? { mode: 'deny_list' as const, modelIds: [] };
  return { body: { object: 'project.model_permissions', mode: mp.mode, model_ids: mp.modelIds } };
};

/** POST /projects/{project_id}/model_permissions {mode, model_ids}: configured models only. */
export const setModelPermissions: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['mode', 'model_ids']);
  const mode = f.oneOf('mode', MODEL_PERMISSION_MODES, { required: true })!;
  const ids = f.stringArray('model_ids', { max: 1000 });
  if (ids === undefined || ids === null) throw new ApiError('missing_required_parameter', { param: 'model_ids' }, { param: 'model_ids' });
  const known = new Set(deps.config.models.map((m) => m.name));
  ids.forEach((m, i) => {
    if (!known.has(m)) throw badValue(`model_ids[${i}]`, m, 'the models of GET /v1/models');
  });
  const modelIds = [...new Set(ids)];
  await deps.store.projects.setModelPermissions(caller.org.id, p.id, { mode, modelIds });
  await limitsChanged(deps, caller, { type: 'project.updated', objectId: p.id, projectId: p.id }, { model_permissions: { mode, model_ids: modelIds } });
  return { body: { object: 'project.model_permissions', mode, model_ids: modelIds } };
};

/** DELETE /projects/{project_id}/model_permissions — every model the organization may use again. */
export const deleteModelPermissions: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  if (p.modelPermissions === null) return { body: { object: 'project.model_permissions.deleted', deleted: true } };
  await deps.store.projects.setModelPermissions(caller.org.id, p.id, null);
  await limitsChanged(deps, caller, { type: 'project.updated', objectId: p.id, projectId: p.id }, { model_permissions: null });
  return { body: { object: 'project.model_permissions.deleted', deleted: true } };
};

// ---- spend limits ----

async function spendLimitBody(ctx: Parameters<OrgHandler>[0], deps: OrgDeps): Promise<{ pico: bigint; cents: number }> {
  return thresholdOf(await Fields.fromBody(ctx, deps.config.server.max_body_bytes, THRESHOLD_FIELDS));
}

const spendLimitRequested = (cents: number) => ({ threshold_amount: cents, currency: 'USD', interval: 'month' });

function spendLimitObject(object: 'organization.spend_limit' | 'project.spend_limit', pico: bigint) {
  return { object, ...thresholdObject(pico), enforcement: { status: 'enforcing' } };
}

/*
 * The organization's spend limit is its own budget, kept apart from the hard limit the operator
 * approved (`/admin/v1/organizations/{org_id}/billing` `hard_limit_usd`, raised by approving a
 * quota request): an owner sets it at or below the approved limit and removes only it; requests
 * are refused above the lower of the two (billing/org-limits.ts). The approved limit is not part
 * of OpenAI's object: owners see it on the console's Limits page (GET /console/api/billing), and
 * a POST above it is the 400 that names it as the maximum.
 */

/** GET /spend_limit — the organization's own limit; 404 when it has none (whatever the approved limit). */
export const getOrgSpendLimit: OrgHandler = async (_ctx, caller, deps) => {
  const l = await getOrgLimits(deps.store, caller.org.id);
  if (!l || l.spendLimitPico === null) throw notFound('spend limit', caller.org.id);
  return { body: spendLimitObject('organization.spend_limit', l.spendLimitPico) };
};

/**
 * POST /spend_limit — sets the organization's own limit: at most the approved hard limit, else
 * 400 `integer_above_max_value` naming `threshold_amount` (checked again in the write itself, so
 * an approved limit lowered meanwhile is not passed either).
 */
export const setOrgSpendLimit: OrgHandler = async (ctx, caller, deps) => {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, THRESHOLD_FIELDS);
  const approved = (await getOrgLimits(deps.store, caller.org.id))?.hardLimitPico ?? null;
  const { pico, cents } = thresholdOf(f, approved === null ? {} : { maxCents: centsAtMost(approved) });
  const r = await setOwnSpendLimit(deps.store, caller.org.id, pico);
  if (r === undefined) throw notFound('organization', caller.org.id);
  if (!r.set) throw thresholdAboveMax(centsAtMost(r.approvedPico), cents);
  await limitsChanged(deps, caller, { type: 'organization.updated', objectId: caller.org.id }, { spend_limit: spendLimitRequested(cents) });
  return { body: spendLimitObject('organization.spend_limit', pico) };
};

/** DELETE /spend_limit — removes the organization's own limit; the approved hard limit stays. */
export const deleteOrgSpendLimit: OrgHandler = async (_ctx, caller, deps) => {
  const r = await deleteOwnSpendLimit(deps.store, caller.org.id);
  if (r === undefined) throw notFound('organization', caller.org.id);
  // Deleting what is not there changes nothing: the same answer, and nothing for the audit log.
  if (r === 'removed') await limitsChanged(deps, caller, { type: 'organization.updated', objectId: caller.org.id }, { spend_limit: null });
  return { body: { object: 'organization.spend_limit.deleted', deleted: true } };
};

/*
 * A project's spend limit is a third amount, reserved in the same atomic step as the
 * organization's enforced limit and counted in the organization's spend: set above the
 * organization's, it cannot let the project spend past it, and the organization's owners set both
 * (no one below them can raise anything with it). So it is kept as set, as OpenAI documents
 * organization and project spend limits each applying at its own level; unlike a project's rate
 * limits, which OpenAI requires at or below the organization's.
 */

/** GET /projects/{project_id}/spend_limit */
export const getProjectSpendLimit: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  if (p.spendLimitPico === null) throw notFound('spend limit', p.id);
  return { body: spendLimitObject('project.spend_limit', p.spendLimitPico) };
};

/** POST /projects/{project_id}/spend_limit */
export const setProjectSpendLimit: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const { pico, cents } = await spendLimitBody(ctx, deps);
  await deps.store.projects.setSpendLimit(caller.org.id, p.id, pico);
  await limitsChanged(deps, caller, { type: 'project.updated', objectId: p.id, projectId: p.id }, { spend_limit: spendLimitRequested(cents) });
  return { body: spendLimitObject('project.spend_limit', pico) };
};

/** DELETE /projects/{project_id}/spend_limit */
export const deleteProjectSpendLimit: OrgHandler = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  if (p.spendLimitPico === null) return { body: { object: 'project.spend_limit.deleted', deleted: true } };
  await deps.store.projects.setSpendLimit(caller.org.id, p.id, null);
  await limitsChanged(deps, caller, { type: 'project.updated', objectId: p.id, projectId: p.id }, { spend_limit: null });
  return { body: { object: 'project.spend_limit.deleted', deleted: true } };
};

/**
 * Spend alerts through the Administration API: thresholds on the month's spend of the
 * organization or of one project that notify (billing/spend-alerts.ts) without blocking anything.
 * OpenAI's paths and objects (`organization.spend_alert`, `project.spend_alert`):
 *
 * ```
 * POST   /spend_alerts                    {threshold_amount, currency: USD, interval: month,
 *                                          notification_channel: {type: email, recipients[], subject_prefix?}}
 * GET    /spend_alerts?limit&after&before&order
 * GET    /spend_alerts/{alert_id}
 * POST   /spend_alerts/{alert_id}         (the same body: the alert is replaced)
 * DELETE /spend_alerts/{alert_id}
 * ...    /projects/{project_id}/spend_alerts[/{alert_id}]   (the same, for one project)
 * ```
 * `threshold_amount` is in cents. Every change is announced (the request path of every instance
 * checks the new thresholds at its next request) and recorded in the audit log as
 * `organization.updated` / `project.updated` with the alert in `changes_requested.spend_alert`.
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { Fields, badValue, typeError, unknownParameter } from '../admin/input.js';
import { EMAIL } from '../admin/users.js';
import { currentPeriod } from '../billing/period.js';
import type { AlertScope, SpendAlert, SpendAlertInput } from '../store/index.js';
import type { OrgCaller, OrgDeps, OrgHandler } from './deps.js';
import { found, listBody, listQuery, notFound, orderParam } from './list.js';
import { deletedObject } from './objects.js';
import { limitsChanged } from './project-limits.js';
import { pathProject } from './projects.js';
import { THRESHOLD_FIELDS, thresholdObject, thresholdOf } from './threshold.js';

const CHANNEL = 'notification_channel';
const MAX_RECIPIENTS = 50;

type Kind = 'organization' | 'project';

/** `organization.spend_alert` / `project.spend_alert`. */
export function spendAlertObject(kind: Kind, a: SpendAlert) {
  return {
    object: `${kind}.spend_alert`,
    id: a.id,
    ...thresholdObject(a.thresholdPico),
    notification_channel: { type: 'email', recipients: a.recipients, subject_prefix: a.subjectPrefix },
  };
}

/** `notification_channel`: `{type: "email", recipients: [1..50 addresses], subject_prefix?}`; 400 naming the nested field. */
function channelOf(raw: unknown): { recipients: string[]; subjectPrefix: string | null } {
  if (raw === undefined || raw === null) throw new ApiError('missing_required_parameter', { param: CHANNEL }, { param: CHANNEL });
  if (typeof raw !== 'object' || Array.isArray(raw)) throw typeError(CHANNEL, 'an object', raw);
  const { type, recipients, subject_prefix: prefix, ...extra } = raw as Record<string, unknown>;
  const unknown = Object.keys(extra);
  if (unknown.length) throw unknownParameter(`${CHANNEL}.${unknown[0]}`);
  if (type !== 'email') throw badValue(`${CHANNEL}.type`, type, "'email'");
  if (!Array.isArray(recipients) || recipients.length === 0) throw typeError(`${CHANNEL}.recipients`, 'a non-empty array of email addresses', recipients);
  if (recipients.length > MAX_RECIPIENTS) throw new ApiError('array_above_max_length', { param: `${CHANNEL}.recipients`, max: MAX_RECIPIENTS, length: recipients.length }, { param: `${CHANNEL}.recipients` });
  const emails = recipients.map((r: unknown, i) => {
    const v = typeof r === 'string' ? r.trim().toLowerCase() : r;
    if (typeof v !== 'string' || v.length > 320 || !EMAIL.test(v)) throw badValue(`${CHANNEL}.recipients[${i}]`, r, 'an email address');
    return v;
  });
  if (prefix !== undefined && prefix !== null && (typeof prefix !== 'string' || prefix.length > 100)) throw typeError(`${CHANNEL}.subject_prefix`, 'a string of at most 100 characters', prefix);
  return { recipients: [...new Set(emails)], subjectPrefix: typeof prefix === 'string' && prefix.trim() !== '' ? prefix.trim() : null };
}

async function alertBody(ctx: Parameters<OrgHandler>[0], deps: OrgDeps): Promise<SpendAlertInput> {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, [...THRESHOLD_FIELDS, CHANNEL]);
  const { pico } = thresholdOf(f);
  return { thresholdPico: pico, ...channelOf(f.raw(CHANNEL)) };
}

/** Where the handlers act: the organization, or the project in the path (of the caller's organization; else 404). */
interface Where {
  kind: Kind;
  scope: AlertScope;
}

const orgWhere = async (_ctx: Parameters<OrgHandler>[0], caller: OrgCaller): Promise<Where> => ({ kind: 'organization', scope: { orgId: caller.org.id, projectId: null } });
const projectWhere = async (ctx: Parameters<OrgHandler>[0], caller: OrgCaller, deps: OrgDeps): Promise<Where> => {
  const p = await pathProject(deps, caller, ctx);
  return { kind: 'project', scope: { orgId: caller.org.id, projectId: p.id } };
};

/** Announced and recorded: the audit entry is the organization's or the project's update, naming the alert. */
function changed(deps: OrgDeps, caller: OrgCaller, w: Where, alertId: string, change: Record<string, unknown>): Promise<void> {
  const e = w.scope.projectId === null ? { type: 'organization.updated', objectId: alertId } : { type: 'project.updated', objectId: alertId, projectId: w.scope.projectId };
  return limitsChanged(deps, caller, e, { spend_alert: { id: alertId, ...change } });
}

const requested = (a: SpendAlertInput) => ({ ...thresholdObject(a.thresholdPico), notification_channel: { type: 'email', recipients: a.recipients, subject_prefix: a.subjectPrefix } });

function handlers(where: (ctx: Parameters<OrgHandler>[0], caller: OrgCaller, deps: OrgDeps) => Promise<Where>) {
  const create: OrgHandler = async (ctx, caller, deps) => {
    const w = await where(ctx, caller, deps);
    const input = await alertBody(ctx, deps);
    const a = await deps.store.spendAlerts.create(w.scope, input);
    await changed(deps, caller, w, a.id, requested(input));
    return { body: spendAlertObject(w.kind, a) };
  };
  const list: OrgHandler = async (ctx, caller, deps) => {
    const w = await where(ctx, caller, deps);
    const { q, page } = listQuery(ctx, ['before', 'order']);
    const order = orderParam(q, 'asc');
    const before = q.get('before') || undefined;
    if (before !== undefined && page.after !== undefined) throw new ApiError('invalid_parameter_combination', { param: 'before', requires: 'after', requirement: 'absent' }, { param: 'before' });
    const rows = await deps.store.spendAlerts.list(w.scope, { ...page, ...(before !== undefined && { before }) }, order);
    return { body: listBody(rows, { limit: page.limit, ...((page.after ?? before) !== undefined && { after: page.after ?? before }) }, 'spend alert', (a) => spendAlertObject(w.kind, a)) };
  };
  const retrieve: OrgHandler = async (ctx, caller, deps) => {
    const w = await where(ctx, caller, deps);
    return { body: spendAlertObject(w.kind, await found('spend alert', ctx.params.alert_id!, deps.store.spendAlerts.get(w.scope, ctx.params.alert_id!))) };
  };
  const update: OrgHandler = async (ctx, caller, deps) => {
    const w = await where(ctx, caller, deps);
    const id = ctx.params.alert_id!;
    // An unknown alert is a 404 before the body is judged, as for the other objects.
    await found('spend alert', id, deps.store.spendAlerts.get(w.scope, id));
    const input = await alertBody(ctx, deps);
    const a = await found('spend alert', id, deps.store.spendAlerts.update(w.scope, id, input, currentPeriod(deps.clock).key));
    await changed(deps, caller, w, id, requested(input));
    return { body: spendAlertObject(w.kind, a) };
  };
  const remove: OrgHandler = async (ctx, caller, deps) => {
    const w = await where(ctx, caller, deps);
    const id = ctx.params.alert_id!;
    if (!(await deps.store.spendAlerts.delete(w.scope, id))) throw notFound('spend alert', id);
    await changed(deps, caller, w, id, { deleted: true });
    return { body: deletedObject(`${w.kind}.spend_alert.deleted`, id) };
  };
  return { create, list, retrieve, update, remove };
}

export const orgSpendAlerts = handlers(orgWhere);
export const projectSpendAlerts = handlers(projectWhere);

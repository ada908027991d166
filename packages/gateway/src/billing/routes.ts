/**
 * The billing admin API (all under /admin/v1, admin key required):
 *
 *   GET  /organizations/{org_id}/usage/completions   usage report of every model (OpenAI's completions Usage API query and shape)
 *   GET  /organizations/{org_id}/costs               cost report (OpenAI Costs API shape)
 *   GET  /organizations/{org_id}/billing             limits, this period's spend, quota requests
 *   PUT  /organizations/{org_id}/billing             {hard_limit_usd, soft_limit_usd} (null = none)
 *
 * `hard_limit_usd` is the hard limit the operator approves; an organization's owners keep a spend
 * limit of their own at or below it (/v1/organization/spend_limit) and requests are refused above
 * the lower of the two. The billing view shows the approved limit, the organization's own
 * (`spend_limit_usd`) and the one enforced (`enforced_hard_limit_usd`). Lowering the approved
 * limit below the organization's own keeps that one (it binds again once the approved one is
 * raised above it); a quota request asks for a higher approved limit.
 *   POST /organizations/{org_id}/quota_requests      {hard_limit_usd, reason}
 *   GET  /organizations/{org_id}/quota_requests      that organization's requests
 *   GET  /quota_requests?status=&organization_id=    all requests, newest first, each with its
 *                                                    organization's name and current hard limit
 *   GET  /quota_requests/{id}
 *   POST /quota_requests/{id}/approve                {note?}: raises the hard limit
 *   POST /quota_requests/{id}/reject                 {note}
 *
 * A decision is e-mailed to whoever asked when SMTP is configured (quota-decision-mail.ts).
 *
 * And for an owner's console session, on its own organization (CSRF on the POST):
 *
 *   GET  /console/api/billing                        as GET /organizations/{org_id}/billing
 *   POST /console/api/quota_requests                 as POST /organizations/{org_id}/quota_requests
 *   GET  /console/api/quota_requests                 as GET /organizations/{org_id}/quota_requests
 *
 * Handlers throw `ApiError`; the dispatcher renders it (sendError).
 * @module
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { CounterStore } from '../limits/counter-store.js';
import { parseReportQuery } from '../usage/report-query.js';
import { costsReport, usageCompletionsReport } from '../usage/reports.js';
import { recordOperatorChanges, type OperatorChange } from '../admin/audit.js';
import { Fields, queryInteger } from '../admin/input.js';
import type { AuditRecorder } from '../organization/audit.js';
import { quotaRequestJson, seconds, usdOrNull, type BillingJson } from './admin-json.js';
import { enforcedHardLimit, getOrgLimits, getOrgsLimits, setOrgLimits, type OrgLimits } from './org-limits.js';
import { periodOf, spendKey } from './period.js';
import { formatUsd, picoToUsd } from './pricing.js';
import type { DecisionNotifier } from './quota-decision-mail.js';
import { createQuotaRequest, decideQuotaRequest, getQuotaRequest, listQuotaRequests, pendingQuotaRequestOf } from './quota-requests.js';
import { billingDb, type BillingStore, type QuotaRequestStatus } from '../store/billing-tables.js';

export interface BillingRouteDeps {
  store: BillingStore;
  counters: Pick<CounterStore, 'spendOf'>;
  clock: Clock;
  /** Throws the admin authentication error unless the request carries the admin key. */
  requireAdmin(ctx: RequestContext): void | Promise<void>;
  /**
   * With the console: the organization of an owner's session (throws 401/403 otherwise), which
   * opens the billing view and quota requests of that organization under /console/api.
   */
  ownerOrgOf?: (ctx: RequestContext) => Promise<string>;
  /** Called after an organization's limits changed, so caches of them drop. */
  onLimitsChanged(orgId: string): void | Promise<void>;
  /** The organizations' audit log: limits set and quota requests made and decided are recorded there. */
  audit: Pick<AuditRecorder, 'record'>;
  /** For the request body limit (server.max_body_bytes; 64 KiB without it). */
  config?: Pick<Config, 'server'>;
  /** Tells the requester of a decided quota request (an e-mail); never throws. */
  notifyDecision?: DecisionNotifier;
}

const REASON_MAX = 2000;
const NOTE_MAX = 2000;
const STATUSES: readonly QuotaRequestStatus[] = ['pending', 'approved', 'rejected'];

export function registerBillingRoutes(router: Router, deps: BillingRouteDeps): void {
  const maxBody = deps.config?.server.max_body_bytes ?? 64 * 1024;
  const org = '/admin/v1/organizations/:org_id';
  const asAdmin = (h: (ctx: RequestContext) => Promise<void>) => async (ctx: RequestContext) => {
    await deps.requireAdmin(ctx);
    await h(ctx);
  };

  router.on('GET', `${org}/usage/completions`, async (ctx) => {
    await deps.requireAdmin(ctx);
    const q = parseReportQuery(ctx.rawQuery, 'completions', deps.clock.now());
    await existingOrg(deps.store, ctx.params.org_id!, { allowDeleted: true });
    sendJson(ctx, 200, await usageCompletionsReport(deps.store, ctx.params.org_id!, q));
  });

  router.on('GET', `${org}/costs`, async (ctx) => {
    await deps.requireAdmin(ctx);
    const q = parseReportQuery(ctx.rawQuery, 'costs', deps.clock.now());
    await existingOrg(deps.store, ctx.params.org_id!, { allowDeleted: true });
    sendJson(ctx, 200, await costsReport(deps.store, ctx.params.org_id!, q));
  });

  const getBilling = async (ctx: RequestContext) => {
    const o = await existingOrg(deps.store, ctx.params.org_id!);
    sendJson(ctx, 200, await billingView(deps, o));
  };
  router.on('GET', `${org}/billing`, asAdmin(getBilling));

  router.on('PUT', `${org}/billing`, async (ctx) => {
    await deps.requireAdmin(ctx);
    const orgId = ctx.params.org_id!;
    const body = await Fields.fromBody(ctx, maxBody, ['hard_limit_usd', 'soft_limit_usd']);
    const hard = body.usd('hard_limit_usd', { nullable: true });
    const soft = body.usd('soft_limit_usd', { nullable: true });
    const patch: { hardLimitPico?: bigint | null; softLimitPico?: bigint | null } = {};
    if (hard !== undefined) patch.hardLimitPico = hard;
    if (soft !== undefined) patch.softLimitPico = soft;
    if (!(await setOrgLimits(deps.store, orgId, patch))) throw notFound('organization', orgId);
    await deps.onLimitsChanged(orgId);
    const changes = { ...(hard !== undefined && { hard_limit_usd: usdOrNull(hard) }), ...(soft !== undefined && { soft_limit_usd: usdOrNull(soft) }) };
    await recordOperatorChanges(deps.audit, ctx, { orgId, type: 'organization.updated', objectId: orgId, details: { id: orgId, changes_requested: changes } });
    sendJson(ctx, 200, await billingView(deps, await existingOrg(deps.store, orgId)));
  });

  const requestQuota = async (ctx: RequestContext) => {
    const orgId = ctx.params.org_id!;
    const body = await Fields.fromBody(ctx, maxBody, ['hard_limit_usd', 'reason']);
    const requested = body.usd('hard_limit_usd', { nullable: false, required: true })!;
    const reason = body.string('reason', { required: true, max: REASON_MAX });
    const o = await existingOrg(deps.store, orgId);
    if (o.hardLimitPico === null) throw conflict(`Organization ${orgId} has no hard limit; there is nothing to increase.`);
    if (requested <= o.hardLimitPico) {
      throw conflict(`The requested hard limit ($${formatUsd(requested, 2)}) is not above the current one ($${formatUsd(o.hardLimitPico, 2)}).`);
    }
    // The session's user is who the decision is e-mailed to; the admin key has no user.
    const created = await createQuotaRequest(deps.store, { orgId, requestedHardLimitPico: requested, reason, now: deps.clock.now(), requestedBy: ctx.sessionUser?.id ?? null }, (tx, r) =>
      recordOperatorChanges(deps.audit, ctx, { orgId, type: 'quota_request.created', objectId: r.id, details: { id: r.id, data: { hard_limit_usd: usdOrNull(requested), reason } } }, tx),
    );
    if (!created) {
      const pending = await pendingQuotaRequestOf(deps.store, orgId);
      throw conflict(`Organization ${orgId} already has a pending quota request${pending ? ` (${pending.id})` : ''}; wait for its decision.`);
    }
    sendJson(ctx, 200, quotaRequestJson(created, o));
  };
  router.on('POST', `${org}/quota_requests`, asAdmin(requestQuota));

  const listOrgQuotaRequests = async (ctx: RequestContext) => {
    await existingOrg(deps.store, ctx.params.org_id!, { allowDeleted: true });
    await sendQuotaRequestList(ctx, deps.store, ctx.params.org_id!);
  };
  router.on('GET', `${org}/quota_requests`, asAdmin(listOrgQuotaRequests));

  // The same three for an owner's console session, on the session's own organization.
  if (deps.ownerOrgOf) {
    const ownerOrgOf = deps.ownerOrgOf;
    const asOwner = (h: (ctx: RequestContext) => Promise<void>) => async (ctx: RequestContext) => {
      ctx.params.org_id = await ownerOrgOf(ctx);
      await h(ctx);
    };
    router.on('GET', '/console/api/billing', asOwner(getBilling));
    router.on('POST', '/console/api/quota_requests', asOwner(requestQuota));
    router.on('GET', '/console/api/quota_requests', asOwner(listOrgQuotaRequests));
  }

  router.on('GET', '/admin/v1/quota_requests', async (ctx) => {
    await deps.requireAdmin(ctx);
    await sendQuotaRequestList(ctx, deps.store, undefined);
  });

  router.on('GET', '/admin/v1/quota_requests/:id', async (ctx) => {
    await deps.requireAdmin(ctx);
    const r = await getQuotaRequest(deps.store, ctx.params.id!);
    if (!r) throw notFound('quota request', ctx.params.id!);
    sendJson(ctx, 200, quotaRequestJson(r, await getOrgLimits(deps.store, r.orgId)));
  });

  const decide = (decision: 'approved' | 'rejected') => async (ctx: RequestContext) => {
    await deps.requireAdmin(ctx);
    const id = ctx.params.id!;
    const body = await Fields.fromBody(ctx, maxBody, ['note'], { optional: decision === 'approved' });
    const note = (decision === 'rejected' ? body.string('note', { required: true, max: NOTE_MAX }) : body.string('note', { max: NOTE_MAX })) ?? null;
    const d = await decideQuotaRequest(deps.store, id, decision, note, deps.clock.now(), (tx, r) => {
      const orgId = r.orgId;
      const decided: OperatorChange = { orgId, type: 'quota_request.updated', objectId: id, details: { id, changes_requested: { status: decision, note } } };
      // An approval raises the organization's hard limit: a change of the organization too.
      const raised: OperatorChange[] =
        decision === 'approved' ? [{ orgId, type: 'organization.updated', objectId: orgId, details: { id: orgId, changes_requested: { hard_limit_usd: usdOrNull(r.requestedHardLimitPico) } } }] : [];
      return recordOperatorChanges(deps.audit, ctx, [decided, ...raised], tx);
    });
    if (!d.ok && d.reason === 'not_found') throw notFound('quota request', id);
    if (!d.ok) throw conflict(`Quota request ${id} was already ${d.request.status}.`);
    // Made, recorded and read in one transaction: nothing from here on fails the answer.
    if (decision === 'approved') await deps.onLimitsChanged(d.request.orgId);
    await deps.notifyDecision?.(d.request);
    sendJson(ctx, 200, quotaRequestJson(d.request, d.org));
  };
  router.on('POST', '/admin/v1/quota_requests/:id/approve', decide('approved'));
  router.on('POST', '/admin/v1/quota_requests/:id/reject', decide('rejected'));
}

/** The billing view of an organization: limits, this period's spend from the counters, requests. */
export async function billingView(deps: Pick<BillingRouteDeps, 'store' | 'counters' | 'clock'>, o: OrgLimits): Promise<BillingJson> {
  const period = periodOf(deps.clock.now());
  const [spend, notification, requests] = await Promise.all([
    deps.counters.spendOf(o.id, spendKey(o.id, period.startMs)),
    billingDb(deps.store).selectFrom('soft_limit_notifications').selectAll().where('org_id', '=', o.id).where('period', '=', period.key).executeTakeFirst(),
    listQuotaRequests(deps.store, { orgId: o.id, limit: 20 }),
  ]);
  return {
    object: 'organization.billing',
    organization_id: o.id,
    hard_limit_usd: usdOrNull(o.hardLimitPico),
    spend_limit_usd: usdOrNull(o.spendLimitPico),
    enforced_hard_limit_usd: usdOrNull(enforcedHardLimit(o)),
    soft_limit_usd: usdOrNull(o.softLimitPico),
    period: period.key,
    spent_usd: picoToUsd(spend.spent),
    reserved_usd: picoToUsd(spend.reserved),
    soft_limit_notification: notification
      ? {
          status: notification.status,
          attempts: notification.attempts,
          last_error: notification.last_error,
          created_at: seconds(Number(notification.created_at)),
          delivered_at: notification.delivered_at === null ? null : seconds(Number(notification.delivered_at)),
        }
      : null,
    quota_requests: (requests?.data ?? []).map((r) => quotaRequestJson(r, o)),
  };
}

async function sendQuotaRequestList(ctx: RequestContext, store: BillingStore, orgId: string | undefined): Promise<void> {
  const q = new URLSearchParams(ctx.rawQuery);
  const status = q.get('status') ?? undefined;
  if (status !== undefined && !STATUSES.includes(status as QuotaRequestStatus)) {
    throw new ApiError('invalid_value', { value: status, supported: STATUSES.map((s) => `'${s}'`).join(', ') }, { param: 'status' });
  }
  const limit = queryInteger(q, 'limit', { min: 1, max: 100 }) ?? 20;
  const after = q.get('after') ?? undefined;
  const org = orgId ?? q.get('organization_id') ?? undefined;
  const r = await listQuotaRequests(store, {
    limit,
    ...(status !== undefined ? { status: status as QuotaRequestStatus } : {}),
    ...(org !== undefined ? { orgId: org } : {}),
    ...(after !== undefined ? { after } : {}),
  });
  if (!r) throw notFound('quota request', after!);
  // Each with its organization's name and hard limit as they are now (one query for the page).
  const orgs = await getOrgsLimits(store, r.data.map((x) => x.orgId));
  const data = r.data.map((x) => quotaRequestJson(x, orgs.get(x.orgId)));
  sendJson(ctx, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: r.hasMore });
}

async function existingOrg(store: BillingStore, orgId: string, opts: { allowDeleted?: boolean } = {}): Promise<OrgLimits> {
  const o = await getOrgLimits(store, orgId);
  if (!o || (o.deleted && !opts.allowDeleted)) throw notFound('organization', orgId);
  return o;
}

function notFound(resource: string, id: string): ApiError {
  return new ApiError('resource_not_found', { resource, id });
}

function conflict(message: string): ApiError {
  return new ApiError('resource_conflict', { message });
}

/**
 * The JSON objects of the billing admin API. Amounts are USD numbers (the double nearest the
 * exact amount, which prints as the decimal), times are unix seconds, as in OpenAI's APIs.
 * @module
 */
import { picoToUsd } from './pricing.js';
import type { OrgLimits } from './org-limits.js';
import type { QuotaRequest } from './quota-requests.js';
import type { SoftLimitStatus } from '../store/billing-tables.js';

export interface QuotaRequestJson {
  object: 'organization.quota_request';
  id: string;
  organization_id: string;
  /** The organization's name (null: no such organization any more). */
  organization_name: string | null;
  /** The organization's hard limit now (null: none), what a pending request would raise. */
  current_hard_limit_usd: number | null;
  requested_hard_limit_usd: number;
  /** The hard limit when the request was decided (null: none, or not decided yet). */
  previous_hard_limit_usd: number | null;
  reason: string;
  status: QuotaRequest['status'];
  note: string | null;
  created_at: number;
  decided_at: number | null;
}

export interface SoftLimitNotificationJson {
  status: SoftLimitStatus;
  attempts: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface BillingJson {
  object: 'organization.billing';
  organization_id: string;
  /** The hard limit the operator approved (PUT here, or an approved quota request); null: none. */
  hard_limit_usd: number | null;
  /** The organization's own spend limit (its owners' /v1/organization/spend_limit); null: none. */
  spend_limit_usd: number | null;
  /** What requests are refused above: the lower of the two; null: neither is set. */
  enforced_hard_limit_usd: number | null;
  soft_limit_usd: number | null;
  period: string;
  spent_usd: number;
  reserved_usd: number;
  /** This period's soft-limit notification, if the soft limit was reached. */
  soft_limit_notification: SoftLimitNotificationJson | null;
  /** The organization's quota requests, newest first. */
  quota_requests: QuotaRequestJson[];
}

/** The organization a quota request is of, as it is now (undefined: gone). */
export type RequestOrg = Pick<OrgLimits, 'name' | 'hardLimitPico'> | undefined;

export function quotaRequestJson(r: QuotaRequest, org: RequestOrg): QuotaRequestJson {
  return {
    object: 'organization.quota_request',
    id: r.id,
    organization_id: r.orgId,
    organization_name: org?.name ?? null,
    current_hard_limit_usd: org ? usdOrNull(org.hardLimitPico) : null,
    requested_hard_limit_usd: picoToUsd(r.requestedHardLimitPico),
    previous_hard_limit_usd: r.previousHardLimitPico === null ? null : picoToUsd(r.previousHardLimitPico),
    reason: r.reason,
    status: r.status,
    note: r.note,
    created_at: seconds(r.createdAt),
    decided_at: r.decidedAt === null ? null : seconds(r.decidedAt),
  };
}

export function usdOrNull(pico: bigint | null): number | null {
  return pico === null ? null : picoToUsd(pico);
}

export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

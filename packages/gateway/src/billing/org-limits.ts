/**
 * An organization's monthly spend limits in pico-dollars, in `organizations` columns; null means
 * none from that side.
 *
 * - `hard_limit_pico`: the hard limit the operator approved (`/admin/v1/.../billing`
 *   `hard_limit_usd`, raised by approving a quota request). Only the operator changes it.
 * - `spend_limit_pico`: the organization's own spend limit (`/v1/organization/spend_limit`), set
 *   by its owners at or below the approved limit (`setOwnSpendLimit`).
 * - `soft_limit_pico`: the operator's soft limit (a notification fires when spend crosses it).
 *
 * Requests are refused above the lower of the first two (`enforcedHardLimit`), the one amount the
 * request path reserves against. An approved limit lowered below the organization's own one
 * leaves that one stored: the approved limit binds until it is raised again.
 * @module
 */
import { toPicoOrNull } from './pricing.js';
import { billingDb, type BillingStore } from '../store/billing-tables.js';
import { moneyText } from './money-column.js';

export interface OrgLimits {
  id: string;
  name: string;
  /** The operator's approved hard limit. */
  hardLimitPico: bigint | null;
  softLimitPico: bigint | null;
  /** The organization's own spend limit. */
  spendLimitPico: bigint | null;
  deleted: boolean;
}

/** The hard limit requests are refused above: the lower of the approved one and the organization's own (null: neither). */
export function enforcedHardLimit(o: Pick<OrgLimits, 'hardLimitPico' | 'spendLimitPico'>): bigint | null {
  if (o.hardLimitPico === null) return o.spendLimitPico;
  if (o.spendLimitPico === null) return o.hardLimitPico;
  return o.spendLimitPico < o.hardLimitPico ? o.spendLimitPico : o.hardLimitPico;
}

/**
 * Whether the enforced limit is the organization's own spend limit (at or below the approved one),
 * so a refusal says `organization_spend_limit_exceeded`; otherwise it is the operator's approved
 * quota, and the refusal is OpenAI's `insufficient_quota`.
 */
export function ownLimitBinds(o: Pick<OrgLimits, 'hardLimitPico' | 'spendLimitPico'>): boolean {
  return o.spendLimitPico !== null && (o.hardLimitPico === null || o.spendLimitPico <= o.hardLimitPico);
}

const LIMIT_COLUMNS = ['id', 'name', 'deleted_at', moneyText('hard_limit_pico').as('hard'), moneyText('soft_limit_pico').as('soft'), moneyText('spend_limit_pico').as('own')] as const;

export async function getOrgLimits(store: BillingStore, orgId: string): Promise<OrgLimits | undefined> {
  const row = await billingDb(store)
    .selectFrom('organizations')
    .select(LIMIT_COLUMNS)
    .where('id', '=', orgId)
    .executeTakeFirst();
  return row && orgLimitsOf(row);
}

function orgLimitsOf(row: { id: string; name: string; deleted_at: unknown; hard: string | null; soft: string | null; own: string | null }): OrgLimits {
  return {
    id: row.id,
    name: row.name,
    hardLimitPico: toPicoOrNull(row.hard),
    softLimitPico: toPicoOrNull(row.soft),
    spendLimitPico: toPicoOrNull(row.own),
    deleted: row.deleted_at !== null,
  };
}

/** The limits of several organizations (deleted ones too) in one query, by id; unknown ids are absent. */
export async function getOrgsLimits(store: BillingStore, orgIds: readonly string[]): Promise<Map<string, OrgLimits>> {
  const ids = [...new Set(orgIds)];
  if (ids.length === 0) return new Map();
  const rows = await billingDb(store)
    .selectFrom('organizations')
    .select(LIMIT_COLUMNS)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((row) => [row.id, orgLimitsOf(row)]));
}

/** The monthly spend limits (pico-dollars) of the organization's projects that have one. */
export async function getProjectSpendLimits(store: BillingStore, orgId: string): Promise<Map<string, bigint>> {
  const rows = await billingDb(store)
    .selectFrom('projects')
    .select(['id', moneyText('spend_limit_pico').as('limit')])
    .where('org_id', '=', orgId)
    .where('spend_limit_pico', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.id, toPicoOrNull(r.limit)!]));
}

/** Sets the operator's limits (approved hard, soft) of a live organization; returns false when there is none. */
export async function setOrgLimits(
  store: BillingStore,
  orgId: string,
  patch: { hardLimitPico?: bigint | null; softLimitPico?: bigint | null },
): Promise<boolean> {
  const set: { hard_limit_pico?: bigint | null; soft_limit_pico?: bigint | null } = {};
  if (patch.hardLimitPico !== undefined) set.hard_limit_pico = patch.hardLimitPico;
  if (patch.softLimitPico !== undefined) set.soft_limit_pico = patch.softLimitPico;
  const db = billingDb(store);
  if (Object.keys(set).length === 0) {
    const row = await db.selectFrom('organizations').select('id').where('id', '=', orgId).where('deleted_at', 'is', null).executeTakeFirst();
    return row !== undefined;
  }
  const r = await db.updateTable('organizations').set(set).where('id', '=', orgId).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Sets a live organization's own spend limit, in one conditional statement: only while it is at
 * or below the approved hard limit (or there is none), so an approval lowered at the same moment
 * cannot be passed. `set` false: refused, with the approved limit it met; undefined: no such
 * organization.
 */
export async function setOwnSpendLimit(store: BillingStore, orgId: string, pico: bigint): Promise<{ set: true } | { set: false; approvedPico: bigint } | undefined> {
  const db = billingDb(store);
  const r = await db
    .updateTable('organizations')
    .set({ spend_limit_pico: pico })
    .where('id', '=', orgId)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('hard_limit_pico', 'is', null), eb('hard_limit_pico', '>=', pico)]))
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) return { set: true };
  const o = await getOrgLimits(store, orgId);
  if (!o || o.deleted) return undefined;
  // The approved limit read after the refusal: below the amount, it is the answer; changed since
  // (raised or removed by the operator in between), the update is tried again.
  if (o.hardLimitPico !== null && o.hardLimitPico < pico) return { set: false, approvedPico: o.hardLimitPico };
  return setOwnSpendLimit(store, orgId, pico);
}

/**
 * Removes a live organization's own spend limit (the approved one stays): `removed`, `none` when it
 * had none (nothing written), undefined when there is no such live organization.
 */
export async function deleteOwnSpendLimit(store: BillingStore, orgId: string): Promise<'removed' | 'none' | undefined> {
  const r = await billingDb(store)
    .updateTable('organizations')
    .set({ spend_limit_pico: null })
    .where('id', '=', orgId)
    .where('deleted_at', 'is', null)
    .where('spend_limit_pico', 'is not', null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) return 'removed';
  const o = await getOrgLimits(store, orgId);
  return !o || o.deleted ? undefined : 'none';
}

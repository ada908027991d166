/**
 * An organization's monthly spend limits in pico-dollars, stored in the `organizations` columns
 * `hard_limit_pico` (requests are refused above it) and `soft_limit_pico` (a notification fires
 * when spend crosses it). Null means unlimited / no notification.
 * @module
 */
import { toPicoOrNull } from './pricing.js';
import { billingDb, type BillingStore } from '../store/billing-tables.js';
import { moneyText } from './money-column.js';

export interface OrgLimits {
  id: string;
  name: string;
  hardLimitPico: bigint | null;
  softLimitPico: bigint | null;
  deleted: boolean;
}

export async function getOrgLimits(store: BillingStore, orgId: string): Promise<OrgLimits | undefined> {
  const row = await billingDb(store)
    .selectFrom('organizations')
    .select(['id', 'name', 'deleted_at', moneyText('hard_limit_pico').as('hard'), moneyText('soft_limit_pico').as('soft')])
    .where('id', '=', orgId)
    .executeTakeFirst();
  return row && orgLimitsOf(row);
}

function orgLimitsOf(row: { id: string; name: string; deleted_at: unknown; hard: string | null; soft: string | null }): OrgLimits {
  return {
    id: row.id,
    name: row.name,
    hardLimitPico: toPicoOrNull(row.hard),
    softLimitPico: toPicoOrNull(row.soft),
    deleted: row.deleted_at !== null,
  };
}

/** The limits of several organizations (deleted ones too) in one query, by id; unknown ids are absent. */
export async function getOrgsLimits(store: BillingStore, orgIds: readonly string[]): Promise<Map<string, OrgLimits>> {
  const ids = [...new Set(orgIds)];
  if (ids.length === 0) return new Map();
  const rows = await billingDb(store)
    .selectFrom('organizations')
    .select(['id', 'name', 'deleted_at', moneyText('hard_limit_pico').as('hard'), moneyText('soft_limit_pico').as('soft')])
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

/** Sets the given limits of a live organization; returns false when there is none. */
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

/**
 * An organization's monthly spend limits, stored in migration 0001's `organizations` columns
 * `hard_limit_micros` (requests are refused above it) and `soft_limit_micros` (a notification
 * fires when spend crosses it). Null means unlimited / no notification.
 * @module
 */
import { billingDb, toNumberOrNull, type BillingStore } from './tables.js';

export interface OrgLimits {
  id: string;
  name: string;
  hardLimitMicros: number | null;
  softLimitMicros: number | null;
  deleted: boolean;
}

export async function getOrgLimits(store: BillingStore, orgId: string): Promise<OrgLimits | undefined> {
  const row = await billingDb(store)
    .selectFrom('organizations')
    .select(['id', 'name', 'hard_limit_micros', 'soft_limit_micros', 'deleted_at'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.name,
    hardLimitMicros: toNumberOrNull(row.hard_limit_micros),
    softLimitMicros: toNumberOrNull(row.soft_limit_micros),
    deleted: row.deleted_at !== null,
  };
}

/** Sets the given limits of a live organization; returns false when there is none. */
export async function setOrgLimits(
  store: BillingStore,
  orgId: string,
  patch: { hardLimitMicros?: number | null; softLimitMicros?: number | null },
): Promise<boolean> {
  const set: { hard_limit_micros?: number | null; soft_limit_micros?: number | null } = {};
  if (patch.hardLimitMicros !== undefined) set.hard_limit_micros = patch.hardLimitMicros;
  if (patch.softLimitMicros !== undefined) set.soft_limit_micros = patch.softLimitMicros;
  const db = billingDb(store);
  if (Object.keys(set).length === 0) {
    const row = await db.selectFrom('organizations').select('id').where('id', '=', orgId).where('deleted_at', 'is', null).executeTakeFirst();
    return row !== undefined;
  }
  const r = await db.updateTable('organizations').set(set).where('id', '=', orgId).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

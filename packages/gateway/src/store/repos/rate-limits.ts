import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export const LIMIT_FIELDS = ['max_requests_per_1_minute', 'max_tokens_per_1_minute', 'max_requests_per_1_day', 'max_tokens_per_1_day'] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];

/**
 * An override row as callers see it: a field that is absent is not overridden (the level below
 * applies), `null` is unlimited, a number is the limit.
 */
export type LimitOverride = { [F in LimitField]?: number | null };

// In the tables NULL already means "not overridden", so "unlimited" is stored as -1.
const UNLIMITED = -1;

type Row = { [F in LimitField]: number | null };

function toOverride(r: Row): LimitOverride {
  const o: LimitOverride = {};
  for (const f of LIMIT_FIELDS) {
    const v = r[f];
    if (v === null) continue;
    o[f] = v === UNLIMITED ? null : v;
  }
  return o;
}

function toRow(o: LimitOverride): Row {
  const r = {} as Row;
  for (const f of LIMIT_FIELDS) {
    const v = o[f];
    r[f] = v === undefined ? null : v === null ? UNLIMITED : v;
  }
  return r;
}

const isEmpty = (o: LimitOverride) => LIMIT_FIELDS.every((f) => o[f] === undefined);

/** Organization overrides (per model or `*`), per-project and per-key limits. */
export class RateLimitRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** model (or `*`) → override, for one organization. */
  async orgOverrides(orgId: string): Promise<Map<string, LimitOverride>> {
    const rows = await this.db.selectFrom('rate_limit_overrides').selectAll().where('org_id', '=', orgId).execute();
    return new Map(rows.map((r) => [r.model, toOverride(r)]));
  }

  /** Replaces the organization's override for a model; an override with no field removes the row. */
  async setOrgOverride(orgId: string, model: string, o: LimitOverride): Promise<void> {
    if (isEmpty(o)) {
      await this.db.deleteFrom('rate_limit_overrides').where('org_id', '=', orgId).where('model', '=', model).execute();
      return;
    }
    const row = toRow(o);
    await this.db
      .insertInto('rate_limit_overrides')
      .values({ org_id: orgId, model, ...row })
      .onConflict((oc) => oc.columns(['org_id', 'model']).doUpdateSet(row))
      .execute();
  }

  /** model (or `*`) → the project's own limits (equal to or below the organization's). */
  async projectLimits(projectId: string): Promise<Map<string, LimitOverride>> {
    const rows = await this.db.selectFrom('project_rate_limits').selectAll().where('project_id', '=', projectId).execute();
    return new Map(rows.map((r) => [r.model, toOverride(r)]));
  }

  /** Replaces the project's limits for a model; a row with no field is removed. */
  async setProjectLimit(projectId: string, model: string, o: LimitOverride): Promise<void> {
    if (isEmpty(o)) {
      await this.db.deleteFrom('project_rate_limits').where('project_id', '=', projectId).where('model', '=', model).execute();
      return;
    }
    const row = toRow(o);
    await this.db
      .insertInto('project_rate_limits')
      .values({ project_id: projectId, model, ...row })
      .onConflict((oc) => oc.columns(['project_id', 'model']).doUpdateSet(row))
      .execute();
  }

  /**
   * Sets the given fields of the project's limits for a model and keeps the others, in one
   * statement: concurrent changes of different fields all stick. No field: nothing changes.
   */
  async mergeProjectLimit(projectId: string, model: string, changes: LimitOverride): Promise<void> {
    if (isEmpty(changes)) return;
    const row = toRow(changes);
    const set = Object.fromEntries(LIMIT_FIELDS.filter((f) => changes[f] !== undefined).map((f) => [f, row[f]]));
    await this.db
      .insertInto('project_rate_limits')
      .values({ project_id: projectId, model, ...row })
      .onConflict((oc) => oc.columns(['project_id', 'model']).doUpdateSet(set))
      .execute();
  }

  /** model (or `*`) → limits, for one key. */
  async keyLimits(keyId: string): Promise<Map<string, LimitOverride>> {
    const rows = await this.db.selectFrom('key_rate_limits').selectAll().where('key_id', '=', keyId).execute();
    return new Map(rows.map((r) => [r.model, toOverride(r)]));
  }

  async setKeyLimit(keyId: string, model: string, o: LimitOverride): Promise<void> {
    if (isEmpty(o)) {
      await this.db.deleteFrom('key_rate_limits').where('key_id', '=', keyId).where('model', '=', model).execute();
      return;
    }
    const row = toRow(o);
    await this.db
      .insertInto('key_rate_limits')
      .values({ key_id: keyId, model, ...row })
      .onConflict((oc) => oc.columns(['key_id', 'model']).doUpdateSet(row))
      .execute();
  }
}

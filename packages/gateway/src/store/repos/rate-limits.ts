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

/** True when an override sets no field (a PUT of it removes the row). */
export const isEmptyOverride = (o: LimitOverride) => LIMIT_FIELDS.every((f) => o[f] === undefined);

/**
 * The three levels of limits live in tables of one shape: the owner's id, the model (or `*`) and
 * the four limit columns, keyed by (owner, model).
 */
const LEVELS = {
  org: { table: 'rate_limit_overrides', owner: 'org_id' },
  project: { table: 'project_rate_limits', owner: 'project_id' },
  key: { table: 'key_rate_limits', owner: 'key_id' },
} as const;
type Level = keyof typeof LEVELS;

/** Organization overrides (per model or `*`), per-project and per-key limits. */
export class RateLimitRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** model (or `*`) → override, for one organization. */
  orgOverrides(orgId: string): Promise<Map<string, LimitOverride>> {
    return this.read('org', orgId);
  }

  /** Replaces the organization's override for a model; an override with no field removes the row. */
  setOrgOverride(orgId: string, model: string, o: LimitOverride): Promise<void> {
    return this.replace('org', orgId, model, o);
  }

  /** model (or `*`) → the project's own limits (equal to or below the organization's). */
  projectLimits(projectId: string): Promise<Map<string, LimitOverride>> {
    return this.read('project', projectId);
  }

  /** Replaces the project's limits for a model; a row with no field is removed. */
  setProjectLimit(projectId: string, model: string, o: LimitOverride): Promise<void> {
    return this.replace('project', projectId, model, o);
  }

  /**
   * Sets the given fields of the project's limits for a model, removes the `removed` ones (the
   * organization's limit applies to them again) and keeps the others, each in one statement:
   * concurrent changes of different fields all stick. A row left with no field is deleted. No
   * field given: nothing changes.
   */
  async mergeProjectLimit(projectId: string, model: string, changes: LimitOverride, removed: readonly LimitField[] = []): Promise<void> {
    const { table, owner } = LEVELS.project;
    if (!isEmptyOverride(changes)) {
      const row = toRow(changes);
      const update: Partial<Row> = Object.fromEntries(LIMIT_FIELDS.filter((f) => changes[f] !== undefined).map((f) => [f, row[f]]));
      for (const f of removed) update[f] = null;
      await this.upsert('project', projectId, model, row, update);
      return;
    }
    if (removed.length === 0) return;
    await this.tables
      .updateTable(table)
      .set(Object.fromEntries(removed.map((f) => [f, null])))
      .where(owner, '=', projectId)
      .where('model', '=', model)
      .execute();
    // Only a row whose every field is gone: a field set meanwhile keeps it.
    let empty = this.tables.deleteFrom(table).where(owner, '=', projectId).where('model', '=', model);
    for (const f of LIMIT_FIELDS) empty = empty.where(f, 'is', null);
    await empty.execute();
  }

  /** model (or `*`) → limits, for one key. */
  keyLimits(keyId: string): Promise<Map<string, LimitOverride>> {
    return this.read('key', keyId);
  }

  /** Replaces the key's limits for a model; a row with no field is removed. */
  setKeyLimit(keyId: string, model: string, o: LimitOverride): Promise<void> {
    return this.replace('key', keyId, model, o);
  }

  // The tables differ only in their names, so these read them untyped; `Row` types what comes back.
  private get tables(): Kysely<any> {
    return this.db;
  }

  private async read(level: Level, ownerId: string): Promise<Map<string, LimitOverride>> {
    const { table, owner } = LEVELS[level];
    const rows = (await this.tables.selectFrom(table).selectAll().where(owner, '=', ownerId).execute()) as (Row & { model: string })[];
    return new Map(rows.map((r) => [r.model, toOverride(r)]));
  }

  private async replace(level: Level, ownerId: string, model: string, o: LimitOverride): Promise<void> {
    if (isEmptyOverride(o)) {
      const { table, owner } = LEVELS[level];
      await this.tables.deleteFrom(table).where(owner, '=', ownerId).where('model', '=', model).execute();
      return;
    }
    const row = toRow(o);
    await this.upsert(level, ownerId, model, row, row);
  }

  /** Inserts the row, or on (owner, model) conflict sets `update`'s columns. */
  private async upsert(level: Level, ownerId: string, model: string, row: Row, update: Partial<Row>): Promise<void> {
    const { table, owner } = LEVELS[level];
    await this.tables
      .insertInto(table)
      .values({ [owner]: ownerId, model, ...row })
      .onConflict((oc) => oc.columns([owner, 'model']).doUpdateSet(update))
      .execute();
  }
}

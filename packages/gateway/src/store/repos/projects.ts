import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Clock } from '../../clock.js';
import { toNumberOrNull } from '../side-view.js';
import { newId } from '../ids.js';
import { DEFAULT_PROJECT_NAME } from '../migrations/0007_projects.js';
import { keysetPage, type Page, type PageRequest } from '../paging.js';
import type { Database, ProjectsTable } from '../schema.js';

export type ProjectStatus = 'active' | 'archived';
export const MODEL_PERMISSION_MODES = ['allow_list', 'deny_list'] as const;
export type ModelPermissionMode = (typeof MODEL_PERMISSION_MODES)[number];

/** A project's model permissions: the listed models are the only ones allowed, or the ones refused. */
export interface ModelPermissions {
  mode: ModelPermissionMode;
  modelIds: string[];
}

export interface Project {
  id: string;
  orgId: string;
  name: string;
  isDefault: boolean;
  status: ProjectStatus;
  externalKeyId: string | null;
  createdAt: number;
  archivedAt: number | null;
  /** Pico-dollars per calendar month (UTC); null = none. */
  spendLimitPico: bigint | null;
  modelPermissions: ModelPermissions | null;
  /** CIDR blocks; empty = every address. */
  ipAllowlist: string[];
}

/** Reads a JSON list column; null and unreadable text are the empty list. */
export function jsonList(text: string | null | undefined): string[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * A money column read back through `CAST(... AS TEXT)` (SPEND_TEXT): beyond 2^53 a number read
 * from SQLite would be inexact.
 */
export const picoOrNull = (v: number | string | bigint | null): bigint | null => (v === null ? null : BigInt(v));
const SPEND_TEXT = sql<string | null>`CAST(spend_limit_pico AS TEXT)`.as('spend_text');

type ProjectRow = Selectable<ProjectsTable> & { spend_text?: string | null };

export function toProject(r: ProjectRow): Project {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    isDefault: r.is_default === 1,
    status: r.status as ProjectStatus,
    externalKeyId: r.external_key_id,
    createdAt: Number(r.created_at),
    archivedAt: toNumberOrNull(r.archived_at),
    spendLimitPico: picoOrNull(r.spend_text !== undefined ? r.spend_text : r.spend_limit_pico),
    modelPermissions: r.model_mode === null ? null : { mode: r.model_mode as ModelPermissionMode, modelIds: jsonList(r.model_ids) },
    ipAllowlist: jsonList(r.ip_allowlist),
  };
}

/** The row of a new project (the Default project when `isDefault`). */
export function projectRow(orgId: string, name: string, createdAt: number, opts: { isDefault?: boolean; externalKeyId?: string | null } = {}): Selectable<ProjectsTable> {
  return {
    id: newId.project(),
    org_id: orgId,
    name,
    is_default: opts.isDefault ? 1 : 0,
    status: 'active',
    external_key_id: opts.externalKeyId ?? null,
    created_at: createdAt,
    archived_at: null,
    spend_limit_pico: null,
    model_mode: null,
    model_ids: null,
    ip_allowlist: null,
  };
}

/** Inserts an organization's Default project (inside the transaction that creates the organization). */
export async function insertDefaultProject(trx: Kysely<Database> | Transaction<Database>, orgId: string, createdAt: number): Promise<Project> {
  const row = projectRow(orgId, DEFAULT_PROJECT_NAME, createdAt, { isDefault: true });
  await trx.insertInto('projects').values(row).execute();
  return toProject(row);
}

/**
 * Projects of organizations. Every read takes the organization: one organization never reaches
 * another's project by id.
 */
export class ProjectRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async create(orgId: string, input: { name: string; externalKeyId?: string | null }): Promise<Project> {
    const row = projectRow(orgId, input.name, this.clock.now(), { externalKeyId: input.externalKeyId ?? null });
    await this.db.insertInto('projects').values(row).execute();
    return toProject(row);
  }

  /** The project `id` of organization `orgId` (archived ones included). */
  async get(orgId: string, id: string): Promise<Project | undefined> {
    const r = await this.db.selectFrom('projects').selectAll().select(SPEND_TEXT).where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    return r && toProject(r);
  }

  /** The names of the organization's projects among `ids` (archived ones included), by id. */
  async names(orgId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('projects').select(['id', 'name']).where('org_id', '=', orgId).where('id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Whether any organization has a project with this id (the OpenAI-Project header check). */
  async exists(id: string): Promise<boolean> {
    const r = await this.db.selectFrom('projects').select('id').where('id', '=', id).executeTakeFirst();
    return r !== undefined;
  }

  async defaultOf(orgId: string): Promise<Project | undefined> {
    const r = await this.db.selectFrom('projects').selectAll().select(SPEND_TEXT).where('org_id', '=', orgId).where('is_default', '=', 1).executeTakeFirst();
    return r && toProject(r);
  }

  /** Projects in creation order; archived ones only when asked. `after` is a project id. */
  async list(orgId: string, opts: { includeArchived: boolean }, page: PageRequest): Promise<Page<Project>> {
    let q = this.db.selectFrom('projects').selectAll().select(SPEND_TEXT).where('org_id', '=', orgId);
    if (!opts.includeArchived) q = q.where('status', '=', 'active');
    const cursor = (id: string) => this.db.selectFrom('projects').select(['created_at', 'id']).where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    return keysetPage(q, page, { created: 'created_at', id: 'id' }, cursor, toProject);
  }

  /** Renames a project or sets its external key id; undefined when there is none. */
  async update(orgId: string, id: string, patch: { name?: string; externalKeyId?: string | null }): Promise<Project | undefined> {
    const set: { name?: string; external_key_id?: string | null } = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.externalKeyId !== undefined) set.external_key_id = patch.externalKeyId;
    if (Object.keys(set).length > 0) await this.db.updateTable('projects').set(set).where('id', '=', id).where('org_id', '=', orgId).execute();
    return this.get(orgId, id);
  }

  /**
   * Archives a project (once: archiving again keeps the first time). The Default project is never
   * archived: 'default' is returned and nothing changes (the update itself excludes it).
   */
  async archive(orgId: string, id: string): Promise<Project | 'default' | undefined> {
    await this.db
      .updateTable('projects')
      .set({ status: 'archived', archived_at: this.clock.now() })
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .where('status', '=', 'active')
      .where('is_default', '=', 0)
      .execute();
    const p = await this.get(orgId, id);
    return p?.isDefault ? 'default' : p;
  }

  /** Sets (pico-dollars) or removes (null) the monthly spend limit; false when there is no such project. */
  async setSpendLimit(orgId: string, id: string, pico: bigint | null): Promise<boolean> {
    const r = await this.db
      .updateTable('projects')
      .set({ spend_limit_pico: pico })
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async setModelPermissions(orgId: string, id: string, p: ModelPermissions | null): Promise<boolean> {
    const r = await this.db
      .updateTable('projects')
      .set({ model_mode: p?.mode ?? null, model_ids: p ? JSON.stringify(p.modelIds) : null })
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async setIpAllowlist(orgId: string, id: string, cidrs: string[]): Promise<boolean> {
    const r = await this.db
      .updateTable('projects')
      .set({ ip_allowlist: cidrs.length === 0 ? null : JSON.stringify(cidrs) })
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Projects with a spend limit and their limits, for one organization (the spend rebuild). */
  async spendLimited(orgId: string): Promise<Project[]> {
    const rows = await this.db.selectFrom('projects').selectAll().select(SPEND_TEXT).where('org_id', '=', orgId).where('spend_limit_pico', 'is not', null).execute();
    return rows.map(toProject);
  }
}

import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../clock.js';
import { newId } from '../ids.js';
import { insertDefaultProject, jsonList } from './projects.js';
import { keysetPage, type Page, type PageRequest } from '../paging.js';
import type { Database, OrganizationsTable } from '../schema.js';

export interface Organization {
  id: string;
  name: string;
  tier: string;
  createdAt: number;
  deletedAt: number | null;
  /** True when the organization may use only the models of its allow-list. */
  modelsRestricted: boolean;
}

export interface OrganizationPatch {
  name?: string;
  tier?: string;
}

export function toOrganization(r: Selectable<OrganizationsTable>): Organization {
  return {
    id: r.id,
    name: r.name,
    tier: r.tier,
    createdAt: r.created_at,
    deletedAt: r.deleted_at,
    modelsRestricted: r.models_restricted === 1,
  };
}

/** Organizations. Deleted ones are invisible to every method except `get(id, { includeDeleted })`. */
export class OrganizationRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Creates the organization with its `Default project`, in one transaction. */
  async create(input: { name: string; tier: string }): Promise<Organization> {
    const row = {
      id: newId.organization(),
      name: input.name,
      tier: input.tier,
      created_at: this.clock.now(),
      deleted_at: null,
      hard_limit_pico: null,
      soft_limit_pico: null,
      spend_limit_pico: null,
      models_restricted: 0,
      ip_allowlist: null,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('organizations').values(row).execute();
      await insertDefaultProject(trx, row.id, row.created_at);
    });
    return toOrganization(row);
  }

  /** The organization's IP allowlist (CIDR blocks; empty = every address). */
  async ipAllowlist(id: string): Promise<string[]> {
    const r = await this.db.selectFrom('organizations').select('ip_allowlist').where('id', '=', id).executeTakeFirst();
    return jsonList(r?.ip_allowlist);
  }

  /** Replaces a live organization's IP allowlist; false when there is none. */
  async setIpAllowlist(id: string, cidrs: string[]): Promise<boolean> {
    const r = await this.db
      .updateTable('organizations')
      .set({ ip_allowlist: cidrs.length === 0 ? null : JSON.stringify(cidrs) })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async get(id: string, opts: { includeDeleted?: boolean } = {}): Promise<Organization | undefined> {
    let q = this.db.selectFrom('organizations').selectAll().where('id', '=', id);
    if (!opts.includeDeleted) q = q.where('deleted_at', 'is', null);
    const r = await q.executeTakeFirst();
    return r && toOrganization(r);
  }

  /** Whether a live (not deleted) organization has this id. */
  async exists(id: string): Promise<boolean> {
    const r = await this.db.selectFrom('organizations').select('id').where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return r !== undefined;
  }

  /** Live organizations in creation order. */
  async list(page: PageRequest): Promise<Page<Organization>> {
    const q = this.db.selectFrom('organizations').selectAll().where('deleted_at', 'is', null);
    const cursor = (id: string) => this.db.selectFrom('organizations').select(['created_at', 'id']).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return keysetPage(q, page, { created: 'created_at', id: 'id' }, cursor, toOrganization);
  }

  /** Changes a live organization; undefined when there is none. */
  async update(id: string, patch: OrganizationPatch): Promise<Organization | undefined> {
    const set: Partial<OrganizationsTable> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.tier !== undefined) set.tier = patch.tier;
    if (Object.keys(set).length > 0) {
      await this.db.updateTable('organizations').set(set).where('id', '=', id).where('deleted_at', 'is', null).execute();
    }
    return this.get(id);
  }

  /** Marks a live organization deleted; false when there was none. */
  async softDelete(id: string): Promise<boolean> {
    const r = await this.db.updateTable('organizations').set({ deleted_at: this.clock.now() }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../clock.js';
import { toNumberOrNull } from '../side-view.js';
import { newId } from '../ids.js';
import { keysetPage, type Page, type PageRequest } from '../paging.js';
import type { Database, ServiceAccountsTable } from '../schema.js';
import type { ProjectRole } from './project-members.js';

/**
 * A service account's role in its project, as OpenAI's object names it: `member` when created
 * with its first key, `none` when created alone (`create_service_account_only`) until a role is
 * given; an update sets `owner` or `member` only. Its keys work while it exists, whatever the role.
 */
export type ServiceAccountRole = ProjectRole | 'none';

export interface ServiceAccount {
  id: string;
  orgId: string;
  projectId: string;
  name: string;
  role: ServiceAccountRole;
  createdAt: number;
  deletedAt: number | null;
}

const toAccount = (r: Selectable<ServiceAccountsTable>): ServiceAccount => ({
  id: r.id,
  orgId: r.org_id,
  projectId: r.project_id,
  name: r.name,
  role: r.role as ServiceAccountRole,
  createdAt: Number(r.created_at),
  deletedAt: toNumberOrNull(r.deleted_at),
});

/**
 * A service account's `users` row: the identity its keys act as (`api_keys.user_id`, the usage
 * ledger). Its address is under `.invalid`, so it can never receive mail or match a person.
 */
export const serviceAccountEmail = (id: string): string => `${id.toLowerCase()}@service-accounts.tollgate.invalid`;

/** Service accounts of projects: a bot identity whose keys do not depend on any person. */
export class ServiceAccountRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Creates the account and its identity row in one transaction. */
  async create(orgId: string, projectId: string, name: string, role: ServiceAccountRole = 'member'): Promise<ServiceAccount> {
    const row: Selectable<ServiceAccountsTable> = { id: newId.serviceAccount(), org_id: orgId, project_id: projectId, name, role, created_at: this.clock.now(), deleted_at: null };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({ id: row.id, email: serviceAccountEmail(row.id), name, created_at: row.created_at }).execute();
      await trx.insertInto('service_accounts').values(row).execute();
    });
    return toAccount(row);
  }

  /** A live service account of the project. */
  async get(projectId: string, id: string): Promise<ServiceAccount | undefined> {
    const r = await this.db.selectFrom('service_accounts').selectAll().where('id', '=', id).where('project_id', '=', projectId).where('deleted_at', 'is', null).executeTakeFirst();
    return r && toAccount(r);
  }

  async list(projectId: string, page: PageRequest): Promise<Page<ServiceAccount>> {
    const q = this.db.selectFrom('service_accounts').selectAll().where('project_id', '=', projectId).where('deleted_at', 'is', null);
    const cursor = (id: string) => this.db.selectFrom('service_accounts').select(['created_at', 'id']).where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
    return keysetPage(q, page, { created: 'created_at', id: 'id' }, cursor, toAccount);
  }

  /**
   * One page of an organization's live service accounts (of its active projects, or all with
   * `includeArchived`), newest first, each with its project's name, in one query.
   */
  async listInOrg(orgId: string, filter: { includeArchived: boolean }, page: PageRequest): Promise<Page<ServiceAccount & { projectName: string }>> {
    let q = this.db
      .selectFrom('service_accounts as sa')
      .innerJoin('projects as p', 'p.id', 'sa.project_id')
      .selectAll('sa')
      .select('p.name as project_name')
      .where('sa.org_id', '=', orgId)
      .where('sa.deleted_at', 'is', null);
    if (!filter.includeArchived) q = q.where('p.status', '=', 'active');
    const cursor = (id: string) => this.db.selectFrom('service_accounts').select(['created_at', 'id']).where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    return keysetPage(q, page, { created: 'sa.created_at', id: 'sa.id', direction: 'desc' }, cursor, (r) => ({ ...toAccount(r), projectName: r.project_name }));
  }

  /**
   * Renames the account and/or changes its role; its identity row keeps the same name. Undefined
   * when there is no live account of the project.
   */
  async update(projectId: string, id: string, changes: { name?: string; role?: ProjectRole }): Promise<ServiceAccount | undefined> {
    if (changes.name === undefined && changes.role === undefined) return this.get(projectId, id);
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('service_accounts').set(changes).where('id', '=', id).where('project_id', '=', projectId).where('deleted_at', 'is', null).executeTakeFirst();
      if (changes.name !== undefined && Number(r.numUpdatedRows) > 0) await trx.updateTable('users').set({ name: changes.name }).where('id', '=', id).execute();
    });
    return this.get(projectId, id);
  }

  /** Marks the account deleted; false when there was no live one. Its keys are revoked by the caller. */
  async delete(projectId: string, id: string): Promise<boolean> {
    const r = await this.db.updateTable('service_accounts').set({ deleted_at: this.clock.now() }).where('id', '=', id).where('project_id', '=', projectId).where('deleted_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import { ConflictError, isUniqueViolation } from '../errors.js';
import { keysetPage, type Page, type PageRequest } from '../paging.js';
import type { Database } from '../schema.js';

export const PROJECT_ROLES = ['owner', 'member'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];
export const isProjectRole = (x: unknown): x is ProjectRole => typeof x === 'string' && (PROJECT_ROLES as readonly string[]).includes(x);

/** A user's membership of a project, with the user's details. */
export interface ProjectMember {
  projectId: string;
  userId: string;
  email: string;
  name: string;
  role: ProjectRole;
  addedAt: number;
}

/**
 * Users of projects. The caller checks that the project belongs to the organization and that
 * the user is a member of it.
 */
export class ProjectMemberRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Throws ConflictError('membership_exists') when the user is in the project already. */
  async add(projectId: string, userId: string, role: ProjectRole): Promise<ProjectMember> {
    try {
      await this.db.insertInto('project_members').values({ project_id: projectId, user_id: userId, role, created_at: this.clock.now() }).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('membership_exists', `User ${userId} is already a member of project ${projectId}.`);
      throw e;
    }
    return (await this.get(projectId, userId))!;
  }

  /**
   * Adds a user to a project while it is active, unless they are a member already (then the
   * membership stays as it is); an archived project is left as it is (read-only). One statement,
   * so an archive committed before it is seen; inside the caller's transaction when `executor` is one.
   */
  async addIfActiveAndAbsent(projectId: string, userId: string, role: ProjectRole, executor: Kysely<Database> = this.db): Promise<void> {
    const createdAt = this.clock.now();
    await executor
      .insertInto('project_members')
      .columns(['project_id', 'user_id', 'role', 'created_at'])
      .expression((eb) =>
        eb
          .selectFrom('projects')
          .select([eb.val(projectId).as('project_id'), eb.val(userId).as('user_id'), eb.val(role).as('role'), eb.val(createdAt).as('created_at')])
          .where('id', '=', projectId)
          .where('status', '=', 'active'),
      )
      .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
      .execute();
  }

  async get(projectId: string, userId: string): Promise<ProjectMember | undefined> {
    const r = await this.members().where('pm.project_id', '=', projectId).where('pm.user_id', '=', userId).executeTakeFirst();
    return r && toMember(r);
  }

  async setRole(projectId: string, userId: string, role: ProjectRole): Promise<ProjectMember | undefined> {
    await this.db.updateTable('project_members').set({ role }).where('project_id', '=', projectId).where('user_id', '=', userId).execute();
    return this.get(projectId, userId);
  }

  async remove(projectId: string, userId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('project_members').where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The user's role in each project of the organization they are a member of, by project id. */
  async rolesOf(orgId: string, userId: string): Promise<Map<string, ProjectRole>> {
    const rows = await this.db
      .selectFrom('project_members as pm')
      .innerJoin('projects as p', 'p.id', 'pm.project_id')
      .select(['pm.project_id', 'pm.role'])
      .where('p.org_id', '=', orgId)
      .where('pm.user_id', '=', userId)
      .execute();
    return new Map(rows.map((r) => [r.project_id, r.role as ProjectRole]));
  }

  /** Members in the order they were added; `after` is a user id. */
  async list(projectId: string, page: PageRequest): Promise<Page<ProjectMember>> {
    const q = this.members().where('pm.project_id', '=', projectId);
    const cursor = (userId: string) => this.db.selectFrom('project_members').select(['created_at', 'user_id as id']).where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
    return keysetPage(q, page, { created: 'pm.created_at', id: 'pm.user_id' }, cursor, toMember);
  }

  private members() {
    return this.db
      .selectFrom('project_members as pm')
      .innerJoin('users as u', 'u.id', 'pm.user_id')
      .select(['pm.project_id', 'pm.user_id', 'pm.role', 'pm.created_at', 'u.email', 'u.name']);
  }
}

function toMember(r: { project_id: string; user_id: string; role: string; created_at: number; email: string; name: string }): ProjectMember {
  return { projectId: r.project_id, userId: r.user_id, email: r.email, name: r.name, role: r.role as ProjectRole, addedAt: Number(r.created_at) };
}

/**
 * Removes a user from every project of an organization: part of leaving the organization, run by
 * the memberships repository in the transaction that removes the membership.
 */
export async function leaveOrganizationProjects(executor: Kysely<Database>, orgId: string, userId: string): Promise<void> {
  await executor
    .deleteFrom('project_members')
    .where('user_id', '=', userId)
    .where('project_id', 'in', (eb) => eb.selectFrom('projects').select('id').where('org_id', '=', orgId))
    .execute();
}

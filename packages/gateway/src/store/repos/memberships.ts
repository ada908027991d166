import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import { ConflictError, isUniqueViolation } from '../errors.js';
import { keysetPage, type Page, type PageRequest } from '../paging.js';
import type { Database } from '../schema.js';
import { revokeAdminKeysOf, type RevokedAdminKey } from './admin-api-keys.js';
import { lockOrganization } from './organization-lock.js';
import { leaveOrganizationProjects } from './project-members.js';

/**
 * A user's role in an organization: OpenAI's organization roles. (`member`, which meant reader,
 * is gone: migration 0021 made its rows `reader`.)
 */
export const ROLES = ['owner', 'reader'] as const;
export type Role = (typeof ROLES)[number];

export interface Membership {
  orgId: string;
  userId: string;
  role: Role;
  createdAt: number;
}

/**
 * What a role change or removal did: `outcome`, and the admin keys the removal deleted (a
 * removed member's admin keys go with the membership, in its transaction; none otherwise).
 */
export interface MembershipChange<O extends string = 'changed' | 'not_found' | 'last_owner'> {
  outcome: O;
  revokedAdminKeys: RevokedAdminKey[];
}

/** A membership with the user's details, as member lists show it. */
export interface Member extends Membership {
  email: string;
  name: string;
}

export class MembershipRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /**
   * Adds a user to an organization. The caller checks that both exist; a duplicate throws
   * ConflictError('membership_exists') (decided by the primary key, so concurrent adds are safe).
   */
  async add(orgId: string, userId: string, role: Role): Promise<Membership> {
    const row = { org_id: orgId, user_id: userId, role, created_at: this.clock.now() };
    try {
      await this.db.insertInto('memberships').values(row).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('membership_exists', `User ${userId} is already a member of organization ${orgId}.`);
      throw e;
    }
    return { orgId, userId, role, createdAt: row.created_at };
  }

  /**
   * Adds a user to an organization unless they are a member already (then the membership stays
   * as it is); inside the caller's transaction when `executor` is one.
   */
  async addIfAbsent(orgId: string, userId: string, role: Role, executor: Kysely<Database> = this.db): Promise<void> {
    await executor
      .insertInto('memberships')
      .values({ org_id: orgId, user_id: userId, role, created_at: this.clock.now() })
      .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
      .execute();
  }

  async get(orgId: string, userId: string): Promise<Member | undefined> {
    const r = await this.members().where('m.org_id', '=', orgId).where('m.user_id', '=', userId).executeTakeFirst();
    return r && toMember(r);
  }

  /**
   * Gives a member `role`, or removes the member (`'removed'`, which also deletes the admin keys
   * they own in the organization), unless the member is the organization's last owner and would
   * stop being one: 'last_owner', and nothing changes. 'not_found' when there is no such member.
   * The check and the change are one transaction that first takes the organization's row lock, so
   * of two owners demoting each other at once one is refused (the second reads the owners after
   * the first has committed).
   */
  async changeKeepingAnOwner(orgId: string, userId: string, change: Role | 'removed'): Promise<MembershipChange> {
    return this.db.transaction().execute(async (trx) => {
      await lockOrganization(trx, orgId);
      const owners = await trx.selectFrom('memberships').select('user_id').where('org_id', '=', orgId).where('role', '=', 'owner').execute();
      if (change !== 'owner' && owners.length === 1 && owners[0]!.user_id === userId) return { outcome: 'last_owner', revokedAdminKeys: [] };
      if (change === 'removed') return this.removeIn(trx, orgId, userId);
      const r = await trx.updateTable('memberships').set({ role: change }).where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return { outcome: Number(r.numUpdatedRows) > 0 ? 'changed' : 'not_found', revokedAdminKeys: [] };
    });
  }

  /**
   * Removes a membership, the user's places in the organization's projects and their admin keys
   * of the organization; 'not_found' (and nothing changes) when there was no membership. Under
   * the organization's row lock, like every change of who its owners are, so an admin key being
   * issued to the user at the same moment (AdminApiKeyRepo.insert) is either deleted here or refused.
   */
  async remove(orgId: string, userId: string): Promise<MembershipChange<'changed' | 'not_found'>> {
    return this.db.transaction().execute(async (trx) => {
      await lockOrganization(trx, orgId);
      return this.removeIn(trx, orgId, userId);
    });
  }

  private async removeIn(trx: Kysely<Database>, orgId: string, userId: string): Promise<MembershipChange<'changed' | 'not_found'>> {
    await leaveOrganizationProjects(trx, orgId, userId);
    const r = await trx.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) return { outcome: 'not_found', revokedAdminKeys: [] };
    return { outcome: 'changed', revokedAdminKeys: await revokeAdminKeysOf(trx, orgId, userId, this.clock.now()) };
  }

  /** Members of an organization in the order they were added; `after` is a user id. */
  async list(orgId: string, page: PageRequest, filter: { emails?: string[] } = {}): Promise<Page<Member>> {
    let q = this.members().where('m.org_id', '=', orgId);
    if (filter.emails?.length) q = q.where('u.email', 'in', filter.emails.map((e) => e.toLowerCase()));
    const cursor = (userId: string) => this.db.selectFrom('memberships').select(['created_at', 'user_id as id']).where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
    return keysetPage(q, page, { created: 'm.created_at', id: 'm.user_id' }, cursor, toMember);
  }

  private members() {
    return this.db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.org_id', 'm.user_id', 'm.role', 'm.created_at', 'u.email', 'u.name']);
  }
}

function toMember(r: { org_id: string; user_id: string; role: string; created_at: number; email: string; name: string }): Member {
  return { orgId: r.org_id, userId: r.user_id, role: r.role as Role, createdAt: r.created_at, email: r.email, name: r.name };
}

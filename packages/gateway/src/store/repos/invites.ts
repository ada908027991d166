import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../clock.js';
import { toNumberOrNull } from '../side-view.js';
import { newId } from '../ids.js';
import { keysetPage, type Page, type PageRequest } from '../paging.js';
import type { Database, InvitesTable } from '../schema.js';

export interface InviteProject {
  id: string;
  role: 'member' | 'owner';
}

/** An invitation as stored: the token only as its SHA-256. */
export interface InviteRecord {
  id: string;
  orgId: string;
  email: string;
  role: 'owner' | 'reader';
  /** null: none named, stored before invites named the Default project they join (read as it). */
  projects: InviteProject[] | null;
  tokenHash: string;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
  acceptedUserId: string | null;
}

function toRecord(r: Selectable<InvitesTable>): InviteRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    email: r.email,
    role: r.role as InviteRecord['role'],
    projects: r.projects === null ? null : (JSON.parse(r.projects) as InviteProject[]),
    tokenHash: r.token_hash,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    acceptedAt: toNumberOrNull(r.accepted_at),
    acceptedUserId: r.accepted_user_id,
  };
}

/** Invitations; every read but the token lookup is scoped to one organization; deleted ones are never returned. */
export class InviteRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async insert(i: { orgId: string; email: string; role: InviteRecord['role']; projects: InviteProject[] | null; tokenHash: string; expiresAt: number }): Promise<InviteRecord> {
    const row: Selectable<InvitesTable> = {
      id: newId.invite(),
      org_id: i.orgId,
      email: i.email.toLowerCase(),
      role: i.role,
      projects: i.projects === null ? null : JSON.stringify(i.projects),
      token_hash: i.tokenHash,
      created_at: this.clock.now(),
      expires_at: i.expiresAt,
      accepted_at: null,
      accepted_user_id: null,
      deleted_at: null,
    };
    await this.db.insertInto('invites').values(row).execute();
    return toRecord(row);
  }

  async get(orgId: string, id: string): Promise<InviteRecord | undefined> {
    const r = await this.db.selectFrom('invites').selectAll().where('org_id', '=', orgId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return r && toRecord(r);
  }

  async findByTokenHash(tokenHash: string): Promise<InviteRecord | undefined> {
    const r = await this.db.selectFrom('invites').selectAll().where('token_hash', '=', tokenHash).where('deleted_at', 'is', null).executeTakeFirst();
    return r && toRecord(r);
  }

  async list(orgId: string, page: PageRequest): Promise<Page<InviteRecord>> {
    const q = this.db.selectFrom('invites').selectAll().where('org_id', '=', orgId).where('deleted_at', 'is', null);
    const cursor = (id: string) => this.db.selectFrom('invites').select(['created_at', 'id']).where('org_id', '=', orgId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return keysetPage(q, page, { created: 'created_at', id: 'id' }, cursor, toRecord);
  }

  /** Deletes a pending invitation; false when it is gone or was accepted meanwhile. */
  async delete(orgId: string, id: string): Promise<boolean> {
    const r = await this.db.updateTable('invites').set({ deleted_at: this.clock.now() }).where('org_id', '=', orgId).where('id', '=', id).where('deleted_at', 'is', null).where('accepted_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Marks a pending, unexpired invitation accepted by `userId`, once: of two concurrent accepts
   * exactly one gets true. Pass the transaction that adds the membership.
   */
  async markAccepted(id: string, userId: string, at: number, executor: Kysely<Database> = this.db): Promise<boolean> {
    const r = await executor
      .updateTable('invites')
      .set({ accepted_at: at, accepted_user_id: userId })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../clock.js';
import { toNumberOrNull } from '../side-view.js';
import { newId } from '../ids.js';
import { keysetPage, type Page, type PageRequest } from '../paging.js';
import type { AdminApiKeysTable, Database } from '../schema.js';
import { lockOrganization } from './organization-lock.js';

/** An organization admin key as stored: its HMAC and redacted form, never the key. */
export interface AdminApiKeyRecord {
  id: string;
  orgId: string;
  ownerUserId: string | null;
  name: string;
  keyHash: string;
  redacted: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  deletedAt: number | null;
}

/** The key's owner as the admin-key object shows it (null: no owner). */
export interface AdminKeyOwner {
  id: string;
  name: string;
  email: string;
  createdAt: number;
  role: string | null;
}

export interface AdminApiKeyWithOwner extends AdminApiKeyRecord {
  owner: AdminKeyOwner | null;
}

function toRecord(r: Selectable<AdminApiKeysTable>): AdminApiKeyRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    ownerUserId: r.owner_user_id,
    name: r.name,
    keyHash: r.key_hash,
    redacted: r.redacted,
    createdAt: Number(r.created_at),
    expiresAt: toNumberOrNull(r.expires_at),
    lastUsedAt: toNumberOrNull(r.last_used_at),
    deletedAt: toNumberOrNull(r.deleted_at),
  };
}

type OwnerColumns = { owner_name: string | null; owner_email: string | null; owner_created_at: number | null; owner_role: string | null };

function withOwner(r: Selectable<AdminApiKeysTable> & OwnerColumns): AdminApiKeyWithOwner {
  const rec = toRecord(r);
  const owner =
    rec.ownerUserId === null || r.owner_email === null
      ? null
      : { id: rec.ownerUserId, name: r.owner_name ?? '', email: r.owner_email, createdAt: Number(r.owner_created_at), role: r.owner_role };
  return { ...rec, owner };
}

/** An admin key deleted because its owner left the organization: what the audit log and the log name. */
export interface RevokedAdminKey {
  id: string;
  redacted: string;
}

/**
 * Deletes the live admin keys `userId` owns in `orgId`, inside the caller's transaction (the
 * membership's removal): an admin key acts for an owner of its organization, and one who left is
 * none. Deleted, not suspended, so adding the user back never revives a key.
 */
export async function revokeAdminKeysOf(executor: Kysely<Database>, orgId: string, userId: string, at: number): Promise<RevokedAdminKey[]> {
  const keys = await executor
    .selectFrom('admin_api_keys')
    .select(['id', 'redacted'])
    .where('org_id', '=', orgId)
    .where('owner_user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  if (keys.length === 0) return [];
  await executor
    .updateTable('admin_api_keys')
    .set({ deleted_at: at })
    .where('id', 'in', keys.map((k) => k.id))
    .where('deleted_at', 'is', null)
    .execute();
  return keys;
}

/** Organization admin keys. Every read is scoped to one organization; deleted keys are never returned. */
export class AdminApiKeyRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /**
   * Stores a new admin key of `orgId` acting for `ownerUserId`, or none (undefined) when that user
   * is not an owner of the organization at this moment. The check and the insert are one
   * transaction under the organization's row lock, which a member's removal also takes
   * (memberships.ts): a removal that ran first is seen here, one that runs after deletes this key.
   * Without it a key issued while its owner was being removed outlived the removal, and came back
   * to life when the user was added again.
   */
  async insert(k: { orgId: string; ownerUserId: string | null; name: string; keyHash: string; redacted: string; expiresAt: number | null }): Promise<AdminApiKeyWithOwner | undefined> {
    const row: Selectable<AdminApiKeysTable> = {
      id: newId.adminApiKey(),
      org_id: k.orgId,
      owner_user_id: k.ownerUserId,
      name: k.name,
      key_hash: k.keyHash,
      redacted: k.redacted,
      created_at: this.clock.now(),
      expires_at: k.expiresAt,
      last_used_at: null,
      deleted_at: null,
    };
    const stored = await this.db.transaction().execute(async (trx) => {
      await lockOrganization(trx, k.orgId);
      if (k.ownerUserId !== null) {
        const m = await trx.selectFrom('memberships').select('role').where('org_id', '=', k.orgId).where('user_id', '=', k.ownerUserId).executeTakeFirst();
        if (m?.role !== 'owner') return false;
      }
      await trx.insertInto('admin_api_keys').values(row).execute();
      return true;
    });
    return stored ? (await this.get(k.orgId, row.id))! : undefined;
  }

  async get(orgId: string, id: string): Promise<AdminApiKeyWithOwner | undefined> {
    const r = await this.withOwners().where('k.org_id', '=', orgId).where('k.id', '=', id).where('k.deleted_at', 'is', null).executeTakeFirst();
    return r && withOwner(r);
  }

  /** Live keys of an organization in creation order (`asc`) or newest first (`desc`). */
  async list(orgId: string, page: PageRequest, order: 'asc' | 'desc' = 'asc'): Promise<Page<AdminApiKeyWithOwner>> {
    const q = this.withOwners().where('k.org_id', '=', orgId).where('k.deleted_at', 'is', null);
    const cursor = (id: string) => this.db.selectFrom('admin_api_keys').select(['created_at', 'id']).where('org_id', '=', orgId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return keysetPage(q, page, { created: 'k.created_at', id: 'k.id', direction: order }, cursor, withOwner);
  }

  /** Marks a live key deleted; the record as it was, or undefined when there was none. */
  async delete(orgId: string, id: string): Promise<AdminApiKeyWithOwner | undefined> {
    const k = await this.get(orgId, id);
    if (!k) return undefined;
    const r = await this.db.updateTable('admin_api_keys').set({ deleted_at: this.clock.now() }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0 ? k : undefined;
  }

  /** The live key with this hash whose organization is live, or undefined. */
  async findForAuth(keyHash: string): Promise<AdminApiKeyWithOwner | undefined> {
    const r = await this.withOwners()
      .innerJoin('organizations as o', 'o.id', 'k.org_id')
      .where('k.key_hash', '=', keyHash)
      .where('k.deleted_at', 'is', null)
      .where('o.deleted_at', 'is', null)
      .executeTakeFirst();
    return r && withOwner(r);
  }

  /** Records a use (never moving the time backwards). */
  async touch(id: string, at: number): Promise<void> {
    await this.db
      .updateTable('admin_api_keys')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
      .execute();
  }

  private withOwners() {
    return this.db
      .selectFrom('admin_api_keys as k')
      .leftJoin('users as u', 'u.id', 'k.owner_user_id')
      .leftJoin('memberships as m', (j) => j.onRef('m.org_id', '=', 'k.org_id').onRef('m.user_id', '=', 'k.owner_user_id'))
      .selectAll('k')
      .select(['u.name as owner_name', 'u.email as owner_email', 'u.created_at as owner_created_at', 'm.role as owner_role']);
  }
}

import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../clock.js';
import { newId } from '../ids.js';
import { afterCursor, cursorMissing, toPage, type Page, type PageRequest } from '../paging.js';
import type { ApiKeysTable, Database } from '../schema.js';
import type { Role } from './memberships.js';

export const KEY_PERMISSIONS = ['all', 'read_only', 'restricted'] as const;
export type KeyPermissions = (typeof KEY_PERMISSIONS)[number];
export type KeyStatus = 'active' | 'revoked';

/** An API key as stored: the hash and the redacted form, never the key. */
export interface ApiKeyRecord {
  id: string;
  orgId: string;
  userId: string;
  name: string;
  keyHash: string;
  redacted: string;
  status: KeyStatus;
  permissions: KeyPermissions;
  scopes: string[];
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface NewApiKey {
  orgId: string;
  userId: string;
  name: string;
  keyHash: string;
  redacted: string;
  permissions: KeyPermissions;
  scopes: string[];
  expiresAt: number | null;
}

/** What authentication needs about a key, read in one query. */
export interface AuthRecord {
  key: ApiKeyRecord;
  org: { id: string; name: string; tier: string; deletedAt: number | null; modelsRestricted: boolean };
  /** The user's role in the key's organization; null when no longer a member. */
  role: Role | null;
}

function toKey(r: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    userId: r.user_id,
    name: r.name,
    keyHash: r.key_hash,
    redacted: r.redacted,
    status: r.status as KeyStatus,
    permissions: r.permissions as KeyPermissions,
    scopes: JSON.parse(r.scopes) as string[],
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export class ApiKeyRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async insert(k: NewApiKey): Promise<ApiKeyRecord> {
    const row: Selectable<ApiKeysTable> = {
      id: newId.apiKey(),
      org_id: k.orgId,
      user_id: k.userId,
      name: k.name,
      key_hash: k.keyHash,
      redacted: k.redacted,
      status: 'active',
      permissions: k.permissions,
      scopes: JSON.stringify(k.scopes),
      created_at: this.clock.now(),
      expires_at: k.expiresAt,
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return toKey(row);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toKey(r);
  }

  /** Keys in creation order, optionally of one organization and/or one user. */
  async list(filter: { orgId?: string; userId?: string }, page: PageRequest): Promise<Page<ApiKeyRecord>> {
    let q = this.db.selectFrom('api_keys').selectAll();
    if (filter.orgId !== undefined) q = q.where('org_id', '=', filter.orgId);
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (page.after !== undefined) {
      const c = await this.db.selectFrom('api_keys').select(['created_at', 'id']).where('id', '=', page.after).executeTakeFirst();
      if (!c) return cursorMissing();
      q = q.where(afterCursor('created_at', 'id', c));
    }
    const rows = await q.orderBy('created_at').orderBy('id').limit(page.limit + 1).execute();
    return toPage(rows, page.limit, toKey);
  }

  /** Revokes a key (once: revoking again keeps the first time). Undefined when there is no such key. */
  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    await this.db.updateTable('api_keys').set({ status: 'revoked', revoked_at: this.clock.now() }).where('id', '=', id).where('status', '=', 'active').execute();
    return this.get(id);
  }

  /** Re-hashes a key (secret rotation); only if it still has `from`, so concurrent re-hashes agree. */
  async replaceHash(id: string, from: string, to: string): Promise<void> {
    await this.db.updateTable('api_keys').set({ key_hash: to }).where('id', '=', id).where('key_hash', '=', from).execute();
  }

  /** The key with this hash, its organization and its user's membership, in one round trip. */
  async findForAuth(keyHash: string): Promise<AuthRecord | undefined> {
    const r = await this.db
      .selectFrom('api_keys as k')
      .innerJoin('organizations as o', 'o.id', 'k.org_id')
      .leftJoin('memberships as m', (j) => j.onRef('m.org_id', '=', 'k.org_id').onRef('m.user_id', '=', 'k.user_id'))
      .selectAll('k')
      .select(['o.name as org_name', 'o.tier as org_tier', 'o.deleted_at as org_deleted_at', 'o.models_restricted as org_models_restricted', 'm.role as member_role'])
      .where('k.key_hash', '=', keyHash)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      key: toKey(r),
      org: { id: r.org_id, name: r.org_name, tier: r.org_tier, deletedAt: r.org_deleted_at, modelsRestricted: r.org_models_restricted === 1 },
      role: (r.member_role ?? null) as Role | null,
    };
  }

  /**
   * Writes buffered last-use times in one transaction. A time never moves backwards, so flushes
   * from several gateway instances can interleave in any order.
   */
  async touchLastUsed(entries: ReadonlyArray<readonly [keyId: string, at: number]>): Promise<void> {
    if (entries.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const [id, at] of entries) {
        await trx
          .updateTable('api_keys')
          .set({ last_used_at: at })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
          .execute();
      }
    });
  }
}

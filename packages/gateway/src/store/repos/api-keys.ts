import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../clock.js';
import { newId } from '../ids.js';
import { keysetPage, type Page, type PageRequest } from '../paging.js';
import type { ApiKeysTable, Database } from '../schema.js';
import type { Role } from './memberships.js';
import { jsonList, type ModelPermissions, type ModelPermissionMode, type ProjectStatus } from './projects.js';

export const KEY_PERMISSIONS = ['all', 'read_only', 'restricted'] as const;
export type KeyPermissions = (typeof KEY_PERMISSIONS)[number];
export type KeyStatus = 'active' | 'revoked';
/** Who a project key belongs to: a user (`sk-proj-…`) or a service account (`sk-svcacct-…`). */
export type KeyOwnerType = 'user' | 'service_account';

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
  /** The key's project; null only for a row written before projects existed and not migrated. */
  projectId: string | null;
  ownerType: KeyOwnerType;
  /** CIDR blocks of the key's own allowlist; empty = none of its own. */
  ipAllowlist: string[];
}

export interface NewApiKey {
  orgId: string;
  /** Default: the organization's Default project. */
  projectId?: string;
  /** Default `user`. For a service account, `userId` is the service account's id. */
  ownerType?: KeyOwnerType;
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
  org: { id: string; name: string; tier: string; deletedAt: number | null; modelsRestricted: boolean; ipAllowlist: string[] };
  /** The user's role in the key's organization; null when no longer a member (or a service account). */
  role: Role | null;
  /** The key's project; null for a key without one (not migrated). */
  project: { id: string; name: string; isDefault: boolean; status: ProjectStatus; modelPermissions: ModelPermissions | null; ipAllowlist: string[] } | null;
  /** The user's role in the key's project; null when not a member of it. */
  projectRole: string | null;
  /** The owning service account (keys owned by one); `deleted` once it was deleted. */
  serviceAccount: { id: string; role: string; deleted: boolean } | null;
}

/** A live key of an organization with its project and its owner as a key list shows them (`listInOrg`). */
export interface OrgKey {
  key: ApiKeyRecord;
  project: { id: string; name: string; isDefault: boolean };
  /** A user's key: the user and their roles (`orgRole` null: no longer a member; `projectRole` null: not a member of the project). */
  user: { email: string; name: string; createdAt: number; orgRole: Role | null; projectRole: string | null } | null;
  /** A service account's key: the account. */
  serviceAccount: { name: string; role: string; createdAt: number; deleted: boolean } | null;
}

/**
 * Which of an organization's live keys `listInOrg` lists. `access`: by whether the key's owner may
 * still use it (`owner_project_access` of the project lists): `active`, `inactive` or `any`.
 * `includeArchived`: keys of archived projects too.
 */
export interface OrgKeyFilter {
  access: 'active' | 'inactive' | 'any';
  includeArchived: boolean;
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
    projectId: r.project_id,
    ownerType: r.owner_type as KeyOwnerType,
    ipAllowlist: jsonList(r.ip_allowlist),
  };
}

export class ApiKeyRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Inserts a key; without `projectId` it goes into the organization's Default project. */
  async insert(k: NewApiKey): Promise<ApiKeyRecord> {
    const projectId =
      k.projectId ?? (await this.db.selectFrom('projects').select('id').where('org_id', '=', k.orgId).where('is_default', '=', 1).executeTakeFirst())?.id ?? null;
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
      project_id: projectId,
      owner_type: k.ownerType ?? 'user',
      ip_allowlist: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return toKey(row);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toKey(r);
  }

  /** Keys in creation order, optionally of one organization, project and/or user (or service account). */
  async list(filter: { orgId?: string; projectId?: string; userId?: string; status?: KeyStatus }, page: PageRequest): Promise<Page<ApiKeyRecord>> {
    let q = this.db.selectFrom('api_keys').selectAll();
    if (filter.orgId !== undefined) q = q.where('org_id', '=', filter.orgId);
    if (filter.projectId !== undefined) q = q.where('project_id', '=', filter.projectId);
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    const cursor = (id: string) => this.db.selectFrom('api_keys').select(['created_at', 'id']).where('id', '=', id).executeTakeFirst();
    return keysetPage(q, page, { created: 'created_at', id: 'id' }, cursor, toKey);
  }

  /**
   * One page of an organization's live keys (in its active projects, or all with
   * `includeArchived`), newest first, each with its project and what its owner's row shows, in
   * one query (and one for the cursor). With `access`, only the keys whose owner may still use
   * them (`active`), or may not (`inactive`). "May still use": a service account not deleted; a
   * user who is a member of the organization and, outside the Default project, of the project or
   * an owner of the organization (organization/project-access.ts, the rule authentication
   * applies), written in SQL so that pages are full.
   */
  async listInOrg(orgId: string, filter: OrgKeyFilter, page: PageRequest): Promise<Page<OrgKey>> {
    let q = this.db
      .selectFrom('api_keys as k')
      .innerJoin('projects as p', 'p.id', 'k.project_id')
      .leftJoin('memberships as m', (j) => j.onRef('m.org_id', '=', 'k.org_id').onRef('m.user_id', '=', 'k.user_id'))
      .leftJoin('project_members as pm', (j) => j.onRef('pm.project_id', '=', 'k.project_id').onRef('pm.user_id', '=', 'k.user_id'))
      .leftJoin('users as u', 'u.id', 'k.user_id')
      .leftJoin('service_accounts as sa', 'sa.id', 'k.user_id')
      .selectAll('k')
      .select([
        'p.name as project_name',
        'p.is_default as project_is_default',
        'u.email as user_email',
        'u.name as user_name',
        'u.created_at as user_created_at',
        'm.role as member_role',
        'pm.role as project_role',
        'sa.name as sa_name',
        'sa.role as sa_role',
        'sa.created_at as sa_created_at',
        'sa.deleted_at as sa_deleted_at',
      ])
      .where('k.org_id', '=', orgId)
      .where('k.status', '=', 'active');
    if (!filter.includeArchived) q = q.where('p.status', '=', 'active');
    if (filter.access !== 'any') {
      // Each part is true or false, never null (a missing row is tested with `is null` first), so its negation is exact.
      q = q.where((eb) => {
        const usable = eb.or([
          eb.and([eb('k.owner_type', '=', 'service_account'), eb('sa.id', 'is not', null), eb('sa.deleted_at', 'is', null)]),
          eb.and([eb('k.owner_type', '=', 'user'), eb('m.role', 'is not', null), eb.or([eb('p.is_default', '=', 1), eb('m.role', '=', 'owner'), eb('pm.role', 'is not', null)])]),
        ]);
        return filter.access === 'active' ? usable : eb.not(usable);
      });
    }
    const cursor = (id: string) => this.db.selectFrom('api_keys').select(['created_at', 'id']).where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    return keysetPage(q, page, { created: 'k.created_at', id: 'k.id', direction: 'desc' }, cursor, (r) => ({
      key: toKey(r),
      project: { id: r.project_id!, name: r.project_name, isDefault: r.project_is_default === 1 },
      user:
        r.owner_type === 'user' && r.user_email !== null
          ? { email: r.user_email, name: r.user_name ?? '', createdAt: Number(r.user_created_at), orgRole: (r.member_role as Role | null) ?? null, projectRole: r.project_role }
          : null,
      serviceAccount: r.owner_type === 'service_account' && r.sa_name !== null ? { name: r.sa_name, role: r.sa_role ?? 'member', createdAt: Number(r.sa_created_at), deleted: r.sa_deleted_at !== null } : null,
    }));
  }

  /** Revokes a key (once: revoking again keeps the first time). Undefined when there is no such key. */
  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    await this.db.updateTable('api_keys').set({ status: 'revoked', revoked_at: this.clock.now() }).where('id', '=', id).where('status', '=', 'active').execute();
    return this.get(id);
  }

  /** Revokes every active key of an owner (a deleted service account); returns their ids. */
  async revokeOwnedBy(userId: string): Promise<string[]> {
    const ids = (await this.db.selectFrom('api_keys').select('id').where('user_id', '=', userId).where('status', '=', 'active').execute()).map((r) => r.id);
    if (ids.length > 0) await this.db.updateTable('api_keys').set({ status: 'revoked', revoked_at: this.clock.now() }).where('id', 'in', ids).where('status', '=', 'active').execute();
    return ids;
  }

  /** Replaces a key's own IP allowlist; false when there is no such key. */
  async setIpAllowlist(id: string, cidrs: string[]): Promise<boolean> {
    const r = await this.db.updateTable('api_keys').set({ ip_allowlist: cidrs.length === 0 ? null : JSON.stringify(cidrs) }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
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
      .leftJoin('projects as p', 'p.id', 'k.project_id')
      .leftJoin('project_members as pm', (j) => j.onRef('pm.project_id', '=', 'k.project_id').onRef('pm.user_id', '=', 'k.user_id'))
      .leftJoin('service_accounts as sa', 'sa.id', 'k.user_id')
      .selectAll('k')
      .select([
        'o.name as org_name',
        'o.tier as org_tier',
        'o.deleted_at as org_deleted_at',
        'o.models_restricted as org_models_restricted',
        'o.ip_allowlist as org_ip_allowlist',
        'm.role as member_role',
        'p.name as project_name',
        'p.is_default as project_is_default',
        'p.status as project_status',
        'p.model_mode as project_model_mode',
        'p.model_ids as project_model_ids',
        'p.ip_allowlist as project_ip_allowlist',
        'pm.role as project_role',
        'sa.id as sa_id',
        'sa.role as sa_role',
        'sa.deleted_at as sa_deleted_at',
      ])
      .where('k.key_hash', '=', keyHash)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      key: toKey(r),
      org: { id: r.org_id, name: r.org_name, tier: r.org_tier, deletedAt: r.org_deleted_at, modelsRestricted: r.org_models_restricted === 1, ipAllowlist: jsonList(r.org_ip_allowlist) },
      role: (r.member_role ?? null) as Role | null,
      project:
        r.project_id === null || r.project_name === null
          ? null
          : {
              id: r.project_id,
              name: r.project_name,
              isDefault: r.project_is_default === 1,
              status: r.project_status as ProjectStatus,
              modelPermissions: r.project_model_mode ? { mode: r.project_model_mode as ModelPermissionMode, modelIds: jsonList(r.project_model_ids) } : null,
              ipAllowlist: jsonList(r.project_ip_allowlist),
            },
      projectRole: r.project_role ?? null,
      serviceAccount: r.owner_type === 'service_account' && r.sa_id ? { id: r.sa_id, role: r.sa_role ?? 'member', deleted: r.sa_deleted_at !== null } : null,
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

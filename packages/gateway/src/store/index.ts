/**
 * The durable store: Kysely over SQLite (better-sqlite3, the embedded default) or PostgreSQL
 * (pg), one schema and one migration set for both, applied at open. Call sites use the typed
 * repositories below, or `db` for queries of their own.
 *
 * ```ts
 * const store = await openStore('sqlite:./data/tollgate.db');
 * const org = await store.organizations.create({ name: 'Acme', tier: 'free' });
 * await store.close();
 * ```
 * @module
 */
import { sql, type Kysely } from 'kysely';
import { systemClock, type Clock } from '../clock.js';
import { connect, DEFAULT_TIMEOUTS, type Connection, type Dialect, type Timeouts } from './connect.js';
import { migrateToLatest } from './migrate.js';
import { AdminApiKeyRepo } from './repos/admin-api-keys.js';
import { ApiKeyRepo } from './repos/api-keys.js';
import { AuditLogRepo } from './repos/audit-logs.js';
import { InviteRepo } from './repos/invites.js';
import { MembershipRepo } from './repos/memberships.js';
import { ModelAccessRepo } from './repos/model-access.js';
import { OrganizationRepo } from './repos/organizations.js';
import { ProjectRepo } from './repos/projects.js';
import { ProjectMemberRepo } from './repos/project-members.js';
import { ServiceAccountRepo } from './repos/service-accounts.js';
import { RateLimitRepo } from './repos/rate-limits.js';
import { SettingsRepo } from './repos/settings.js';
import { SpendAlertRepo } from './repos/spend-alerts.js';
import { UserRepo } from './repos/users.js';
import type { Database } from './schema.js';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Organization admin keys (`sk-admin-…`). */
  readonly adminApiKeys: AdminApiKeyRepo;
  readonly auditLogs: AuditLogRepo;
  readonly invites: InviteRepo;
  readonly organizations: OrganizationRepo;
  readonly users: UserRepo;
  readonly memberships: MembershipRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly modelAccess: ModelAccessRepo;
  readonly rateLimits: RateLimitRepo;
  readonly projects: ProjectRepo;
  readonly projectMembers: ProjectMemberRepo;
  readonly serviceAccounts: ServiceAccountRepo;
  readonly settings: SettingsRepo;
  /** Spend alerts of organizations and projects. */
  readonly spendAlerts: SpendAlertRepo;
  /** Whether the database answers a trivial query within `timeoutMs` (readiness); never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens the database named by `url` (`sqlite:<path>`, `sqlite::memory:`, or
 * `postgres://...[?schema=name]`) and migrates it to the latest schema.
 */
export async function openStore(url: string, opts: { clock?: Clock; timeouts?: Timeouts } = {}): Promise<Store> {
  const clock = opts.clock ?? systemClock;
  const connection = await connect(url, opts.timeouts);
  const { db, dialect } = connection;
  try {
    await migrate(url, connection, opts.timeouts);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  let closed: Promise<void> | undefined;
  return {
    db,
    dialect,
    adminApiKeys: new AdminApiKeyRepo(db, clock),
    auditLogs: new AuditLogRepo(db),
    invites: new InviteRepo(db, clock),
    organizations: new OrganizationRepo(db, clock),
    users: new UserRepo(db, clock),
    memberships: new MembershipRepo(db, clock),
    apiKeys: new ApiKeyRepo(db, clock),
    modelAccess: new ModelAccessRepo(db),
    rateLimits: new RateLimitRepo(db),
    projects: new ProjectRepo(db, clock),
    projectMembers: new ProjectMemberRepo(db, clock),
    serviceAccounts: new ServiceAccountRepo(db, clock),
    settings: new SettingsRepo(db),
    spendAlerts: new SpendAlertRepo(db, clock),
    ping: (timeoutMs = 2000) => ping(db, timeoutMs),
    close: () => (closed ??= db.destroy()),
  };
}

/**
 * Applies the migrations. On PostgreSQL they run on a connection of their own without the query
 * timeout: that timeout bounds what a request waits for, while a migration may index or rewrite
 * the usage ledger (an index on a million events takes longer than the default 3 s), and an
 * instance starting while another migrates waits for it on Kysely's lock. That connection's
 * introspection sees the store's schema only, so that a schema dropped meanwhile elsewhere in the
 * database does not fail the migration (store/schema-introspector.ts). SQLite has no query
 * timeout, and `sqlite::memory:` is only the store's own connection.
 */
async function migrate(url: string, c: Connection, timeouts: Timeouts = DEFAULT_TIMEOUTS): Promise<void> {
  if (c.dialect !== 'postgres') {
    await migrateToLatest(c.db, c.schema);
    return;
  }
  const m = await connect(url, { ...timeouts, queryMs: 0 }, 'migrations');
  try {
    await migrateToLatest(m.db, m.schema);
  } finally {
    await m.db.destroy();
  }
}

async function ping(db: Kysely<Database>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      sql`select 1`.execute(db).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export type { Dialect } from './connect.js';
export type { Database } from './schema.js';
export type { Page, PageRequest } from './paging.js';
export { ConflictError, isUniqueViolation } from './errors.js';
export type { Organization, OrganizationPatch } from './repos/organizations.js';
export type { User } from './repos/users.js';
export { ROLES, type Role, type Membership, type Member, type MembershipChange } from './repos/memberships.js';
export { MODEL_PERMISSION_MODES, type Project, type ProjectStatus, type ModelPermissions, type ModelPermissionMode } from './repos/projects.js';
export { PROJECT_ROLES, isProjectRole, type ProjectRole, type ProjectMember } from './repos/project-members.js';
export type { ServiceAccount } from './repos/service-accounts.js';
export { KEY_PERMISSIONS, type KeyOwnerType, type KeyPermissions, type KeyStatus, type ApiKeyRecord, type NewApiKey, type AuthRecord, type OrgKey, type OrgKeyFilter } from './repos/api-keys.js';
export { LIMIT_FIELDS, isEmptyOverride, type LimitField, type LimitOverride } from './repos/rate-limits.js';
export type { AdminApiKeyRecord, AdminApiKeyWithOwner, AdminKeyOwner, RevokedAdminKey } from './repos/admin-api-keys.js';
export type { InviteRecord, InviteProject } from './repos/invites.js';
export type { AuditLogRecord, AuditLogFilter, NewAuditLog } from './repos/audit-logs.js';
export type { SpendAlert, SpendAlertInput, AlertScope } from './repos/spend-alerts.js';
export { OrganizationRepo, UserRepo, MembershipRepo, ApiKeyRepo, ModelAccessRepo, RateLimitRepo, SettingsRepo, ProjectRepo, ProjectMemberRepo, ServiceAccountRepo };

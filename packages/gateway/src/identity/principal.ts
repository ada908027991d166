import type { KeyOwnerType, KeyPermissions, ModelPermissions, Role } from '../store/index.js';
import type { Allowlist } from './ip-allowlist.js';

/** Who is calling: the result of authentication, read by every later stage. */
export interface Principal {
  keyId: string;
  keyName: string;
  orgId: string;
  orgName: string;
  userId: string;
  /**
   * The key owner's organization role (a service account acts as a `member`). It decides which
   * projects a user's key reaches, not what the key may call (scopes.ts).
   */
  role: Role;
  permissions: KeyPermissions;
  /** The scopes in effect: the key's permissions; see scopes.ts. */
  scopes: ReadonlySet<string>;
  /** The organization's model allow-list; null = every configured model. */
  allowedModels: ReadonlySet<string> | null;
  tier: string;
  /** The key's project; null only for a key stored before projects and not migrated. */
  projectId: string | null;
  /** Who owns the key: a user, or a service account of the project (then `userId` is its id). */
  ownerType: KeyOwnerType;
  /** The project's model permissions; null = every model the organization may use. */
  projectModels: { mode: ModelPermissions['mode']; ids: ReadonlySet<string> } | null;
  /** The non-empty IP allowlists of the organization, the project and the key, in that order. */
  ipAllowlists: readonly Allowlist[];
}

/**
 * What looking a key hash up can end in. Failures name the catalog error they become, and say
 * whether the key is one this gateway issued (`issued`: revoked, expired, its project archived,
 * its owner or organization gone) or matches no key at all — only the latter can be a guess, and
 * only it counts against the client address (failed-auth-limiter.ts).
 */
export type AuthOutcome =
  | { ok: true; principal: Principal; expiresAt: number | null }
  | { ok: false; error: 'invalid_api_key' | 'no_organization'; permanent: boolean; issued: boolean };

import type { KeyPermissions, Role } from '../store/index.js';

/** Who is calling: the result of authentication, read by every later stage. */
export interface Principal {
  keyId: string;
  keyName: string;
  orgId: string;
  orgName: string;
  userId: string;
  role: Role;
  permissions: KeyPermissions;
  /** The scopes in effect (key permissions capped by the role); see scopes.ts. */
  scopes: ReadonlySet<string>;
  /** The organization's model allow-list; null = every configured model. */
  allowedModels: ReadonlySet<string> | null;
  tier: string;
}

/** What looking a key hash up can end in. Failures name the catalog error they become. */
export type AuthOutcome =
  | { ok: true; principal: Principal; expiresAt: number | null }
  | { ok: false; error: 'invalid_api_key' | 'no_organization'; permanent: boolean };

/**
 * The tables of the durable store, as Kysely sees them. One schema for SQLite and PostgreSQL:
 * timestamps are integer milliseconds since the epoch (`bigint`; PostgreSQL's int8 is parsed
 * back to a JS number), lists are JSON text, flags are 0/1 integers. The money-and-usage tables
 * are in billing-tables.ts, the status page's in status/tables.ts.
 * @module
 */

export interface SettingsTable {
  name: string;
  value: string;
}

/** An organization's admin API key (`sk-admin-…`): only its HMAC is stored, like an API key's. */
export interface AdminApiKeysTable {
  id: string;
  org_id: string;
  /** The owner the key acts for (audit log actor); null when the operator made it for an organization without owners. */
  owner_user_id: string | null;
  name: string;
  key_hash: string;
  redacted: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  /** Deleted keys stay (audit log entries name them) but never authenticate. */
  deleted_at: number | null;
}

/** One change made through an admin API. `actor` and `details` are JSON, as the API shows them. */
export interface AuditLogsTable {
  id: string;
  org_id: string;
  type: string;
  effective_at: number;
  project_id: string | null;
  actor_id: string;
  actor_email: string | null;
  actor: string;
  object_id: string;
  details: string;
}

/** An invitation to an organization; the token is stored as its SHA-256 (hex). */
export interface InvitesTable {
  id: string;
  org_id: string;
  email: string;
  role: string;
  /** JSON `[{id, role}]`; null: the Default project only. */
  projects: string | null;
  token_hash: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_user_id: string | null;
  deleted_at: number | null;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  tier: string;
  created_at: number;
  /** Soft delete: the row stays so that usage and keys keep pointing at something. */
  deleted_at: number | null;
  /**
   * Monthly spend limits in pico-dollars; null = none. Owned by the billing stage, which reads them
   * as text (billing/org-limits.ts): beyond 2^53 a number read from SQLite is inexact.
   * `hard_limit_pico` is the operator's approved limit, `spend_limit_pico` the organization's own
   * (migration 0016); requests are refused above the lower of the two.
   */
  hard_limit_pico: number | string | bigint | null;
  soft_limit_pico: number | string | bigint | null;
  spend_limit_pico: number | string | bigint | null;
  /** 1 when `organization_models` lists the only models the organization may use. */
  models_restricted: number;
  /** JSON array of CIDR blocks requests must come from; null or [] = every address. */
  ip_allowlist: string | null;
}

export interface UsersTable {
  id: string;
  /** Stored lower-cased; unique. */
  email: string;
  name: string;
  created_at: number;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  org_id: string;
  user_id: string;
  name: string;
  /** HMAC-SHA256 of the key with the server secret, base64url. The key itself is never stored. */
  key_hash: string;
  /** `sk-...abcd`: all that lists ever show. */
  redacted: string;
  status: string;
  permissions: string;
  /** JSON array of scope names (only meaningful for `restricted`). */
  scopes: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  /** The key's project (every key has one; null only in rows written before projects existed). */
  project_id: string | null;
  /** `user`, or `service_account` (then `user_id` is the service account's id). */
  owner_type: string;
  /** JSON array of CIDR blocks; null or [] = every address the organization and project allow. */
  ip_allowlist: string | null;
}

export interface OrganizationModelsTable {
  org_id: string;
  model: string;
}

/**
 * Per-organization rate-limit overrides, one row per (organization, model or `*`).
 * Column encoding: NULL = not overridden (the tier's value applies), -1 = unlimited, n >= 0 = n.
 */
export interface RateLimitOverridesTable {
  org_id: string;
  model: string;
  max_requests_per_1_minute: number | null;
  max_tokens_per_1_minute: number | null;
  max_requests_per_1_day: number | null;
  max_tokens_per_1_day: number | null;
}

/** Per-key rate limits, same encoding as `rate_limit_overrides` (there is no tier below a key). */
export interface KeyRateLimitsTable {
  key_id: string;
  model: string;
  max_requests_per_1_minute: number | null;
  max_tokens_per_1_minute: number | null;
  max_requests_per_1_day: number | null;
  max_tokens_per_1_day: number | null;
}

export interface ProjectsTable {
  id: string;
  org_id: string;
  name: string;
  /** 1 for the organization's `Default project` (exactly one; cannot be archived). */
  is_default: number;
  status: string;
  external_key_id: string | null;
  created_at: number;
  archived_at: number | null;
  /** Monthly hard spend limit in pico-dollars (read as text, like the organization's); null = none. */
  spend_limit_pico: number | string | bigint | null;
  /** null = no model permissions; `allow_list` / `deny_list` of `model_ids` (JSON array). */
  model_mode: string | null;
  model_ids: string | null;
  ip_allowlist: string | null;
}

export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface ServiceAccountsTable {
  /** Also the id of the service account's `users` row. */
  id: string;
  org_id: string;
  project_id: string;
  name: string;
  role: string;
  created_at: number;
  deleted_at: number | null;
}

/** A project's per-model limits, same encoding as `rate_limit_overrides`. */
export interface ProjectRateLimitsTable {
  project_id: string;
  model: string;
  max_requests_per_1_minute: number | null;
  max_tokens_per_1_minute: number | null;
  max_requests_per_1_day: number | null;
  max_tokens_per_1_day: number | null;
}

export interface SpendAlertsTable {
  id: string;
  org_id: string;
  /** null: the alert watches the organization's spend. */
  project_id: string | null;
  threshold_pico: number | string | bigint;
  /** JSON array of e-mail addresses. */
  recipients: string;
  subject_prefix: string | null;
  created_at: number;
}

export interface SpendAlertNotificationsTable {
  alert_id: string;
  period: string;
  spend_pico: number | string | bigint;
  threshold_pico: number | string | bigint;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface Database {
  settings: SettingsTable;
  admin_api_keys: AdminApiKeysTable;
  audit_logs: AuditLogsTable;
  invites: InvitesTable;
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  api_keys: ApiKeysTable;
  organization_models: OrganizationModelsTable;
  rate_limit_overrides: RateLimitOverridesTable;
  key_rate_limits: KeyRateLimitsTable;
  projects: ProjectsTable;
  project_members: ProjectMembersTable;
  service_accounts: ServiceAccountsTable;
  project_rate_limits: ProjectRateLimitsTable;
  spend_alerts: SpendAlertsTable;
  spend_alert_notifications: SpendAlertNotificationsTable;
}

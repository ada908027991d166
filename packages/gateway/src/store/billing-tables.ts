/**
 * Row types of the money-and-usage tables (migration 0002) and the `organizations` columns they
 * go with: part of the store's schema, read and written by billing (spend limits, soft-limit
 * notifications, quota requests) and by usage (the ledger, its reports and rebuilds). Kept apart
 * from `Database` (schema.ts) because money columns are read differently (`DbInt`, below);
 * `billingDb` views any store's Kysely instance through these types.
 * @module
 */
import type { Kysely } from 'kysely';
import { tablesOf, type SideStore } from './side-view.js';

/**
 * Integer columns as read back: SQLite gives numbers, PostgreSQL's `pg` gives `bigint` and
 * aggregates as strings. Readers pass counts and times through `Number`; money (pico-dollars,
 * beyond 2^53) is read as text with `moneyText` (money-column.ts) and turned into a bigint with `toPico`, because
 * SQLite hands a large integer to JavaScript as an inexact double.
 */
export type DbInt = number | string | bigint;

/**
 * One finished request in the ledger: the row, and (with its counts, money, flags and times in
 * their JavaScript types) the `UsageEvent` the request path builds at settlement.
 */
export interface UsageEventsTable {
  /** The request id (`req_...`): the ledger is idempotent by it. */
  request_id: string;
  org_id: string;
  /** The key's project (migration 0010); null before projects, and for a key without one. */
  project_id: string | null;
  key_id: string;
  /** Who owns the key: a user, or a service account (its id, `svc_acct_…`, is also a user id). */
  user_id: string;
  /**
   * The model that answered (a fallback, possibly), priced and reported, or the one called when
   * the engine failed; '' when no model was called (refused before the engine call: validation,
   * access, rate limits, spend, the admission queue). Rows written before recorded the resolved
   * model of such a refusal too.
   */
  model: string;
  /** The `model` the caller named, as sent (at most 256 characters; migration 0010); null when the body had none. */
  requested_model: string | null;
  /** `chat.completions`, `completions`, `embeddings` or `responses`. */
  endpoint: string;
  prompt_tokens: DbInt;
  /**
   * Of `prompt_tokens`, those the upstream reported as cached (migration 0017): Chat Completions'
   * `prompt_tokens_details.cached_tokens`, Responses' `input_tokens_details.cached_tokens`; 0 when
   * it reported none, for an estimate, and for rows written before 0017.
   */
  cached_tokens: DbInt;
  completion_tokens: DbInt;
  /** Pico-dollars (migration 0003; micro-dollars before). */
  cost_pico: DbInt;
  /** The HTTP status the caller got (499: the caller went away). */
  status_code: number;
  error_code: string | null;
  /** The error message the caller was shown (at most 1000 characters; migration 0010); null when it succeeded. */
  error_message: string | null;
  /** The upstream's `x-request-id` of its last answer to this request (migration 0010); null for in-process engines or no answer. */
  upstream_request_id: string | null;
  streamed: number;
  /** Milliseconds from the request's arrival to its settlement. */
  latency_ms: DbInt;
  /** 1 when tokens were counted by the gateway because the engine reported no usage. */
  estimated: number;
  /** Epoch milliseconds when the request arrived. */
  created_at: DbInt;
}

export interface UsageDailyTable {
  day: string;
  org_id: string;
  model: string;
  key_id: string;
  user_id: string;
  /** The key's project (migration 0010): a key never changes project, so it is not part of the key. */
  project_id: string | null;
  requests: DbInt;
  prompt_tokens: DbInt;
  /** The sum of the events' `cached_tokens` (migration 0017). */
  cached_tokens: DbInt;
  completion_tokens: DbInt;
  cost_pico: DbInt;
}

export type SoftLimitStatus = 'pending' | 'delivered' | 'failed' | 'no_webhook';

export interface SoftLimitNotificationsTable {
  org_id: string;
  period: string;
  spend_pico: DbInt;
  limit_pico: DbInt;
  status: SoftLimitStatus;
  attempts: number;
  last_error: string | null;
  created_at: DbInt;
  delivered_at: DbInt | null;
}

export type QuotaRequestStatus = 'pending' | 'approved' | 'rejected';

export interface QuotaRequestsTable {
  id: string;
  org_id: string;
  requested_hard_limit_pico: DbInt;
  previous_hard_limit_pico: DbInt | null;
  reason: string;
  status: QuotaRequestStatus;
  note: string | null;
  created_at: DbInt;
  decided_at: DbInt | null;
  /** The user who asked (migration 0012); null when asked with the admin key, or before 0012. */
  requested_by: string | null;
}

export interface BillingTables {
  usage_events: UsageEventsTable;
  usage_daily: UsageDailyTable;
  soft_limit_notifications: SoftLimitNotificationsTable;
  quota_requests: QuotaRequestsTable;
}

/** The part of the `organizations` table (migrations 0001, 0016) that billing touches. */
export interface OrganizationBillingColumns {
  id: string;
  name: string;
  /** The operator's approved hard limit. */
  hard_limit_pico: DbInt | null;
  soft_limit_pico: DbInt | null;
  /** The organization's own spend limit (migration 0016). */
  spend_limit_pico: DbInt | null;
  deleted_at: DbInt | null;
}

/** The part of migration 0007's `projects` table that billing reads: each project's monthly spend limit. */
export interface ProjectBillingColumns {
  id: string;
  org_id: string;
  spend_limit_pico: DbInt | null;
}

/** The part of `api_keys` that says which project a key (and so a ledger row) belongs to. */
export interface ApiKeyProjectColumns {
  id: string;
  project_id: string | null;
}

export type BillingDatabase = BillingTables & { organizations: OrganizationBillingColumns; projects: ProjectBillingColumns; api_keys: ApiKeyProjectColumns };

/** What billing and usage need of the store. */
export type BillingStore = SideStore;

export function billingDb(store: BillingStore): Kysely<BillingDatabase> {
  return tablesOf<BillingDatabase>(store);
}

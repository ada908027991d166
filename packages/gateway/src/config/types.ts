/**
 * The validated configuration: what `tollgate.yaml` holds once defaults are applied.
 * Field names are the YAML keys (snake_case) so that error messages and docs use one vocabulary.
 * @module
 */
import type { StatusConfig } from '../status/config.js';
import type { ConsoleConfig } from '../console/config.js';

export interface SimulatorSettings {
  /** Milliseconds before the first token (0 = immediate). */
  ttft_ms: number;
  /** Output speed; 0 = all at once. */
  tokens_per_second: number;
  /** Requests the simulated engine runs at once. */
  max_concurrency: number;
  /** Requests it queues beyond that; more are answered as an overloaded engine would. */
  max_queue: number;
  /** Fault injection: catalog id → probability per request (0..1). */
  faults: Record<string, number>;
  /** Honour the `x-tollgate-fault: <catalog id>` request header. Off unless set. */
  allow_fault_header: boolean;
  /** Seed mixed into the deterministic output (a request's own `seed` is mixed in too). */
  seed: number;
}

export interface Timeouts {
  connect_ms: number;
  first_byte_ms: number;
  idle_ms: number;
  total_ms: number;
}

export interface Deployment {
  /** Stable name for metrics, breaker state and the admission semaphore. */
  name: string;
  base_url: string;
  /** Environment variable holding the upstream API key (never the key itself). */
  api_key_env: string | null;
  /** The model name the upstream knows. */
  model: string;
  headers: Record<string, string>;
  weight: number;
  timeouts: Timeouts;
  /**
   * Whether streams sent here carry `stream_options.include_usage` (so that usage is reported):
   * `always`; `never` (the field is removed, the gateway counts tokens itself, marked estimated);
   * `auto` (absent = auto): sent until the upstream refuses the field, then the call is retried
   * once without it and this deployment is sent none from then on.
   */
  stream_usage?: StreamUsage;
  /**
   * How `/v1/responses` reaches this deployment: `native` passes it through to the upstream's own
   * `/responses`; `chat` (the default, every OpenAI-compatible server has it) translates it to and
   * from `/chat/completions`, streaming and tool calls included.
   */
  responses_api: 'chat' | 'native';
}

export type StreamUsage = 'always' | 'never' | 'auto';

export interface AdmissionSettings {
  max_concurrency: number;
  max_queue: number;
  max_wait_ms: number;
  adaptive: { min: number; max: number; backoff_ratio: number } | null;
}

export interface BreakerSettings {
  consecutive_failures: number;
  error_rate: number;
  window: number;
  open_ms: number;
}

export type ModelType = 'chat' | 'embedding';

export interface ModelConfig {
  name: string;
  provider: 'simulator' | 'openai-compatible';
  /** chat models serve /v1/chat/completions and /v1/completions; embedding models /v1/embeddings. */
  type: ModelType;
  context_window: number;
  max_output_tokens: number;
  /** USD per million tokens; converted to integer micro-dollars where money is counted. */
  pricing: { input_per_1m: number; output_per_1m: number };
  simulator: SimulatorSettings;
  deployments: Deployment[];
  admission: AdmissionSettings | null;
  breaker: BreakerSettings;
  /** Other models tried, in order, when every deployment of this one fails before the first byte. */
  fallbacks: string[];
  /**
   * Request parameters outside OpenAI's API that are forwarded to this model's engine as sent
   * (`top_k`, `min_p`, `repetition_penalty`, `chat_template_kwargs`, `guided_json`, ... for vLLM,
   * llama.cpp, Ollama). Absent or empty: only OpenAI's parameters, anything else is OpenAI's 400.
   */
  extra_params?: string[];
  /** Forward every parameter the gateway does not know, unchecked. Off (absent) by default. */
  forward_unknown_params?: boolean;
  owned_by: string;
  created: number;
}

export interface LimitSet {
  max_requests_per_1_minute?: number | null;
  max_tokens_per_1_minute?: number | null;
  max_requests_per_1_day?: number | null;
  max_tokens_per_1_day?: number | null;
}

/** tier name → model name (or `*` for every model) → limits. */
export type Tiers = Record<string, Record<string, LimitSet>>;

export interface Config {
  server: {
    host: string;
    port: number;
    public_url: string;
    max_body_bytes: number;
    /** How the gateway answers its own overload: 429 engine_overloaded (the guide) or 503 server_is_overloaded. */
    overload_status: 429 | 503;
    shutdown_grace_ms: number;
    /** Trust X-Forwarded-For for the client address (only behind a proxy you control). */
    trust_proxy: boolean;
    /**
     * With trust_proxy: how many proxies you control stand in front of the gateway. The client
     * address is the X-Forwarded-For entry that many places from the right (what the outermost
     * trusted proxy saw); entries further left are the client's own claims and are ignored.
     */
    trusted_proxy_hops: number;
    /**
     * Longest time to receive one whole request, headers and body (a slow or stalled client is
     * answered 408 and disconnected, so it cannot hold a connection and a body buffer forever).
     */
    request_timeout_ms: number;
    /** Longest time to receive a request's headers; at most request_timeout_ms. */
    headers_timeout_ms: number;
  };
  /**
   * connect_timeout_ms / query_timeout_ms: PostgreSQL waits are bounded so that no request waits
   * seconds on a database that is down or stalled. max_stale_ms: while the database does not
   * answer, keys, limits and spend limits loaded before keep being served for this long; past it
   * requests needing them get a retryable 503.
   */
  database: { url: string; connect_timeout_ms: number; query_timeout_ms: number; max_stale_ms: number };
  /**
   * Shared counters. `url`: one Redis server; `cluster_nodes`: seed nodes of a Redis Cluster
   * (`redis://host:port`); exactly one of the two is set.
   */
  redis: { url: string | null; cluster_nodes: string[]; key_prefix: string } | null;
  admin_key_env: string;
  /** Env var with the secret that keys are HMAC'd with (`<name>_PREVIOUS`: the previous one, during a rotation). */
  secret_env: string;
  /** The file holding that secret when the env var is unset (generated 0600 at first start); null = `<data dir>/tollgate.secret`. */
  secret_file: string | null;
  /** token_env: the env var holding the bearer token GET /metrics requires (open when it is unset). */
  metrics: { token_env: string };
  logging: { level: string; log_prompts: boolean };
  auth: { failed_attempts_per_minute: number; cache_ttl_ms: number };
  tiers: Tiers;
  default_tier: string;
  /**
   * reservation_lease_ms: an unsettled reservation is charged in full after it. reconcile_*: the
   * pass that brings the Redis spend counters back to the ledger (every interval), taking back a
   * swept lease whose request is still not in the ledger `grace` after the sweep.
   */
  billing: { soft_limit_webhook_url: string | null; reservation_lease_ms: number; reconcile_interval_ms: number; reconcile_grace_ms: number };
  /** journal_path: this instance's crash journal; null = next to the SQLite file, or ./data for PostgreSQL. */
  usage: { retention_days: number; flush_interval_ms: number; flush_batch: number; journal_path: string | null };
  /** Stored responses (`store: true`) are kept this many days. */
  responses: { retention_days: number };
  models: ModelConfig[];
  /** The status page: components, detection thresholds, probes, webhooks (status/config.ts). */
  status: StatusConfig;
  /** The web console: sessions, sign-in limits, single sign-on (console/config.ts). */
  console: ConsoleConfig;
  /** Resolved secrets and sources, never serialized back. */
  secrets: { admin_key: string | null; server_secret: string | null; server_secret_previous: string | null; metrics_token: string | null };
  /** The file the config came from, or null for the built-in defaults. */
  source: string | null;
}

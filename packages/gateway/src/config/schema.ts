/**
 * The schema of tollgate.yaml: every key once, with its type, range and default. Field names are
 * the YAML keys (snake_case) so that error messages and docs use one vocabulary. The parsed
 * value is the validated configuration (`Config` in types.ts is inferred from it). To add a
 * key, declare it here (or in its section's schema) with its default, built from fields.ts so
 * that a wrong value is reported like every other; nothing else lists keys.
 * @module
 */
import { z } from 'zod';
import { DEFAULT_MAX_BODY_BYTES } from '../http/body.js';
import { isCountableLimit, LIMIT_WINDOWS_MS } from '../limits/bucket-math.js';
import { LOG_LEVELS } from '../logger.js';
import { readDatabaseUrl } from '../store/connect.js';
import { statusSchema, unknownStatusModels } from '../status/config.js';
import { consoleSchema } from '../console/config.js';
import { smtpSchema } from '../mail/config.js';
import { DEFAULT_MODELS, DEFAULT_TIERS } from './defaults.js';
import { durationMs, envName, expected, flag, int, list, matching, oneOf, record, section, show, strings, text } from './fields.js';
import { hasUnencodedCredentials, UNENCODED_PASSWORD } from './url-fields.js';
import { modelSchema } from './model-schema.js';
import { webhookUrl } from './url-fields.js';
import type { ModelConfig } from './types.js';

const server = section({
  host: text().default('127.0.0.1'),
  port: int({ min: 0, max: 65535 }).default(8080),
  /** Absent: `http://<host>:<port>`. A trailing slash is dropped. */
  public_url: matching(/^https?:\/\//, 'an http(s) URL').optional(),
  max_body_bytes: int({ min: 1024 }).default(DEFAULT_MAX_BODY_BYTES),
  /** How the gateway answers its own overload: 429 engine_overloaded (the guide) or 503 server_is_overloaded. */
  overload_status: oneOf([429, 503]).default(429),
  shutdown_grace_ms: durationMs(0).default(30_000),
  /** Trust X-Forwarded-For for the client address (only behind a proxy you control). */
  trust_proxy: flag().default(false),
  /**
   * With trust_proxy: how many proxies you control stand in front of the gateway. The client
   * address is the X-Forwarded-For entry that many places from the right (what the outermost
   * trusted proxy saw); entries further left are the client's own claims and are ignored.
   */
  trusted_proxy_hops: int({ min: 1, max: 10 }).default(1),
  /**
   * Longest time to receive one whole request, headers and body (a slow or stalled client is
   * answered 408 and disconnected, so it cannot hold a connection and a body buffer forever).
   */
  request_timeout_ms: durationMs(100).default(60_000),
  /** Longest time to receive a request's headers; at most request_timeout_ms. */
  headers_timeout_ms: durationMs(100).default(20_000),
})
  .superRefine((s, ctx) => {
    if (s.headers_timeout_ms > s.request_timeout_ms)
      ctx.addIssue({ code: 'custom', path: ['headers_timeout_ms'], message: `${s.headers_timeout_ms} is longer than server.request_timeout_ms (${s.request_timeout_ms}); the headers are part of the request` });
  })
  .transform((s) => ({ ...s, public_url: (s.public_url ?? `http://${s.host}:${s.port}`).replace(/\/+$/, '') }));

/**
 * connect_timeout_ms / query_timeout_ms: PostgreSQL waits are bounded so that no request waits
 * seconds on a database that is down or stalled (the migrations at start are not bound by
 * query_timeout_ms: they may index a large usage ledger). max_stale_ms: while the database does not
 * answer, keys, limits and spend limits loaded before keep being served for this long; past it
 * requests needing them get a retryable 503.
 */
const database = section({
  url: matching(/^(sqlite:|postgres(ql)?:\/\/)/, 'sqlite:<path> or postgres://...')
    .superRefine((url, ctx) => {
      const r = readDatabaseUrl(url);
      if ('problem' in r) ctx.addIssue({ code: 'custom', message: r.problem });
    })
    .default('sqlite:./data/tollgate.db'),
  connect_timeout_ms: durationMs(1).default(1000),
  query_timeout_ms: durationMs(1).default(3000),
  max_stale_ms: durationMs(0).default(10 * 60_000),
});

/** A Redis node as cluster_nodes lists it: `redis://host:port`, `rediss://…` or `host:port`, credentials allowed (`:pw@host:port`). */
const REDIS_NODE = /^(rediss?:\/\/)?[^/\s]+:\d+$/;

/**
 * Shared counters. `url`: one Redis server; `cluster_nodes`: seed nodes of a Redis Cluster
 * (`redis://host:port`); exactly one of the two is set. Neither: null (counters in memory).
 * `url` takes the forms the client (ioredis) connects to as meant: `redis://[user:password@]host
 * [:port][/db]`, `rediss://…` (TLS), `[user:password@]host[:port]` without a scheme (`redis:6379`
 * in a compose file; an IPv6 address needs the scheme), or the path of a Unix socket
 * (`/run/redis/redis.sock`). Anything else with a `/` in it (`http://…`, `redis//…`, `redis:/…`)
 * the client would take for a socket path.
 */
const redis = section({
  url: matching(/^(rediss?:\/\/[^\s/]|\/\S|([^\s/]*@)?[^\s/:@?[]+(:\d+)?(\?\S*)?$)/, 'redis://[user:password@]host[:port][/db], rediss://…, host[:port] or a socket path')
    .nullable()
    .default(null),
  cluster_nodes: strings().default([]),
  key_prefix: text().default('tollgate:'),
})
  .superRefine((r, ctx) => {
    if (r.url && r.cluster_nodes.length > 0) ctx.addIssue({ code: 'custom', message: 'set either url (one Redis server) or cluster_nodes (a Redis Cluster), not both' });
    if (r.url && hasUnencodedCredentials(r.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: UNENCODED_PASSWORD });
    for (const [i, n] of r.cluster_nodes.entries())
      if (hasUnencodedCredentials(n)) ctx.addIssue({ code: 'custom', path: ['cluster_nodes', i], message: UNENCODED_PASSWORD });
      else if (!REDIS_NODE.test(n)) ctx.addIssue({ code: 'custom', path: ['cluster_nodes', i], message: `expected redis://host:port or host:port, got ${show(n)}` });
  })
  .transform((r) => (r.url || r.cluster_nodes.length > 0 ? { url: r.url, cluster_nodes: r.url ? [] : r.cluster_nodes, key_prefix: r.key_prefix } : null));

/** A limit: a non-negative integer (0 blocks the model, as it does through the admin API), or null for "unlimited". */
function limit(windowMs: number) {
  const error = expected('a non-negative integer (0 blocks the model) or null (unlimited)');
  return z
    .number({ error })
    .int({ error, abort: true })
    .min(0, { error, abort: true })
    .superRefine((v, ctx) => {
      if (!isCountableLimit(v, windowMs)) ctx.addIssue({ code: 'custom', message: `${v} cannot be counted exactly; use a rounder number (e.g. a multiple of 1000)` });
    })
    .nullable()
    .optional();
}

// Null is kept here: it means "unlimited", not "left out".
const limitSet = z.strictObject(
  {
    max_requests_per_1_minute: limit(LIMIT_WINDOWS_MS.max_requests_per_1_minute),
    max_tokens_per_1_minute: limit(LIMIT_WINDOWS_MS.max_tokens_per_1_minute),
    max_requests_per_1_day: limit(LIMIT_WINDOWS_MS.max_requests_per_1_day),
    max_tokens_per_1_day: limit(LIMIT_WINDOWS_MS.max_tokens_per_1_day),
  },
  { error: expected('a mapping') },
);

/** tier name → model name (or `*` for every model) → limits. */
export const tiersSchema = record(record(limitSet.default({})).default({}));

/**
 * Words a config may use at its top level for a key Tollgate names otherwise, for the "did you
 * mean" of an unknown key (config/suggest.ts): rate limits are set per tier.
 */
export const TOP_LEVEL_ALIASES: Readonly<Record<string, string>> = { limits: 'tiers', rate_limits: 'tiers' };

export const configSchema = section({
  server,
  database,
  redis,
  admin_key_env: envName().default('TOLLGATE_ADMIN_KEY'),
  /** Env var with the secret that keys are HMAC'd with (`<name>_PREVIOUS`: the previous one, during a rotation). */
  secret_env: envName().default('TOLLGATE_SECRET'),
  /** The file holding that secret when the env var is unset (generated 0600 at first start); null = `<data dir>/tollgate.secret`. */
  secret_file: text().nullable().default(null),
  /** token_env: the env var holding the bearer token GET /metrics requires (open when it is unset). */
  metrics: section({ token_env: envName().default('TOLLGATE_METRICS_TOKEN') }),
  logging: section({ level: oneOf(LOG_LEVELS).default('info'), log_prompts: flag().default(false) }),
  auth: section({ failed_attempts_per_minute: int({ min: 1 }).default(30), cache_ttl_ms: durationMs(0).default(60_000) }),
  /** Usage tiers; absent: DEFAULT_TIERS. */
  tiers: tiersSchema.optional(),
  /** The tier a new organization gets; absent: the first tier. */
  default_tier: text().optional(),
  /**
   * reservation_lease_ms: an unsettled reservation is charged in full after it. reconcile_*: the
   * pass that brings the Redis spend counters back to the ledger (every interval), taking back a
   * swept lease whose request is still not in the ledger `grace` after the sweep.
   */
  billing: section({
    soft_limit_webhook_url: webhookUrl().nullable().default(null),
    reservation_lease_ms: durationMs(1000).default(15 * 60_000),
    reconcile_interval_ms: durationMs(100).default(60_000),
    reconcile_grace_ms: durationMs(0).default(10 * 60_000),
  }),
  /** journal_path: this instance's crash journal; null = next to the SQLite file, or ./data for PostgreSQL. */
  usage: section({
    retention_days: int({ min: 1 }).default(90),
    flush_interval_ms: durationMs(1).default(200),
    flush_batch: int({ min: 1 }).default(500),
    journal_path: text().nullable().default(null),
  }),
  /** Stored responses (`store: true`) are kept this many days: OpenAI keeps them 30; bounded so the table cannot grow without end. */
  responses: section({ retention_days: int({ min: 1, max: 365 }).default(30) }),
  /** Absent or empty: DEFAULT_MODELS, all on the built-in simulator. */
  models: list(modelSchema),
  /** Global simulator switches; each model's own `simulator` block may override them. */
  simulator: section({ allow_fault_header: flag().default(false) }),
  /** The status page: components, detection thresholds, probes, webhooks (status/config.ts). */
  status: statusSchema,
  /** The web console: sessions, sign-in limits, single sign-on (console/config.ts). */
  console: consoleSchema,
  /** Outgoing e-mail (invites, quota-request decisions); null unless smtp.url is set (mail/config.ts). */
  smtp: smtpSchema,
})
  .transform(({ simulator, models, tiers, default_tier, ...rest }) => {
    const allowFaultHeader = simulator.allow_fault_header;
    const resolved: ModelConfig[] =
      models.length > 0
        ? models.map((m) => ({ ...m, simulator: { ...m.simulator, allow_fault_header: m.simulator.allow_fault_header ?? allowFaultHeader } }))
        : DEFAULT_MODELS.map((m) => ({ ...m, simulator: { ...m.simulator, allow_fault_header: allowFaultHeader } }));
    const allTiers = tiers ?? DEFAULT_TIERS;
    return { ...rest, models: resolved, tiers: allTiers, default_tier: default_tier ?? Object.keys(allTiers)[0] ?? 'free' };
  })
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    for (const [i, m] of c.models.entries()) {
      if (names.has(m.name)) ctx.addIssue({ code: 'custom', path: ['models', i, 'name'], message: `duplicate model name ${show(m.name)}` });
      names.add(m.name);
    }
    for (const [i, m] of c.models.entries())
      for (const f of m.fallbacks) if (!names.has(f)) ctx.addIssue({ code: 'custom', path: ['models', i, 'fallbacks'], message: `unknown model ${show(f)}` });
    for (const [tier, byModel] of Object.entries(c.tiers))
      for (const model of Object.keys(byModel)) if (model !== '*' && !names.has(model)) ctx.addIssue({ code: 'custom', path: ['tiers', tier, model], message: 'unknown model' });
    if (!Object.hasOwn(c.tiers, c.default_tier) && Object.keys(c.tiers).length > 0) ctx.addIssue({ code: 'custom', path: ['default_tier'], message: `no tier named ${show(c.default_tier)} in tiers` });
    for (const [path, message] of unknownStatusModels(c.status, names)) ctx.addIssue({ code: 'custom', path: ['status', ...path], message });
  });

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError, Reader } from './reader.js';
import { DEFAULT_MODELS, DEFAULT_TIERS } from './defaults.js';
import type { AdmissionSettings, Config, Deployment, LimitSet, ModelConfig, SimulatorSettings, Tiers } from './types.js';
import { findEntry } from '@tollgate/protocol';
import { DEFAULT_MAX_BODY_BYTES } from '../http/body.js';
import { isCountableLimit, LIMIT_WINDOWS_MS } from '../limits/bucket-math.js';
import { readStatusConfig } from '../status/config.js';
import { readConsoleConfig } from '../console/config.js';
import { isWholePicoPerToken } from '../billing/pricing.js';
import { LOG_LEVELS } from '../logger.js';

export { ConfigError } from './reader.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the configuration. `path` null means the built-in defaults (the embedded
 * setup of `npm start`). Environment variables override secrets and URLs:
 * TOLLGATE_DATABASE_URL, TOLLGATE_REDIS_URL, TOLLGATE_PORT, TOLLGATE_HOST, TOLLGATE_PUBLIC_URL,
 * and the admin key from the variable named by `admin_key_env`.
 */
export function loadConfig(path: string | null, env: Env = process.env): Config {
  let doc: unknown = {};
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new ConfigError([`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
    }
    try {
      doc = parse(text) ?? {};
    } catch (e) {
      throw new ConfigError([`${path}: not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
    }
  }
  return parseConfig(doc, env, path);
}

/** Validates an already parsed document (tests build configs as objects). */
export function parseConfig(doc: unknown, env: Env = {}, source: string | null = null): Config {
  const problems: string[] = [];
  const root = Reader.root(doc, problems);
  root.rejectUnknown(['server', 'database', 'redis', 'admin_key_env', 'secret_env', 'secret_file', 'metrics', 'logging', 'auth', 'tiers', 'default_tier', 'billing', 'usage', 'responses', 'models', 'simulator', 'status', 'console']);

  const s = root.child('server');
  s.rejectUnknown(['host', 'port', 'public_url', 'max_body_bytes', 'overload_status', 'shutdown_grace_ms', 'trust_proxy', 'request_timeout_ms', 'headers_timeout_ms', 'trusted_proxy_hops']);
  const host = env.TOLLGATE_HOST ?? s.string('host', '127.0.0.1');
  let port = s.number('port', 8080, { min: 0, max: 65535, integer: true });
  if (env.TOLLGATE_PORT !== undefined) {
    const p = Number(env.TOLLGATE_PORT);
    if (!Number.isInteger(p) || p < 0 || p > 65535) problems.push(`TOLLGATE_PORT: expected a port number, got ${JSON.stringify(env.TOLLGATE_PORT)}`);
    else port = p;
  }
  const publicUrl = (env.TOLLGATE_PUBLIC_URL ?? s.string('public_url', `http://${host}:${port}`)).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(publicUrl)) problems.push(`server.public_url: expected an http(s) URL, got ${JSON.stringify(publicUrl)}`);

  const db = root.child('database');
  db.rejectUnknown(['url', 'connect_timeout_ms', 'query_timeout_ms', 'max_stale_ms']);
  const dbUrl = env.TOLLGATE_DATABASE_URL ?? db.string('url', 'sqlite:./data/tollgate.db');
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(dbUrl)) problems.push(`database.url: expected sqlite:<path> or postgres://..., got ${JSON.stringify(dbUrl)}`);

  const r = root.child('redis');
  r.rejectUnknown(['url', 'cluster_nodes', 'key_prefix']);
  const redisUrl = env.TOLLGATE_REDIS_URL ?? r.string('url', null);
  const clusterNodes = env.TOLLGATE_REDIS_CLUSTER_NODES !== undefined ? env.TOLLGATE_REDIS_CLUSTER_NODES.split(',').map((n) => n.trim()).filter(Boolean) : r.stringList('cluster_nodes');
  if (redisUrl && clusterNodes.length > 0) problems.push('redis: set either url (one Redis server) or cluster_nodes (a Redis Cluster), not both');
  for (const [i, n] of clusterNodes.entries()) if (!/^(rediss?:\/\/)?[^/\s]+:\d+$/.test(n)) problems.push(`redis.cluster_nodes[${i}]: expected redis://host:port or host:port, got ${JSON.stringify(n)}`);
  const redis =
    redisUrl || clusterNodes.length > 0 ? { url: redisUrl || null, cluster_nodes: redisUrl ? [] : clusterNodes, key_prefix: env.TOLLGATE_REDIS_PREFIX ?? r.string('key_prefix', 'tollgate:') } : null;

  const adminKeyEnv = root.string('admin_key_env', 'TOLLGATE_ADMIN_KEY');
  const secretEnv = root.string('secret_env', 'TOLLGATE_SECRET');
  const secretFile = env.TOLLGATE_SECRET_FILE || root.string('secret_file', null);
  const metricsConf = root.child('metrics');
  metricsConf.rejectUnknown(['token_env']);
  const metricsTokenEnv = metricsConf.string('token_env', 'TOLLGATE_METRICS_TOKEN');
  const metricsToken = env[metricsTokenEnv] || null;

  const lg = root.child('logging');
  lg.rejectUnknown(['level', 'log_prompts']);
  const auth = root.child('auth');
  auth.rejectUnknown(['failed_attempts_per_minute', 'cache_ttl_ms']);
  const billing = root.child('billing');
  billing.rejectUnknown(['soft_limit_webhook_url', 'reservation_lease_ms', 'reconcile_interval_ms', 'reconcile_grace_ms']);
  const usage = root.child('usage');
  usage.rejectUnknown(['retention_days', 'flush_interval_ms', 'flush_batch', 'journal_path']);
  const responses = root.child('responses');
  responses.rejectUnknown(['retention_days']);

  // Global simulator switches; each model's own `simulator` block may override them.
  const simGlobal = root.child('simulator');
  simGlobal.rejectUnknown(['allow_fault_header']);
  const allowFaultHeader = simGlobal.boolean('allow_fault_header', false);

  const modelReaders = root.list('models');
  const models = modelReaders.length > 0 ? modelReaders.map((m) => readModel(m, allowFaultHeader)) : DEFAULT_MODELS.map((m) => ({ ...m, simulator: { ...m.simulator, allow_fault_header: allowFaultHeader } }));
  const names = new Set<string>();
  for (const [i, m] of models.entries()) {
    if (names.has(m.name)) problems.push(`models[${i}].name: duplicate model name ${JSON.stringify(m.name)}`);
    names.add(m.name);
  }
  for (const [i, m] of models.entries())
    for (const f of m.fallbacks) if (!names.has(f)) problems.push(`models[${i}].fallbacks: unknown model ${JSON.stringify(f)}`);

  const tiers = root.has('tiers') ? readTiers(root.child('tiers'), names) : DEFAULT_TIERS;
  const defaultTier = root.string('default_tier', Object.keys(tiers)[0] ?? 'free');
  if (!(defaultTier in tiers) && Object.keys(tiers).length > 0) problems.push(`default_tier: no tier named ${JSON.stringify(defaultTier)} in tiers`);

  const config: Config = {
    server: {
      host,
      port,
      public_url: publicUrl,
      max_body_bytes: s.number('max_body_bytes', DEFAULT_MAX_BODY_BYTES, { min: 1024, integer: true }),
      overload_status: s.oneOf('overload_status', [429, 503] as const, 429),
      shutdown_grace_ms: s.number('shutdown_grace_ms', 30_000, { min: 0, integer: true }),
      trust_proxy: s.boolean('trust_proxy', false),
      trusted_proxy_hops: s.number('trusted_proxy_hops', 1, { min: 1, max: 10, integer: true }),
      request_timeout_ms: s.number('request_timeout_ms', 60_000, { min: 100, integer: true }),
      headers_timeout_ms: s.number('headers_timeout_ms', 20_000, { min: 100, integer: true }),
    },
    database: {
      url: dbUrl,
      connect_timeout_ms: db.number('connect_timeout_ms', 1000, { min: 1, integer: true }),
      query_timeout_ms: db.number('query_timeout_ms', 3000, { min: 1, integer: true }),
      max_stale_ms: db.number('max_stale_ms', 10 * 60_000, { min: 0, integer: true }),
    },
    redis,
    admin_key_env: adminKeyEnv,
    secret_env: secretEnv,
    secret_file: secretFile,
    metrics: { token_env: metricsTokenEnv },
    logging: { level: logLevel(env, lg), log_prompts: lg.boolean('log_prompts', false) },
    auth: {
      failed_attempts_per_minute: auth.number('failed_attempts_per_minute', 30, { min: 1, integer: true }),
      cache_ttl_ms: auth.number('cache_ttl_ms', 60_000, { min: 0, integer: true }),
    },
    tiers,
    default_tier: defaultTier,
    billing: {
      soft_limit_webhook_url: billing.string('soft_limit_webhook_url', null),
      reservation_lease_ms: billing.number('reservation_lease_ms', 15 * 60_000, { min: 1000, integer: true }),
      reconcile_interval_ms: billing.number('reconcile_interval_ms', 60_000, { min: 100, integer: true }),
      reconcile_grace_ms: billing.number('reconcile_grace_ms', 10 * 60_000, { min: 0, integer: true }),
    },
    usage: {
      retention_days: usage.number('retention_days', 90, { min: 1, integer: true }),
      flush_interval_ms: usage.number('flush_interval_ms', 200, { min: 1, integer: true }),
      flush_batch: usage.number('flush_batch', 500, { min: 1, integer: true }),
      journal_path: env.TOLLGATE_USAGE_JOURNAL ?? usage.string('journal_path', null),
    },
    // Stored responses: OpenAI keeps them 30 days; bounded so the table cannot grow without end.
    responses: { retention_days: responses.number('retention_days', 30, { min: 1, max: 365, integer: true }) },
    models,
    status: readStatusConfig(root.child('status'), names),
    console: readConsoleConfig(root.child('console')),
    secrets: { admin_key: env[adminKeyEnv] ?? null, server_secret: env[secretEnv] || null, server_secret_previous: env[`${secretEnv}_PREVIOUS`] || null, metrics_token: metricsToken },
    source,
  };
  if (config.server.headers_timeout_ms > config.server.request_timeout_ms) {
    problems.push(`server.headers_timeout_ms: ${config.server.headers_timeout_ms} is longer than server.request_timeout_ms (${config.server.request_timeout_ms}); the headers are part of the request`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** `logging.level` (TOLLGATE_LOG_LEVEL wins): one of pino's levels or `silent`. */
function logLevel(env: Env, lg: Reader): string {
  const v = env.TOLLGATE_LOG_LEVEL;
  if (v === undefined) return lg.oneOf('level', LOG_LEVELS, 'info');
  if (!LOG_LEVELS.includes(v)) lg.problems.push(`TOLLGATE_LOG_LEVEL: expected one of ${LOG_LEVELS.map((l) => JSON.stringify(l)).join(', ')}, got ${JSON.stringify(v)}`);
  return LOG_LEVELS.includes(v) ? v : 'info';
}

const SIM_DEFAULTS: SimulatorSettings = {
  ttft_ms: 0,
  tokens_per_second: 0,
  max_concurrency: 64,
  max_queue: 256,
  faults: {},
  allow_fault_header: false,
  seed: 0,
};

function readModel(m: Reader, allowFaultHeader: boolean): ModelConfig {
  m.rejectUnknown(['name', 'provider', 'type', 'context_window', 'max_output_tokens', 'pricing', 'simulator', 'deployments', 'admission', 'breaker', 'fallbacks', 'owned_by', 'created', 'extra_params', 'forward_unknown_params']);
  const name = m.string('name', '');
  if (!name) m.problems.push(`${m.path}.name: required`);
  const provider = m.oneOf('provider', ['simulator', 'openai-compatible'] as const, 'simulator');
  const type = m.oneOf('type', ['chat', 'embedding'] as const, 'chat');
  const contextWindow = m.number('context_window', 8192, { min: 1, integer: true });
  const maxOutput = m.number('max_output_tokens', Math.min(4096, contextWindow), { min: 1, integer: true });
  const pricing = m.child('pricing');
  pricing.rejectUnknown(['input_per_1m', 'output_per_1m']);

  const sim = m.child('simulator');
  sim.rejectUnknown(['ttft_ms', 'tokens_per_second', 'max_concurrency', 'max_queue', 'faults', 'allow_fault_header', 'seed']);
  const faultsReader = sim.child('faults');
  const faults: Record<string, number> = {};
  for (const id of faultsReader.keys()) {
    if (!findEntry(id)) m.problems.push(`${faultsReader.path}.${id}: not an error id of the catalog`);
    faults[id] = faultsReader.number(id, 0, { min: 0, max: 1 });
  }
  const simulator: SimulatorSettings = {
    ttft_ms: sim.number('ttft_ms', SIM_DEFAULTS.ttft_ms, { min: 0 }),
    tokens_per_second: sim.number('tokens_per_second', SIM_DEFAULTS.tokens_per_second, { min: 0 }),
    max_concurrency: sim.number('max_concurrency', SIM_DEFAULTS.max_concurrency, { min: 1, integer: true }),
    max_queue: sim.number('max_queue', SIM_DEFAULTS.max_queue, { min: 0, integer: true }),
    faults,
    allow_fault_header: sim.boolean('allow_fault_header', allowFaultHeader),
    seed: sim.number('seed', 0, { integer: true }),
  };

  const deployments = m.list('deployments').map((d, i) => readDeployment(d, name, i));
  if (provider === 'openai-compatible' && deployments.length === 0) m.problems.push(`${m.path}.deployments: an openai-compatible model needs at least one deployment`);

  let admission: AdmissionSettings | null = null;
  if (m.has('admission')) {
    const a = m.child('admission');
    a.rejectUnknown(['max_concurrency', 'max_queue', 'max_wait_ms', 'adaptive']);
    let adaptive: AdmissionSettings['adaptive'] = null;
    if (a.has('adaptive')) {
      const ad = a.child('adaptive');
      ad.rejectUnknown(['min', 'max', 'backoff_ratio']);
      adaptive = { min: ad.number('min', 1, { min: 1, integer: true }), max: ad.number('max', 64, { min: 1, integer: true }), backoff_ratio: ad.number('backoff_ratio', 0.9, { min: 0.1, max: 0.99 }) };
    }
    admission = {
      max_concurrency: a.number('max_concurrency', 64, { min: 1, integer: true }),
      max_queue: a.number('max_queue', 256, { min: 0, integer: true }),
      max_wait_ms: a.number('max_wait_ms', 10_000, { min: 1, integer: true }),
      adaptive,
    };
  }
  const b = m.child('breaker');
  b.rejectUnknown(['consecutive_failures', 'error_rate', 'window', 'open_ms']);

  return {
    name,
    provider,
    type,
    context_window: contextWindow,
    max_output_tokens: maxOutput,
    pricing: { input_per_1m: price(pricing, 'input_per_1m'), output_per_1m: price(pricing, 'output_per_1m') },
    simulator,
    deployments,
    admission,
    breaker: {
      consecutive_failures: b.number('consecutive_failures', 5, { min: 1, integer: true }),
      error_rate: b.number('error_rate', 0.5, { min: 0, max: 1 }),
      window: b.number('window', 20, { min: 1, integer: true }),
      open_ms: b.number('open_ms', 30_000, { min: 1, integer: true }),
    },
    fallbacks: m.stringList('fallbacks'),
    extra_params: readExtraParams(m),
    forward_unknown_params: m.boolean('forward_unknown_params', false),
    owned_by: m.string('owned_by', 'tollgate'),
    created: m.number('created', 1_767_225_600, { min: 0, integer: true }),
  };
}

/** `extra_params`: parameter names as a client sends them at the top level of the body. */
function readExtraParams(m: Reader): string[] {
  const names = m.stringList('extra_params');
  for (const n of names) if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(n)) m.problems.push(`${m.path}.extra_params: ${JSON.stringify(n)} is not a parameter name`);
  return names;
}

/** A USD-per-1M price; finer than $0.000001 per 1M tokens (one pico-dollar per token) cannot be counted exactly. */
function price(r: Reader, key: 'input_per_1m' | 'output_per_1m'): number {
  const v = r.number(key, 0, { min: 0 });
  if (!isWholePicoPerToken(v)) r.problems.push(`${r.path}.${key}: ${v} has more than 6 decimals; prices are counted in whole $0.000001 per 1M tokens`);
  return v;
}

function readDeployment(d: Reader, model: string, i: number): Deployment {
  d.rejectUnknown(['name', 'base_url', 'api_key_env', 'model', 'headers', 'weight', 'timeouts', 'stream_usage', 'responses_api']);
  const baseUrl = d.string('base_url', '');
  if (!/^https?:\/\//.test(baseUrl)) d.problems.push(`${d.path}.base_url: expected an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  const t = d.child('timeouts');
  t.rejectUnknown(['connect_ms', 'first_byte_ms', 'idle_ms', 'total_ms']);
  return {
    name: d.string('name', `${model}#${i}`),
    base_url: baseUrl.replace(/\/+$/, ''),
    api_key_env: d.string('api_key_env', null),
    model: d.string('model', model),
    headers: d.stringMap('headers'),
    weight: d.number('weight', 1, { min: 0 }),
    stream_usage: d.oneOf('stream_usage', ['auto', 'always', 'never'] as const, 'auto'),
    responses_api: d.oneOf('responses_api', ['chat', 'native'] as const, 'chat'),
    timeouts: {
      connect_ms: t.number('connect_ms', 5_000, { min: 1, integer: true }),
      first_byte_ms: t.number('first_byte_ms', 60_000, { min: 1, integer: true }),
      idle_ms: t.number('idle_ms', 30_000, { min: 1, integer: true }),
      total_ms: t.number('total_ms', 600_000, { min: 1, integer: true }),
    },
  };
}

function readTiers(t: Reader, models: Set<string>): Tiers {
  const tiers: Tiers = {};
  for (const tierName of t.keys()) {
    const tier = t.child(tierName);
    tiers[tierName] = {};
    for (const modelName of tier.keys()) {
      if (modelName !== '*' && !models.has(modelName)) t.problems.push(`${tier.path}.${modelName}: unknown model`);
      const l = tier.child(modelName);
      l.rejectUnknown(['max_requests_per_1_minute', 'max_tokens_per_1_minute', 'max_requests_per_1_day', 'max_tokens_per_1_day']);
      const set: LimitSet = {};
      for (const k of ['max_requests_per_1_minute', 'max_tokens_per_1_minute', 'max_requests_per_1_day', 'max_tokens_per_1_day'] as const) {
        const v = l.limit(k);
        if (typeof v === 'number' && !isCountableLimit(v, LIMIT_WINDOWS_MS[k])) l.problems.push(`${l.path}.${k}: ${v} cannot be counted exactly; use a rounder number (e.g. a multiple of 1000)`);
        else if (v !== undefined) set[k] = v;
      }
      tiers[tierName]![modelName] = set;
    }
  }
  return tiers;
}

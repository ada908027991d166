/** What a user reads when tollgate.yaml is wrong: the field's path and what is wrong with it, per section. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from 'tollgate';
import { problems } from './problems.js';

const model = (over: Record<string, unknown> = {}) => ({ name: 'm', ...over });
const upstream = (deployment: Record<string, unknown>) => model({ provider: 'openai-compatible', deployments: [{ base_url: 'http://127.0.0.1:1/v1', ...deployment }] });

describe('each section names the field and what is wrong', () => {
  const cases: [string, unknown, string][] = [
    ['wrong type', { server: { trust_proxy: 'yes' } }, 'server.trust_proxy: expected true or false, got "yes"'],
    ['out of range', { server: { trusted_proxy_hops: 11 } }, 'server.trusted_proxy_hops: expected an integer >= 1 and <= 10, got 11'],
    ['bad enum', { server: { overload_status: 500 } }, 'server.overload_status: expected one of 429, 503, got 500'],
    ['unknown key', { database: { pool: 5 } }, 'database.pool: unknown key'],
    ['out of range', { database: { query_timeout_ms: 0 } }, 'database.query_timeout_ms: expected an integer >= 1 and <= 2147483647 (about 24.8 days, the longest a timer can wait), got 0'],
    ['wrong type', { redis: { cluster_nodes: 'a:7000' } }, 'redis.cluster_nodes: expected a list of strings, got "a:7000"'],
    ['empty string', { redis: { url: '' } }, 'redis.url: expected a non-empty string, got ""'],
    ['not a mapping', { logging: 'debug' }, 'logging: expected a mapping, got a string'],
    ['wrong type', { logging: { log_prompts: 1 } }, 'logging.log_prompts: expected true or false, got 1'],
    ['out of range', { auth: { failed_attempts_per_minute: 0 } }, 'auth.failed_attempts_per_minute: expected an integer >= 1, got 0'],
    ['unknown key', { metrics: { token: 'x' } }, 'metrics.token: unknown key'],
    ['out of range', { billing: { reservation_lease_ms: 999 } }, 'billing.reservation_lease_ms: expected an integer >= 1000 and <= 2147483647 (about 24.8 days, the longest a timer can wait), got 999'],
    ['not an integer', { usage: { flush_batch: 2.5 } }, 'usage.flush_batch: expected an integer >= 1, got 2.5'],
    ['out of range', { responses: { retention_days: 366 } }, 'responses.retention_days: expected an integer >= 1 and <= 365, got 366'],
    ['unknown key', { simulator: { faults: {} } }, 'simulator.faults: unknown key'],
    ['unknown top-level key', { modles: [] }, 'modles: unknown key; did you mean models?'],
    ['unknown top-level key, nothing near it', { colour: 'blue' }, 'colour: unknown key'],
    ['not a mapping at all', ['server'], '(top level): expected a mapping, got a list'],
    ['a model without a name', { models: [{ context_window: 10 }] }, 'models[0].name: required'],
    ['bad enum', { models: [model({ type: 'image' })] }, 'models[0].type: expected one of "chat", "embedding", got "image"'],
    ['out of range', { models: [model({ simulator: { faults: { server_error: 1.5 } } })] }, 'models[0].simulator.faults.server_error: expected a number >= 0 and <= 1, got 1.5'],
    ['out of range', { models: [model({ breaker: { error_rate: 2 } })] }, 'models[0].breaker.error_rate: expected a number >= 0 and <= 1, got 2'],
    ['out of range', { models: [model({ admission: { adaptive: { backoff_ratio: 1 } } })] }, 'models[0].admission.adaptive.backoff_ratio: expected a number >= 0.1 and <= 0.99, got 1'],
    ['too fine a price', { models: [model({ pricing: { output_per_1m: 0.0000001 } })] }, 'models[0].pricing.output_per_1m: 1e-7 has more than 6 decimals; prices are counted in whole $0.000001 per 1M tokens'],
    ['not a URL', { models: [upstream({ base_url: 'localhost:8000' })] }, 'models[0].deployments[0].base_url: expected an http(s) URL, got "localhost:8000"'],
    ['bad enum', { models: [upstream({ responses_api: 'yes' })] }, 'models[0].deployments[0].responses_api: expected one of "chat", "native", got "yes"'],
    ['unknown key', { models: [upstream({ timeouts: { read_ms: 5 } })] }, 'models[0].deployments[0].timeouts.read_ms: unknown key'],
    ['wrong type', { models: [upstream({ headers: { 'x-team': 7 } })] }, 'models[0].deployments[0].headers.x-team: expected a non-empty string, got a number'],
    ['a limit below 0', { tiers: { free: { '*': { max_requests_per_1_day: -5 } } } }, 'tiers.free.*.max_requests_per_1_day: expected a non-negative integer (0 blocks the model) or null (unlimited), got -5'],
    ['unknown limit', { tiers: { free: { '*': { max_images_per_1_minute: 5 } } } }, 'tiers.free.*.max_images_per_1_minute: unknown key'],
    ['out of range', { status: { history_days: 30 } }, 'status.history_days: expected an integer >= 90, got 30'],
    ['thresholds out of order', { status: { error_rate: { degraded_performance: 0.6 } } }, 'status.error_rate: expected degraded_performance <= partial_outage <= major_outage'],
    ['unknown key', { status: { probes: { every_ms: 1000 } } }, 'status.probes.every_ms: unknown key'],
    ['not a URL', { status: { webhooks: [{ url: 'hooks.example.com' }] } }, 'status.webhooks[0].url: expected an http(s) URL, got "***"'],
    ['unknown model', { status: { groups: { Chat: ['sim-small', 'sim-huge'] } } }, 'status.groups.Chat: unknown model "sim-huge"'],
    ['out of range', { console: { session_ttl_hours: 0 } }, 'console.session_ttl_hours: expected an integer >= 1, got 0'],
    ['unknown key', { console: { login_attempts: { per_user: 3 } } }, 'console.login_attempts.per_user: unknown key'],
    ['half an OIDC client', { console: { oidc: { issuer: 'https://id.example.com' } } }, 'console.oidc: set both issuer and client_id, or neither'],
    ['not a URL', { console: { oidc: { issuer: 'id.example.com', client_id: 'tollgate' } } }, 'console.oidc.issuer: expected an http(s) URL, got "id.example.com"'],
  ];
  it.each(cases)('%s: %j', (_what, doc, message) => {
    expect(problems(doc)).toEqual([message]);
  });
});

describe('a misspelt key is told the key it most likely meant', () => {
  const cases: [unknown, string][] = [
    [{ redis: { ulr: 'redis://127.0.0.1:6379' } }, 'redis.ulr: unknown key; did you mean redis.url?'],
    // There is no top-level `limits`: rate limits are set per tier.
    [{ limts: {} }, 'limts: unknown key; did you mean tiers?'],
    [{ rate_limits: {} }, 'rate_limits: unknown key; did you mean tiers?'],
    [{ server: { prot: 9000 } }, 'server.prot: unknown key; did you mean server.port?'],
    [{ server: { PORT: 9000 } }, 'server.PORT: unknown key; did you mean server.port?'],
    [{ models: [model({ contex_window: 10 })] }, 'models[0].contex_window: unknown key; did you mean models[0].context_window?'],
    [{ tiers: { free: { '*': { max_request_per_1_minute: 5 } } } }, 'tiers.free.*.max_request_per_1_minute: unknown key; did you mean tiers.free.*.max_requests_per_1_minute?'],
    [{ status: { webhooks: [{ url: 'https://hooks.example.com/x', secret: 'S' }] } }, 'status.webhooks[0].secret: unknown key'],
    // Only a slip is a suggestion: another word entirely is not.
    [{ tiers: { free: { '*': { max_images_per_1_minute: 5 } } } }, 'tiers.free.*.max_images_per_1_minute: unknown key'],
  ];
  it.each(cases)('%j', (doc, message) => {
    expect(problems(doc)).toContain(message);
  });

  it('the suggestion is a key of the schema, never text of the file', () => {
    expect(problems({ redis: { 'redis://:pw1@h:6379': 1 } })).toEqual(['redis.redis://***@h:6379: unknown key']);
  });
});

describe('the environment', () => {
  it('a wrong value from an environment variable is named by the variable', () => {
    expect(problems({}, { TOLLGATE_PORT: 'eighty' })).toEqual(['TOLLGATE_PORT: expected an integer >= 0 and <= 65535, got "eighty"']);
    expect(problems({}, { TOLLGATE_DATABASE_URL: 'mysql://db' })).toEqual(['TOLLGATE_DATABASE_URL: expected sqlite:<path> or postgres://..., got "mysql://db"']);
    expect(problems({}, { TOLLGATE_REDIS_CLUSTER_NODES: 'redis://a:7000,b' })).toEqual(['TOLLGATE_REDIS_CLUSTER_NODES[1]: expected redis://host:port or host:port, got "b"']);
  });

  it("a wrong value from serve's --port or --host is named by the option, even when the variable of the same key is set", () => {
    const flagged = (flags: Record<string, string>, env: Record<string, string> = {}) => {
      try {
        parseConfig({ server: { port: 9000 } }, env, null, { flags });
      } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
      }
      return [];
    };
    expect(flagged({ port: 'eighty' })).toEqual(['--port: expected an integer >= 0 and <= 65535, got "eighty"']);
    expect(flagged({ port: '70000' }, { TOLLGATE_PORT: '9001' })).toEqual(['--port: expected an integer >= 0 and <= 65535, got 70000']);
    expect(flagged({ host: '' }, { TOLLGATE_HOST: '0.0.0.0' })).toEqual(['--host: expected a non-empty string, got ""']);
    // The option wins over the variable: a wrong variable it overrides is no problem.
    expect(flagged({ port: '9002' }, { TOLLGATE_PORT: 'eighty' })).toEqual([]);
    expect(parseConfig({ server: { port: 9000 } }, { TOLLGATE_PORT: '9001', TOLLGATE_HOST: '0.0.0.0' }, null, { flags: { port: '9002', host: '::1' } }).server).toMatchObject({ port: 9002, host: '::1' });
    // A variable's wrong value is still named by the variable when no option sets that key.
    expect(flagged({ host: '0.0.0.0' }, { TOLLGATE_PORT: 'eighty' })).toEqual(['TOLLGATE_PORT: expected an integer >= 0 and <= 65535, got "eighty"']);
  });

  it('an empty TOLLGATE_REDIS_URL turns off the Redis server the file names', () => {
    expect(parseConfig({ redis: { url: 'redis://r:6379' } }, { TOLLGATE_REDIS_URL: '' }).redis).toBeNull();
  });
});

describe('every problem at once', () => {
  it('checks across fields still run when some values are wrong, and name the places as written', () => {
    const p = problems({
      models: [5, model({ name: 'a', deployments: [{}] }), model({ name: 'a', fallbacks: ['b'] })],
      status: { webhooks: [{ url: 1 }], probes: { models: { nope: true } } },
    });
    expect(p.sort()).toEqual(
      [
        'models[0]: expected a mapping, got a number',
        'models[1].deployments[0].base_url: required',
        'models[2].name: duplicate model name "a"',
        'models[2].fallbacks: unknown model "b"',
        'status.webhooks[0].url: expected a non-empty string, got 1',
        'status.probes.models.nope: unknown model',
      ].sort(),
    );
  });

  it('a null key takes its default, as if left out', () => {
    const c = parseConfig({ server: { port: null }, models: [model({ simulator: null, deployments: null })] });
    expect(c.server.port).toBe(8080);
    expect(c.models[0]).toMatchObject({ simulator: { max_concurrency: 64 }, deployments: [], max_output_tokens: 4096 });
  });
});

describe('a wrong URL is quoted without its credentials', () => {
  // Connection URLs carry passwords; a config error goes to the terminal and to CI logs.
  const secret = 'hunter2-Secret';
  const cases: [string, unknown, Record<string, string>, string][] = [
    ['database.url', { database: { url: `postgresx://admin:${secret}@db:5432/x` } }, {}, 'database.url: expected sqlite:<path> or postgres://..., got "postgresx://***@db:5432/x"'],
    ['database.url from the environment', {}, { TOLLGATE_DATABASE_URL: `mysql://admin:${secret}@db/x` }, 'TOLLGATE_DATABASE_URL: expected sqlite:<path> or postgres://..., got "mysql://***@db/x"'],
    ['a cluster node', { redis: { cluster_nodes: [`redis://:${secret}@h`] } }, {}, 'redis.cluster_nodes[0]: expected redis://host:port or host:port, got "redis://***@h"'],
    ['a list given where a string goes', { redis: { url: [`redis://:${secret}@h:6379`] } }, {}, 'redis.url: expected a non-empty string, got ["redis://***@h:6379"]'],
    ['an upstream base_url', { models: [upstream({ base_url: `ftp://u:${secret}@h/v1` })] }, {}, 'models[0].deployments[0].base_url: expected an http(s) URL, got "ftp://***@h/v1"'],
    // A webhook's path is often its token: a wrong webhook URL is quoted without it too.
    ['a status webhook', { status: { webhooks: [{ url: `hooks://u:${secret}@h/x` }] } }, {}, 'status.webhooks[0].url: expected an http(s) URL, got "hooks://h/***"'],
  ];
  it.each(cases)('%s', (_what, doc, env, message) => {
    const got = problems(doc, env);
    expect(got).toContain(message);
    expect(got.join('\n')).not.toContain(secret);
  });
});

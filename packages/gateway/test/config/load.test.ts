import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from 'tollgate';
import { problems } from './problems.js';

describe('config loading', () => {
  it('defaults to the embedded setup: SQLite, the simulator models, port 8080', () => {
    const c = parseConfig({});
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 8080, public_url: 'http://127.0.0.1:8080' });
    expect(c.database.url).toBe('sqlite:./data/tollgate.db');
    expect(c.redis).toBeNull();
    expect(c.models.map((m) => m.name)).toEqual(['sim-small', 'sim-large', 'sim-embed']);
    expect(c.admin_key_env).toBe('TOLLGATE_ADMIN_KEY');
  });

  it('reads the issue example', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    const path = join(dir, 'tollgate.yaml');
    writeFileSync(
      path,
      `server: { host: 127.0.0.1, port: 8080, public_url: http://127.0.0.1:8080 }
database: { url: sqlite:./data/tollgate.db }
admin_key_env: TOLLGATE_ADMIN_KEY
models:
  - name: sim-small
    provider: simulator
    context_window: 8192
    max_output_tokens: 4096
    pricing: { input_per_1m: 0.15, output_per_1m: 0.60 }
    simulator: { ttft_ms: 0, tokens_per_second: 0, max_concurrency: 64, max_queue: 256 }
`,
    );
    const c = loadConfig(path, { TOLLGATE_ADMIN_KEY: 'k' });
    expect(c.models).toHaveLength(1);
    expect(c.models[0]).toMatchObject({ name: 'sim-small', context_window: 8192, pricing: { input_per_1m: 0.15, output_per_1m: 0.6 } });
    expect(c.secrets.admin_key).toBe('k');
    expect(c.source).toBe(path);
  });

  it('a YAML file with a misspelt key is refused, naming the key it most likely meant', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    const path = join(dir, 'tollgate.yaml');
    writeFileSync(path, 'redis: { ulr: redis://127.0.0.1:6379 }\nlimts:\n  free: {}\n');
    let problems: string[] = [];
    try {
      loadConfig(path, {});
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems = e.problems;
    }
    expect(problems).toEqual(['redis.ulr: unknown key; did you mean redis.url?', 'limts: unknown key; did you mean tiers?']);
  });

  it('lets the environment override secrets and URLs', () => {
    const c = parseConfig({ server: { port: 1 }, database: { url: 'sqlite:x.db' } }, { TOLLGATE_PORT: '9090', TOLLGATE_DATABASE_URL: 'postgres://u@h/db', TOLLGATE_REDIS_URL: 'redis://r:6379', MY_ADMIN: 's3cret', TOLLGATE_PUBLIC_URL: 'https://gw.example/' });
    expect(c.server.port).toBe(9090);
    expect(c.database.url).toBe('postgres://u@h/db');
    expect(c.redis).toEqual({ url: 'redis://r:6379', cluster_nodes: [], key_prefix: 'tollgate:' });
    expect(c.server.public_url).toBe('https://gw.example');
    expect(parseConfig({ admin_key_env: 'MY_ADMIN' }, { MY_ADMIN: 's3cret' }).secrets.admin_key).toBe('s3cret');
  });

  it('takes a Redis Cluster as seed nodes (config or TOLLGATE_REDIS_CLUSTER_NODES), never together with redis.url', () => {
    expect(parseConfig({ redis: { cluster_nodes: ['redis://a:7000', 'b:7001'] } }).redis).toEqual({ url: null, cluster_nodes: ['redis://a:7000', 'b:7001'], key_prefix: 'tollgate:' });
    expect(parseConfig({}, { TOLLGATE_REDIS_CLUSTER_NODES: 'redis://a:7000, redis://b:7001' }).redis).toEqual({ url: null, cluster_nodes: ['redis://a:7000', 'redis://b:7001'], key_prefix: 'tollgate:' });
    expect(problems({ redis: { url: 'redis://r:6379', cluster_nodes: ['a:7000'] } })).toEqual(['redis: set either url (one Redis server) or cluster_nodes (a Redis Cluster), not both']);
    expect(problems({ redis: { cluster_nodes: ['a'] } })).toEqual(['redis.cluster_nodes[0]: expected redis://host:port or host:port, got "a"']);
  });

  it('names the field and what is wrong, all problems at once', () => {
    const p = problems({
      server: { port: 'eighty', colour: 'blue' },
      database: { url: 'mysql://x' },
      models: [{ name: 'a', context_window: -1, pricing: { input_per_1m: 'cheap' } }, { name: 'a', provider: 'magic', fallbacks: ['nope'] }],
    });
    expect(p).toEqual(
      expect.arrayContaining([
        'server.port: expected an integer >= 0 and <= 65535, got "eighty"',
        'server.colour: unknown key',
        'database.url: expected sqlite:<path> or postgres://..., got "mysql://x"',
        'models[0].context_window: expected an integer >= 1, got -1',
        'models[0].pricing.input_per_1m: expected a number >= 0, got "cheap"',
        'models[1].provider: expected one of "simulator", "openai-compatible", got "magic"',
        'models[1].name: duplicate model name "a"',
        'models[1].fallbacks: unknown model "nope"',
      ]),
    );
  });

  it('rejects unknown fault ids and openai-compatible models without deployments', () => {
    const p = problems({ models: [{ name: 'a', simulator: { faults: { not_an_error: 0.1 } } }, { name: 'b', provider: 'openai-compatible' }] });
    expect(p).toContain('models[0].simulator.faults.not_an_error: not an error id of the catalog');
    expect(p).toContain('models[1].deployments: an openai-compatible model needs at least one deployment');
  });

  it('validates tiers and limits', () => {
    const p = problems({ tiers: { free: { 'sim-small': { max_requests_per_1_minute: -1, max_tokens_per_1_minute: 1.5 }, 'gpt-9': {} } }, default_tier: 'gold' });
    expect(p).toContain('tiers.free.sim-small.max_requests_per_1_minute: expected a non-negative integer (0 blocks the model) or null (unlimited), got -1');
    expect(p).toContain('tiers.free.sim-small.max_tokens_per_1_minute: expected a non-negative integer (0 blocks the model) or null (unlimited), got 1.5');
    expect(p).toContain('tiers.free.gpt-9: unknown model');
    expect(p).toContain('default_tier: no tier named "gold" in tiers');
  });

  it('accepts a limit of 0: it blocks the model, with the same meaning as through the admin API', () => {
    const c = parseConfig({ tiers: { free: { 'sim-small': { max_requests_per_1_day: 0 } } }, default_tier: 'free' }, {});
    expect(c.tiers.free!['sim-small']).toEqual({ max_requests_per_1_day: 0 });
  });

  it('reports an unreadable or malformed file by its path', () => {
    expect(() => loadConfig('/nonexistent/tollgate.yaml')).toThrow(/\/nonexistent\/tollgate\.yaml: cannot read/);
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'server: [unclosed');
    expect(() => loadConfig(path)).toThrow(/not valid YAML/);
    // The line and column, without a sentence left hanging on a colon, and nothing of the file:
    // any line of it may hold a secret (secret-echo.test.ts).
    writeFileSync(path, 'server:\n  port: 8080\n bad: [\n');
    const problem = (() => {
      try {
        loadConfig(path);
      } catch (e) {
        return (e as { problems: string[] }).problems[0]!;
      }
      return '';
    })();
    expect(problem).toBe(`${path}: not valid YAML: All mapping items must start at the same column at line 3, column 1`);
  });

  it('refuses a file of more than one YAML document, naming the file and the line, quoting nothing of it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    const path = join(dir, 'two.yaml');
    const problemOf = (text: string): string => {
      writeFileSync(path, text);
      try {
        loadConfig(path);
      } catch (e) {
        if (e instanceof ConfigError) return e.problems.join('\n');
        throw e;
      }
      return '';
    };
    // The second document would have been ignored: its port, and its secret-looking value, with it.
    const two = problemOf('server: { port: 9000 }\n---\nserver: { port: 9001 }\nsmtp: { url: "smtp://u:hunter2-secret@mail.example.com" }\n');
    expect(two).toBe(`${path}: a second YAML document starts at line 2; only one document is allowed (a line --- or ... ends the first)`);
    expect(problemOf('# comment\n---\nserver: { port: 9000 }\n...\nmodels: []\n')).toBe(`${path}: a second YAML document starts at line 5; only one document is allowed (a line --- or ... ends the first)`);
    expect(problemOf('server: { port: 9000 }\n---\n')).toContain('a second YAML document starts at line 2');
    // One document, with its optional start and end markers, is read as before.
    expect(problemOf('---\nserver: { port: 9000 }\n...\n')).toBe('');
    expect(loadConfig(path).server.port).toBe(9000);
  });
});

describe('limits that cannot be counted exactly', () => {
  it('are refused in the config with the field named', () => {
    const p = problems({ tiers: { free: { '*': { max_tokens_per_1_day: 100_000_007, max_tokens_per_1_minute: 1_000_000 } } } });
    expect(p).toEqual(['tiers.free.*.max_tokens_per_1_day: 100000007 cannot be counted exactly; use a rounder number (e.g. a multiple of 1000)']);
  });
});

describe('logging.level', () => {
  it("accepts pino's levels and silent, from the file or TOLLGATE_LOG_LEVEL", () => {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']) expect(parseConfig({ logging: { level } }).logging.level).toBe(level);
    expect(parseConfig({ logging: { level: 'warn' } }, { TOLLGATE_LOG_LEVEL: 'debug' }).logging.level).toBe('debug');
  });

  it('names a level pino does not know', () => {
    expect(problems({ logging: { level: 'verbose' } })).toEqual(['logging.level: expected one of "trace", "debug", "info", "warn", "error", "fatal", "silent", got "verbose"']);
    expect(problems({}, { TOLLGATE_LOG_LEVEL: 'loud' })).toEqual(['TOLLGATE_LOG_LEVEL: expected one of "trace", "debug", "info", "warn", "error", "fatal", "silent", got "loud"']);
  });
});

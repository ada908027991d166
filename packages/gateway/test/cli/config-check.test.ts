/**
 * `tollgate config check` (and `config show`): the config `serve` would run with, read the same
 * way (--config, TOLLGATE_CONFIG, the environment's overrides, the checks), printed as YAML or JSON
 * with every default filled in and no secret in it; an invalid config fails as `serve` fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cliRunner } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const { cli } = cliRunner(() => ({}));

/** The YAML printed: its first line (the comment) and the document. */
function yamlOut(stdout: string): { comment: string; doc: any } {
  return { comment: stdout.slice(0, stdout.indexOf('\n')), doc: parse(stdout) };
}

describe('tollgate config check', () => {
  const valid = file('valid.yaml', 'models:\n  - name: my-model\n    pricing: { input_per_1m: 1 }\n');

  it('prints the effective configuration as YAML: the file, the defaults it leaves out, the environment', async () => {
    const r = await cli(['config', 'check', '--config', valid], { TOLLGATE_LOG_LEVEL: 'debug', TOLLGATE_HOST: '0.0.0.0' });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const { comment, doc } = yamlOut(r.stdout);
    expect(comment).toMatch(new RegExp(`^# effective configuration of ${valid},`));
    // Defaults the file does not set.
    expect(doc.server.port).toBe(8080);
    expect(doc.database.url).toBe('sqlite:./data/tollgate.db');
    expect(doc.models[0]).toMatchObject({ name: 'my-model', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 1, output_per_1m: 0 } });
    expect(doc.default_tier).toBe('free');
    // The environment's overrides, and what follows from them.
    expect(doc.logging.level).toBe('debug');
    expect(doc.server).toMatchObject({ host: '0.0.0.0', public_url: 'http://0.0.0.0:8080' });
    expect(doc.secrets).toEqual({ admin_key: 'not set', server_secret: 'not set', server_secret_previous: 'not set', metrics_token: 'not set' });
  });

  it('finds the config as serve does: TOLLGATE_CONFIG, else the built-in defaults', async () => {
    const fromEnv = await cli(['config', 'check'], { TOLLGATE_CONFIG: valid, TOLLGATE_PORT: '9123' });
    expect(fromEnv.code).toBe(0);
    expect(yamlOut(fromEnv.stdout).comment).toContain(`of ${valid},`);
    expect(yamlOut(fromEnv.stdout).doc.server.port).toBe(9123);
    const builtIn = await cli(['config', 'check']);
    expect(builtIn.code).toBe(0);
    const { comment, doc } = yamlOut(builtIn.stdout);
    expect(comment).toContain('of the built-in defaults (no config file)');
    expect(doc.models.map((m: { name: string }) => m.name)).toEqual(['sim-small', 'sim-large', 'sim-embed']);
  });

  it('--json prints the same configuration as JSON, with its source; config show is the same command', async () => {
    const yaml = await cli(['config', 'check', '--config', valid]);
    const json = await cli(['config', 'check', '--config', valid, '--json']);
    expect(json.code).toBe(0);
    const { source, usage_journal_files, ...rest } = JSON.parse(json.stdout);
    expect(source).toBe(valid);
    expect(usage_journal_files).toMatchObject({ segments: expect.stringMatching(/\.<n>$/) });
    expect(rest).toEqual(yamlOut(yaml.stdout).doc);
    expect(JSON.parse((await cli(['config', 'check', '--json'])).stdout).source).toBeNull();
    expect(await cli(['config', 'show', '--config', valid])).toEqual(yaml);
    expect(await cli(['config', 'show', '--config', valid, '--json'])).toEqual(json);
  });

  it('an invalid config exits as serve does (2), naming each field on stderr exactly as serve does', async () => {
    const bad = file('bad.yaml', 'server: { port: eighty }\nmodels:\n  - name: m\n    context_window: -1\n');
    const r = await cli(['config', 'check', '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('server.port: expected an integer >= 0 and <= 65535, got "eighty"');
    expect(r.stderr).toContain('models[0].context_window: expected an integer >= 1, got -1');
    // `serve` fails on the config before it opens or starts anything.
    expect(await cli(['serve', '--config', bad])).toEqual(r);
    // A wrong --port or --host is named by the option typed, not by the variable of the same key.
    for (const [argv, message] of [
      [['--port', 'eighty'], '--port: expected an integer >= 0 and <= 65535, got "eighty"'],
      [['--port=70000'], '--port: expected an integer >= 0 and <= 65535, got 70000'],
      [['--host', ''], '--host: expected a non-empty string, got ""'],
    ] as const) {
      const flagged = await cli(['serve', ...argv], { TOLLGATE_PORT: '9001', TOLLGATE_HOST: '0.0.0.0' });
      expect(flagged).toMatchObject({ code: 2, stdout: '' });
      expect(flagged.stderr).toContain(message);
      expect(flagged.stderr).not.toMatch(/TOLLGATE_(PORT|HOST)/);
    }
    // An empty --config is not read as "no --config": the built-in defaults would stand in for the file asked for.
    for (const argv of [['config', 'check', '--config', ''], ['config', 'check', '--config='], ['serve', '--config', '']]) {
      const empty = await cli(argv, { TOLLGATE_CONFIG: valid });
      expect(empty).toMatchObject({ code: 2, stdout: '' });
      expect(empty.stderr).toContain('--config: expected a file, got an empty value');
    }
    // A second YAML document would be ignored: a config error too, quoting nothing of the file.
    const twoDocs = file('two-docs.yaml', 'server: { port: 9000 }\n---\nserver: { port: 9001 }\nmodels: [{ name: hunter2-secret }]\n');
    for (const argv of [['config', 'check', '--config', twoDocs], ['serve', '--config', twoDocs]]) {
      const r2 = await cli(argv);
      expect(r2).toMatchObject({ code: 2, stdout: '' });
      expect(r2.stderr).toContain(`${twoDocs}: a second YAML document starts at line 2; only one document is allowed`);
      expect(r2.stderr).not.toMatch(/hunter2|9001/);
    }
    const missing = await cli(['config', 'check'], { TOLLGATE_CONFIG: join(dir, 'nowhere.yaml') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nowhere.yaml: cannot read (ENOENT)');
  });

  it('shows the secret file and the usage journal serve would use, not null: next to the SQLite file, in ./data for PostgreSQL', async () => {
    const paths = async (env: Record<string, string>) => {
      const json = await cli(['config', 'check', '--json'], env);
      expect(json.code).toBe(0);
      const doc = JSON.parse(json.stdout);
      const text = (await cli(['config', 'check'], env)).stdout;
      const yaml = yamlOut(text).doc;
      expect({ secret_file: yaml.secret_file, journal_path: yaml.usage.journal_path }).toEqual({ secret_file: doc.secret_file, journal_path: doc.usage.journal_path });
      // The journal is kept in numbered segments beside journal_path and a lock, never in journal_path itself: both say so.
      const files = { segments: `${doc.usage.journal_path}.<n>`, lock: `${doc.usage.journal_path}.lock` };
      expect(doc.usage_journal_files).toEqual(files);
      expect(text).toContain(`  # the journal's files: ${files.segments} (numbered segments`);
      expect(text).toContain(` the lock ${files.lock}\n  journal_path: ${doc.usage.journal_path}\n`);
      return { secret_file: doc.secret_file, journal_path: doc.usage.journal_path };
    };
    expect(await paths({})).toEqual({ secret_file: 'data/tollgate.secret', journal_path: './data/tollgate.db.usage-journal' });
    expect(await paths({ TOLLGATE_DATABASE_URL: 'sqlite:/var/lib/tollgate/gw.db' })).toEqual({ secret_file: '/var/lib/tollgate/tollgate.secret', journal_path: '/var/lib/tollgate/gw.db.usage-journal' });
    // `sqlite://<path>` names the same file as `sqlite:<path>` for the store, and so for its journal.
    expect(await paths({ TOLLGATE_DATABASE_URL: 'sqlite://db/gw.db' })).toEqual({ secret_file: 'db/tollgate.secret', journal_path: 'db/gw.db.usage-journal' });
    expect(await paths({ TOLLGATE_DATABASE_URL: 'postgres://tollgate@db.example.com/tollgate', TOLLGATE_PORT: '9001' })).toEqual({
      secret_file: 'data/tollgate.secret',
      journal_path: './data/usage-journal-9001.jsonl',
    });
    // An in-memory database keeps its secret in memory, and gets a new temporary journal each start.
    expect(await paths({ TOLLGATE_DATABASE_URL: 'sqlite::memory:' })).toEqual({ secret_file: null, journal_path: join(tmpdir(), 'tollgate-usage-journal-<random>.jsonl') });
    // Set, they are shown as set.
    expect(await paths({ TOLLGATE_SECRET_FILE: '/etc/tollgate/secret', TOLLGATE_USAGE_JOURNAL: '/var/tmp/journal.jsonl' })).toEqual({
      secret_file: '/etc/tollgate/secret',
      journal_path: '/var/tmp/journal.jsonl',
    });
  });

  it('is listed by tollgate --help, and has its own help with exit codes', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/^ {2}config {4}check the config/m);
    for (const verb of ['check', 'show']) {
      const help = await cli(['config', verb, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: tollgate config ${verb} [--config FILE] [--json]`);
      expect(help.stdout).toContain('Exit codes: 0 the config is valid (printed), 2 usage or config error.');
    }
  });
});

describe('tollgate config check prints no secret', () => {
  /** Every secret value below: none may be printed, in any form. */
  const S = {
    adminKey: 'tga-admin-key-value-1',
    serverSecret: 'server-secret-value-2',
    previousSecret: 'previous-secret-value-3',
    metricsToken: 'metrics-token-value-4',
    dbPassword: 'db-password-5',
    dbQueryPassword: 'db-query-password-6',
    redisPassword: 'redis-password-7',
    smtpPassword: 'smtp-password-8',
    basePassword: 'base-url-password-9',
    baseQueryKey: 'base-url-query-key-10',
    headerKey: 'header-api-key-11',
    upstreamKey: 'upstream-api-key-12',
    oidcSecret: 'oidc-client-secret-13',
    oidcIssuerPassword: 'oidc-issuer-password-14',
    webhookPassword: 'status-webhook-password-15',
    webhookSecret: 'status-webhook-secret-16',
    softLimitToken: 'soft-limit-token-17',
    publicUrlPassword: 'public-url-password-18',
    pageUrlPassword: 'page-url-password-19',
    clusterPassword: 'cluster-password-20',
    clusterUserPassword: 'cluster-user-password-21',
    webhookPathToken: 'webhook-path-token-22',
    defaultWebhookSecret: 'status-webhook-secret-23',
  };
  const env = {
    TOLLGATE_ADMIN_KEY: S.adminKey,
    TOLLGATE_SECRET: S.serverSecret,
    TOLLGATE_SECRET_PREVIOUS: S.previousSecret,
    MY_METRICS_TOKEN: S.metricsToken,
    TOLLGATE_SMTP_URL: `smtps://mailer:${S.smtpPassword}@mail.example.com:465`,
    TOLLGATE_PUBLIC_URL: `https://gw:${S.publicUrlPassword}@gw.example.com`,
    UPSTREAM_KEY: S.upstreamKey,
    OIDC_SECRET: S.oidcSecret,
    STATUS_HOOK_SECRET: S.webhookSecret,
    // The second webhook's, which names no secret_env.
    TOLLGATE_STATUS_WEBHOOK_SECRET: S.defaultWebhookSecret,
  };
  const config = file(
    'secrets.yaml',
    `database: { url: "postgres://tollgate:${S.dbPassword}@db.example.com/tollgate?sslmode=require&password=${S.dbQueryPassword}" }
redis: { url: "redis://:${S.redisPassword}@redis.example.com:6379" }
metrics: { token_env: MY_METRICS_TOKEN }
smtp: { from: tollgate@example.com }
billing: { soft_limit_webhook_url: "https://hooks.example.com/tollgate?token=${S.softLimitToken}" }
console:
  oidc: { issuer: "https://sso:${S.oidcIssuerPassword}@id.example.com", client_id: tollgate, client_secret_env: OIDC_SECRET }
status:
  page: { url: "https://page:${S.pageUrlPassword}@status.example.com" }
  webhooks: [{ url: "https://hook:${S.webhookPassword}@hooks.example.com/status", secret_env: STATUS_HOOK_SECRET }, { url: "https://chat.example.com/services/T01/B02/${S.webhookPathToken}" }]
models:
  - name: upstream
    provider: openai-compatible
    deployments:
      - base_url: "https://user:${S.basePassword}@llm.example.com/v1?api-key=${S.baseQueryKey}"
        api_key_env: UPSTREAM_KEY
        headers: { api-key: ${S.headerKey}, X-Title: tollgate }
`,
  );
  const leaked = (out: string) => Object.entries(S).filter(([, secret]) => out.includes(secret)).map(([name]) => name);

  it('in YAML or JSON: the secrets as set, URLs without credentials or query values, headers without values', async () => {
    for (const json of [false, true]) {
      const r = await cli(['config', 'check', '--config', config, ...(json ? ['--json'] : [])], env);
      expect(r.code).toBe(0);
      expect(leaked(r.stdout + r.stderr)).toEqual([]);
      const doc = json ? JSON.parse(r.stdout) : parse(r.stdout);
      expect(doc.secrets).toEqual({ admin_key: 'set', server_secret: 'set', server_secret_previous: 'set', metrics_token: 'set' });
      expect(doc.database.url).toBe('postgres://***@db.example.com/tollgate?sslmode=***&password=***');
      expect(doc.redis.url).toBe('redis://***@redis.example.com:6379');
      expect(doc.smtp.url).toBe('smtps://***@mail.example.com:465');
      expect(doc.server.public_url).toBe('https://***@gw.example.com');
      // A webhook's path can be its token: webhook URLs show their origin only.
      expect(doc.billing.soft_limit_webhook_url).toBe('https://hooks.example.com/***');
      expect(doc.console.oidc).toMatchObject({ issuer: 'https://***@id.example.com', client_secret_env: 'OIDC_SECRET' });
      expect(doc.status.page.url).toBe('https://***@status.example.com');
      expect(doc.status.webhooks).toEqual([
        { url: 'https://hooks.example.com/***', secret_env: 'STATUS_HOOK_SECRET' },
        { url: 'https://chat.example.com/***', secret_env: null },
      ]);
      expect(doc.models[0].deployments[0]).toMatchObject({ base_url: 'https://***@llm.example.com/v1?api-key=***', api_key_env: 'UPSTREAM_KEY', headers: { 'api-key': '***', 'X-Title': '***' } });
    }
  });

  it('Redis Cluster seed nodes lose their passwords too, with or without a scheme', async () => {
    const nodes = `:${S.clusterPassword}@node-a.example.com:7000, redis://default:${S.clusterUserPassword}@node-b.example.com:7001`;
    for (const json of [false, true]) {
      const r = await cli(['config', 'check', ...(json ? ['--json'] : [])], { TOLLGATE_REDIS_CLUSTER_NODES: nodes });
      expect(r.code).toBe(0);
      expect(leaked(r.stdout + r.stderr)).toEqual([]);
      expect((json ? JSON.parse(r.stdout) : parse(r.stdout)).redis.cluster_nodes).toEqual(['***@node-a.example.com:7000', 'redis://***@node-b.example.com:7001']);
    }
  });

  it('a wrong value is quoted without its password', async () => {
    const r = await cli(['config', 'check'], { TOLLGATE_DATABASE_URL: `mysql://tollgate:${S.dbPassword}@db.example.com/tollgate` });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TOLLGATE_DATABASE_URL: expected sqlite:<path> or postgres://..., got "mysql://***@db.example.com/tollgate"');
    expect(leaked(r.stdout + r.stderr)).toEqual([]);
  });
});

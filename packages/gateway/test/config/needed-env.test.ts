/**
 * Checks that need only the config and the environment run where the config is loaded, so that
 * `config check` and `serve` judge the same configs alike before anything opens: a secret the
 * config cannot do without (a status webhook's signing secret) is a config error; one it names a
 * variable for but can run without (a deployment's API key, the OIDC client secret) is a warning;
 * and the URLs the gateway would otherwise find wrong only while starting are config errors. A
 * webhook is named by its index and its origin, never its token.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from 'tollgate';
import { webhookTargetsFrom } from '../../src/status/webhooks.js';
import { problems } from './problems.js';

const TOKEN = 'SECRETTOKEN-9f8e7d';
const HOOK = `https://chat.example.com/services/T1/B2/${TOKEN}`;
const hookDoc = { status: { webhooks: [{ url: HOOK, secret_env: 'STATUS_WEBHOOK_SECRET' }] } };
const MISSING_HOOK_SECRET = 'status.webhooks[0].secret_env: STATUS_WEBHOOK_SECRET is not set; the webhook https://chat.example.com/*** needs a signing secret';

const upstream = (deployment: Record<string, unknown>) => ({ models: [{ name: 'up', provider: 'openai-compatible', deployments: [{ base_url: 'https://api.example.com/v1', ...deployment }] }] });
const oidc = (more: Record<string, unknown>) => ({ console: { oidc: { issuer: 'https://id.example.com', client_id: 'tollgate', ...more } } });

/** The ConfigError parseConfig throws for `doc` with `env`. */
function configError(doc: unknown, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfig(doc, env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('parseConfig accepted the config');
}

describe('a status webhook needs its signing secret in the environment', () => {
  it('unset: a ConfigError naming the field, the variable and the webhook by its origin, never its token', () => {
    const e = configError(hookDoc);
    expect(e.problems).toEqual([MISSING_HOOK_SECRET]);
    expect(e.message).toContain(`  - ${MISSING_HOOK_SECRET}`);
    expect(e.message).not.toContain(TOKEN);
    expect(e.message).not.toContain('services');
  });

  it('set: the config loads', () => {
    expect(parseConfig(hookDoc, { STATUS_WEBHOOK_SECRET: 'whsec-0123456789' }).status.webhooks).toEqual([{ url: HOOK, secret_env: 'STATUS_WEBHOOK_SECRET' }]);
  });

  it('set to nothing is not set; without secret_env the default variable is named; each webhook by its index', () => {
    expect(problems(hookDoc, { STATUS_WEBHOOK_SECRET: '' })).toEqual([MISSING_HOOK_SECRET.replace('is not set', 'is empty')]);
    const two = { status: { webhooks: [{ url: 'https://ok.example.com/a', secret_env: 'A_SECRET' }, { url: `https://hooks.example.com/x?token=${TOKEN}` }] } };
    expect(problems(two, { A_SECRET: 's' })).toEqual([
      'status.webhooks[1].secret_env: TOLLGATE_STATUS_WEBHOOK_SECRET (the default of secret_env) is not set; the webhook https://hooks.example.com/*** needs a signing secret',
    ]);
    expect(problems(two, { A_SECRET: 's', TOLLGATE_STATUS_WEBHOOK_SECRET: 's2' })).toEqual([]);
  });

  it('loadConfig reads the file and checks the environment it is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-needed-env-'));
    try {
      const file = join(dir, 'tollgate.yaml');
      writeFileSync(file, `status: { webhooks: [{ url: "${HOOK}", secret_env: STATUS_WEBHOOK_SECRET }] }\n`);
      expect(() => loadConfig(file, {})).toThrow(MISSING_HOOK_SECRET);
      expect(loadConfig(file, { STATUS_WEBHOOK_SECRET: 'whsec' }).status.webhooks).toHaveLength(1);
      // `tollgate simulate` serves the models alone and asks for no secret.
      expect(loadConfig(file, {}, { neededEnv: false }).status.webhooks).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('assembling the webhooks with an environment that lacks the secret throws the same ConfigError', () => {
    const config = parseConfig(hookDoc, { STATUS_WEBHOOK_SECRET: 'whsec' });
    expect(() => webhookTargetsFrom(config, {})).toThrow(ConfigError);
    expect(() => webhookTargetsFrom(config, {})).toThrow(MISSING_HOOK_SECRET);
    expect(webhookTargetsFrom(config, { STATUS_WEBHOOK_SECRET: 'whsec' })).toEqual([{ url: HOOK, secret: 'whsec' }]);
  });
});

describe('other secrets the config names a variable for', () => {
  /** The warnings of a config that loads. */
  const warnings = (doc: unknown, env: Record<string, string> = {}) => parseConfig(doc, env).warnings;

  it("a deployment's api_key_env that is not set is a warning (requests would go without a key); the config loads", () => {
    const doc = upstream({ api_key_env: 'UPSTREAM_KEY' });
    expect(problems(doc)).toEqual([]);
    expect(warnings(doc)).toEqual(['models[0].deployments[0].api_key_env: UPSTREAM_KEY is not set; requests to the deployment up#0 would go without an API key (leave api_key_env out if it needs none)']);
    expect(warnings(doc, { UPSTREAM_KEY: '' })).toEqual(['models[0].deployments[0].api_key_env: UPSTREAM_KEY is empty; requests to the deployment up#0 would go without an API key (leave api_key_env out if it needs none)']);
    expect(warnings(doc, { UPSTREAM_KEY: 'sk-1' })).toEqual([]);
    // No api_key_env: an upstream that needs no key (a local vLLM).
    expect(warnings(upstream({}))).toEqual([]);
  });

  it('an OIDC client_secret_env that is not set is a warning; without one it is a public client', () => {
    expect(problems(oidc({ client_secret_env: 'OIDC_SECRET' }))).toEqual([]);
    expect(warnings(oidc({ client_secret_env: 'OIDC_SECRET' }))).toEqual([
      'console.oidc.client_secret_env: OIDC_SECRET is not set; the identity provider would get no client secret (leave client_secret_env out for a public client)',
    ]);
    expect(warnings(oidc({ client_secret_env: 'OIDC_SECRET' }), { OIDC_SECRET: 'cs' })).toEqual([]);
    expect(warnings(oidc({}))).toEqual([]);
  });

  it('every missing secret at once: the webhook refused, the other two warned about', () => {
    const doc = { ...hookDoc, ...upstream({ api_key_env: 'UPSTREAM_KEY' }), ...oidc({ client_secret_env: 'OIDC_SECRET' }) };
    expect(problems(doc)).toEqual([MISSING_HOOK_SECRET]);
    expect(warnings(doc, { STATUS_WEBHOOK_SECRET: 'whsec' })).toHaveLength(2);
  });

  it('optional on purpose: the admin key, the key-hashing secret and the metrics token may be unset', () => {
    const c = parseConfig({ admin_key_env: 'MY_ADMIN_KEY', secret_env: 'MY_SECRET', metrics: { token_env: 'MY_METRICS_TOKEN' } }, {});
    expect(c.secrets).toEqual({ admin_key: null, server_secret: null, server_secret_previous: null, metrics_token: null });
  });
});

describe('URLs that would stop a start are found where the config is loaded', () => {
  const cases: [string, unknown, string][] = [
    ['sqlite: without a path', { database: { url: 'sqlite:' } }, 'database.url: no file path after sqlite: (e.g. sqlite:./data/tollgate.db, or sqlite::memory:)'],
    ['a PostgreSQL schema that is not an identifier', { database: { url: 'postgres://u@db/x?schema=a-b' } }, 'database.url: schema "a-b" is not a plain identifier (letters, digits and _, not starting with a digit)'],
    ['a PostgreSQL URL that does not parse', { database: { url: 'postgres://u:pa/ss@db/x' } }, 'database.url: not a valid URL (a / ? or # in the password is written %2F %3F %23)'],
    ['a base_url that does not parse', upstream({ base_url: 'https://' }), 'models[0].deployments[0].base_url: expected an http(s) URL, got "https://"'],
    ['an OIDC issuer that does not parse', oidc({ issuer: 'https://' }), 'console.oidc.issuer: expected an http(s) URL, got "https://"'],
    // Not a URL: nothing of it is shown (a webhook's origin only when it parses).
    ['a webhook URL without its scheme', { status: { webhooks: [{ url: `chat.example.com/services/T1/B2/${TOKEN}` }] } }, 'status.webhooks[0].url: expected an http(s) URL, got "***"'],
    ['a webhook URL that starts like one but does not parse', { status: { webhooks: [{ url: `https://chat.example.com:99999/services/${TOKEN}` }] } }, 'status.webhooks[0].url: expected an http(s) URL, got "***"'],
  ];
  it.each(cases)('%s', (_what, doc, message) => {
    expect(problems(doc)).toEqual([message]);
  });

  it('named by the environment variable the URL came from', () => {
    expect(problems({}, { TOLLGATE_DATABASE_URL: 'sqlite:' })).toEqual(['TOLLGATE_DATABASE_URL: no file path after sqlite: (e.g. sqlite:./data/tollgate.db, or sqlite::memory:)']);
  });
});

describe('a secret pasted where its variable name belongs', () => {
  it('is never quoted by the message that the variable is missing', () => {
    const pasted = 'whsec_live_4f3e2d1c0b';
    const w = parseConfig(upstream({ api_key_env: pasted }), {}).warnings;
    expect(w).toEqual(['models[0].deployments[0].api_key_env: the variable this field names is not set; requests to the deployment up#0 would go without an API key (leave api_key_env out if it needs none)']);
    expect(problems({ status: { webhooks: [{ url: HOOK, secret_env: pasted }] } }).join('\n')).not.toContain(pasted);
  });
});

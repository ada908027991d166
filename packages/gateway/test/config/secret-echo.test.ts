/**
 * A configuration error never quotes a secret. `tollgate serve` and `tollgate config check` print
 * these messages (terminals, CI logs): each bad config below carries its own secret strings, and
 * the message must name the field and hold none of them, whatever the value's shape — invalid
 * YAML next to a password, a URL with a misspelt scheme or none, query values, a header value of
 * the wrong type, a webhook URL whose path is its token.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig, parseConfig, type Env } from 'tollgate';
import { redactConfig } from '../../src/config/redact-config.js';
import { redactUrl, webhookLabel } from '../../src/config/redact-url.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-secret-echo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** The ConfigError's problems for a YAML text (read by loadConfig from a file) or a parsed document. */
function problemsOf(input: { yaml: string } | { doc: unknown }, env: Env = {}): string[] {
  try {
    if ('yaml' in input) {
      const path = join(dir, `c${files++}.yaml`);
      writeFileSync(path, input.yaml);
      loadConfig(path, env);
    } else {
      parseConfig(input.doc, env);
    }
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems, e.message];
    throw e;
  }
  throw new Error('the config was accepted');
}

const upstream = (deployment: Record<string, unknown>) => ({ models: [{ name: 'm', provider: 'openai-compatible', deployments: [{ base_url: 'http://127.0.0.1:1/v1', ...deployment }] }] });

interface Case {
  what: string;
  input: { yaml: string } | { doc: unknown };
  env?: Env;
  /** The start of the problem: the field's path (or the variable's name), or the file's. */
  field: string;
  /** What the message shows of the value, when it shows anything. */
  shown?: string;
  secrets: string[];
}

const cases: Case[] = [
  // 1. Invalid YAML: the library's sentence with line and column, nothing of the file.
  {
    what: 'a syntax error next to a Redis password',
    input: { yaml: 'redis: { url: "redis://:Yaml-Redis-Pw1@host:6379" \nserver: { port: 8080 }\n' },
    field: '.yaml: not valid YAML: ',
    secrets: ['Yaml-Redis-Pw1'],
  },
  {
    what: 'a syntax error under a header value',
    input: { yaml: 'models:\n  - name: m\n    provider: openai-compatible\n    deployments:\n      - base_url: http://127.0.0.1:1/v1\n        headers:\n          Authorization: Bearer yaml-header-tok2\n       bad: [\n' },
    field: '.yaml: not valid YAML: ',
    secrets: ['yaml-header-tok2'],
  },
  {
    what: 'an unresolved alias (a value starting with *)',
    input: { yaml: 'models:\n  - name: m\n    deployments:\n      - base_url: http://h/v1\n        headers: { api-key: *yamlAliasTok3 }\n' },
    field: '.yaml: not valid YAML: Unresolved alias',
    secrets: ['yamlAliasTok3'],
  },
  {
    what: 'an unknown tag (a value starting with !): a problem, not a warning printed with the line',
    input: { yaml: 'models:\n  - name: m\n    deployments:\n      - base_url: http://h/v1\n        headers: { api-key: !yamlTagTok4 x }\n' },
    field: '.yaml: not valid YAML: Unresolved tag at line 5, column 29',
    secrets: ['yamlTagTok4'],
  },
  {
    what: 'a block scalar header with text after it (a value starting with |)',
    input: { yaml: 'redis:\n  url: |yamlBlockTok5\n    x\n' },
    field: '.yaml: not valid YAML: Block scalar header includes extra characters at line 2',
    secrets: ['yamlBlockTok5'],
  },
  {
    what: 'a bad escape in a quoted password',
    input: { yaml: 'database:\n  url: "postgres://tg:p\\Uyamlesc6@db/x"\n' },
    field: '.yaml: not valid YAML: Invalid escape sequence at line 2',
    secrets: ['yamlesc6'],
  },
  // 3. A value with `@` is masked before its last `@`, whether or not it looks like a URL.
  {
    what: 'a database URL without the colon of its scheme, from the environment',
    input: { doc: {} },
    env: { TOLLGATE_DATABASE_URL: 'postgres//tg:PGNOCOLON@db/x' },
    field: 'TOLLGATE_DATABASE_URL: expected sqlite:<path> or postgres://...',
    shown: '"postgres//***@db/x"',
    secrets: ['PGNOCOLON', 'tg:'],
  },
  {
    what: 'a database URL with one slash and a password holding @',
    input: { doc: { database: { url: 'postgres:/tg:pg@At-Pw7@db/x' } } },
    field: 'database.url: expected sqlite:<path> or postgres://...',
    shown: '"postgres:/***@db/x"',
    secrets: ['pg@At-Pw7', 'At-Pw7'],
  },
  {
    what: 'a libpq connection string given for the database URL',
    input: { doc: { database: { url: 'host=db user=tg password=libpqPw8 dbname=x' } } },
    field: 'database.url: expected sqlite:<path> or postgres://...',
    shown: '"host=*** user=*** password=*** dbname=***"',
    secrets: ['libpqPw8'],
  },
  {
    what: 'an SMTP URL without its colon',
    input: { doc: { smtp: { url: 'smtps//mailer:smtpPw9@mail.example.com:465', from: 'a@b.co' } } },
    field: 'smtp.url: expected smtp://[user:password@]host[:port] or smtps://…',
    shown: '"smtps//***@mail.example.com:465"',
    secrets: ['smtpPw9'],
  },
  {
    what: 'a public URL without a scheme',
    input: { doc: { server: { public_url: 'admin:publicPw10@gw.example.com' } } },
    field: 'server.public_url: expected an http(s) URL',
    shown: '"***@gw.example.com"',
    secrets: ['publicPw10', 'admin'],
  },
  {
    what: 'an OIDC issuer with a misspelt scheme',
    input: { doc: { console: { oidc: { issuer: 'htps:/sso:oidcPw11@id.example.com', client_id: 'tollgate' } } } },
    field: 'console.oidc.issuer: expected an http(s) URL',
    shown: '"htps:/***@id.example.com"',
    secrets: ['oidcPw11'],
  },
  {
    what: 'a Redis Cluster seed node without the colon of its scheme',
    input: { doc: {} },
    env: { TOLLGATE_REDIS_CLUSTER_NODES: 'redis://a:7000, redis//:clusterPw12@b:7001' },
    field: 'TOLLGATE_REDIS_CLUSTER_NODES[1]: expected redis://host:port or host:port',
    shown: '"redis//***@b:7001"',
    secrets: ['clusterPw12'],
  },
  {
    what: 'a Redis URL written where a key goes',
    input: { doc: { redis: { 'redis://:keyPw13@h:6379': 1 } } },
    field: 'redis.redis://***@h:6379: unknown key',
    secrets: ['keyPw13'],
  },
  {
    what: 'a URL in a list where a string goes',
    input: { doc: { server: { public_url: ['https://u:listPw14@gw.example.com?token=listQ14'] } } },
    field: 'server.public_url: expected a non-empty string',
    shown: '["https://***@gw.example.com?token=***"]',
    secrets: ['listPw14', 'listQ14'],
  },
  // 4. Query values.
  {
    what: 'a base URL with a misspelt scheme and an API key in its query',
    input: { doc: upstream({ base_url: 'htp:/user:basePw15@llm.example.com/v1?api-key=QKEY15&v=2' }) },
    field: 'models[0].deployments[0].base_url: expected an http(s) URL',
    shown: '"htp:/***@llm.example.com/v1?api-key=***&v=***"',
    secrets: ['basePw15', 'QKEY15'],
  },
  {
    what: 'a database URL with its password in the query, from the environment',
    input: { doc: {} },
    env: { TOLLGATE_DATABASE_URL: 'mysql://db.example.com/x?password=dbQueryPw16' },
    field: 'TOLLGATE_DATABASE_URL: expected sqlite:<path> or postgres://...',
    shown: '"mysql://db.example.com/x?password=***"',
    secrets: ['dbQueryPw16'],
  },
  // 5. A secret's value is never quoted, whatever its type.
  {
    what: 'a numeric api-key header (YAML reads it as an integer)',
    input: { yaml: 'models:\n  - name: m\n    provider: openai-compatible\n    deployments:\n      - base_url: http://127.0.0.1:1/v1\n        headers: { api-key: 12345678 }\n' },
    field: 'models[0].deployments[0].headers.api-key: expected a non-empty string',
    shown: 'a number',
    secrets: ['12345678'],
  },
  {
    what: 'an Authorization header given as a list',
    input: { doc: upstream({ headers: { Authorization: ['Bearer hdrListTok17'] } }) },
    field: 'models[0].deployments[0].headers.Authorization: expected a non-empty string',
    shown: 'a list',
    secrets: ['hdrListTok17'],
  },
  {
    what: 'an Authorization header given as a mapping',
    input: { yaml: 'models:\n  - name: m\n    provider: openai-compatible\n    deployments:\n      - base_url: http://127.0.0.1:1/v1\n        headers:\n          Authorization:\n            Bearer: hdrMapTok18\n' },
    field: 'models[0].deployments[0].headers.Authorization: expected a non-empty string',
    shown: 'a mapping',
    secrets: ['hdrMapTok18'],
  },
  {
    what: 'the headers written as one string',
    input: { doc: upstream({ headers: 'Authorization: Bearer hdrStrTok19' }) },
    field: 'models[0].deployments[0].headers: expected a mapping',
    shown: 'a string',
    secrets: ['hdrStrTok19'],
  },
  {
    what: 'the headers written as a list',
    input: { doc: upstream({ headers: ['api-key: hdrListTok20'] }) },
    field: 'models[0].deployments[0].headers: expected a mapping',
    shown: 'a list',
    secrets: ['hdrListTok20'],
  },
  {
    what: 'a deployment nested one list too deep (its headers in it)',
    input: { doc: { models: [{ name: 'm', provider: 'openai-compatible', deployments: [[{ base_url: 'http://h/v1', headers: { 'api-key': 'nestedTok21' } }]] }] } },
    field: 'models[0].deployments[0]: expected a mapping',
    shown: 'a list',
    secrets: ['nestedTok21'],
  },
  {
    what: 'the whole config as a list item',
    input: { yaml: '- models:\n    - name: m\n      deployments: [{ base_url: "http://h/v1", headers: { api-key: topTok22 } }]\n' },
    field: '(top level): expected a mapping',
    shown: 'a list',
    secrets: ['topTok22'],
  },
  {
    what: 'an API key written where the name of its variable goes',
    input: { doc: upstream({ api_key_env: 'sk-proj-envNameTok32' }) },
    field: 'models[0].deployments[0].api_key_env: expected the name of an environment variable',
    shown: 'something else (not quoted: it may be the secret)',
    secrets: ['envNameTok32'],
  },
  {
    what: "a webhook's signing secret written where the name of its variable goes",
    input: { doc: { status: { webhooks: [{ url: 'https://hooks.example.com/x', secret_env: 'whsec-envNameTok33' }] } } },
    field: 'status.webhooks[0].secret_env: expected the name of an environment variable',
    secrets: ['envNameTok33'],
  },
  {
    what: 'the OIDC client secret written where the name of its variable goes',
    input: { doc: { console: { oidc: { issuer: 'https://id.example.com', client_id: 'tollgate', client_secret_env: 'oidc/envNameTok34' } } } },
    field: 'console.oidc.client_secret_env: expected the name of an environment variable',
    secrets: ['envNameTok34'],
  },
  {
    what: 'the admin key written where the name of its variable goes, as a number',
    input: { yaml: 'admin_key_env: 987654321012\n' },
    field: 'admin_key_env: expected a non-empty string',
    shown: 'a number',
    secrets: ['987654321012'],
  },
  // 6. Webhook URLs: their origin only, `***` when not a URL.
  {
    what: 'a status webhook without its scheme',
    input: { doc: { status: { webhooks: [{ url: 'chat.example.com/services/T1/B2/NOSCHEMETOKEN' }] } } },
    field: 'status.webhooks[0].url: expected an http(s) URL',
    shown: '"***"',
    secrets: ['NOSCHEMETOKEN', 'T1/B2'],
  },
  {
    what: 'a status webhook of another scheme',
    input: { doc: { status: { webhooks: [{ url: 'ftp://hooks.example.com/services/ftpHookTok23' }] } } },
    field: 'status.webhooks[0].url: expected an http(s) URL',
    shown: '"ftp://hooks.example.com/***"',
    secrets: ['ftpHookTok23'],
  },
  {
    what: 'a status webhook in a list',
    input: { doc: { status: { webhooks: [{ url: ['https://chat.example.com/services/listHookTok24'] }] } } },
    field: 'status.webhooks[0].url: expected a non-empty string',
    shown: 'a list',
    secrets: ['listHookTok24'],
  },
  {
    what: 'the billing webhook of another scheme',
    input: { doc: { billing: { soft_limit_webhook_url: 'ftp://hooks.example.com/tollgate?token=softFtpTok25' } } },
    field: 'billing.soft_limit_webhook_url: expected an http(s) URL',
    shown: '"ftp://hooks.example.com/***"',
    secrets: ['softFtpTok25'],
  },
  {
    what: 'the billing webhook without its scheme',
    input: { doc: { billing: { soft_limit_webhook_url: 'hooks.example.com/x/softNoSchemeTok26' } } },
    field: 'billing.soft_limit_webhook_url: expected an http(s) URL',
    shown: '"***"',
    secrets: ['softNoSchemeTok26'],
  },
  // 7. redis.url: what the Redis client connects to, the password masked.
  {
    what: 'a Redis URL without the colon of its scheme',
    input: { doc: { redis: { url: 'redis//:redisPw27@127.0.0.1' } } },
    field: 'redis.url: expected redis://[user:password@]host[:port][/db], rediss://…, host[:port] or a socket path',
    shown: '"redis//***@127.0.0.1"',
    secrets: ['redisPw27'],
  },
  {
    what: 'an http URL for Redis',
    input: { doc: { redis: { url: 'http://:httpRedisPw28@127.0.0.1:6379' } } },
    field: 'redis.url: expected redis://',
    shown: '"http://***@127.0.0.1:6379"',
    secrets: ['httpRedisPw28'],
  },
  {
    what: 'a Redis URL from the environment with a misspelt scheme',
    input: { doc: {} },
    env: { TOLLGATE_REDIS_URL: 'rediss:/default:envRedisPw29@r.example.com:6380' },
    field: 'TOLLGATE_REDIS_URL: expected redis://',
    shown: '"rediss:/***@r.example.com:6380"',
    secrets: ['envRedisPw29'],
  },
];

describe('a config error quotes no secret', () => {
  it.each(cases)('$what', ({ input, env, field, shown, secrets }) => {
    const got = problemsOf(input, env);
    const problem = got.find((p) => p.includes(field));
    expect(problem, got.join('\n')).toBeDefined();
    if (shown !== undefined) expect(problem).toContain(`, got ${shown}`);
    for (const s of secrets) expect(got.join('\n')).not.toContain(s);
  });

  it('nor does the yaml library print a warning with the line in it', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      problemsOf({ yaml: '%SECRET warnDirTok\n---\nmodels:\n  - name: m\n    deployments:\n      - base_url: http://h/v1\n        headers: { api-key: !warnTagTok x }\n' });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('a warning that changes nothing read is neither printed nor a problem', () => {
    // An anchor ending in `:`: the library warns (ambiguous); the value is read all the same.
    const path = join(dir, 'anchor.yaml');
    writeFileSync(path, 'logging:\n  level: &lvl: warn\n');
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      expect(loadConfig(path, {}).logging.level).toBe('warn');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('redis.url', () => {
  it('takes every form the Redis client connects to as meant (so every config that worked still does)', () => {
    const forms = ['redis://127.0.0.1:6379', 'redis://:p%40ss@r.example.com:6379/2', 'rediss://default:pw@r.example.com:6380', 'redis:6379', 'localhost:6379', 'localhost', '6379', ':pw@10.0.0.5:6379', 'u:p@ss@10.0.0.5:6379', 'h:6379?db=1', 'redis://[::1]:6379', '/run/redis/redis.sock'];
    for (const url of forms) expect(parseConfig({ redis: { url } }).redis?.url).toBe(url);
    expect(parseConfig({}, { TOLLGATE_REDIS_URL: 'rediss://r.example.com' }).redis?.url).toBe('rediss://r.example.com');
  });

  it('refuses what the client would take for a socket path or ignore a part of', () => {
    for (const url of ['redis:/h:6379', 'rediss:/h', 'redis:6379/0', 'postgres://h:5432', 'redis://', 'a b:6379', 'h:port', '[::1]:6379']) expect(problemsOf({ doc: { redis: { url } } })[0]).toMatch(/^redis\.url: expected redis:\/\//);
  });
});

describe('config check', () => {
  it('masks the password of a URL without a scheme', () => {
    expect(redactConfig(parseConfig({ redis: { url: ':checkPw30@10.0.0.5:6379' } })).redis?.url).toBe('***@10.0.0.5:6379');
    // status.page.url is not checked to be a URL: shown masked all the same.
    expect(redactConfig(parseConfig({ status: { page: { url: 'page:checkPw31@status.example.com?k=checkQ31' } } })).status.page.url).toBe('***@status.example.com?k=***');
  });
});

describe('redactUrl', () => {
  it.each([
    ['a password holding @', 'redis://:pa@ssAT@127.0.0.1:6379', 'redis://***@127.0.0.1:6379'],
    ['a password holding /', 'postgres://tg:pa/ss@db.example.com/x', 'postgres://***@db.example.com/x'],
    ['a password holding :', 'smtps://mailer:p:a:ss@mail.example.com:465', 'smtps://***@mail.example.com:465'],
    ['a password holding all three', 'redis://u:a@b/c:d@h:6379/0', 'redis://***@h:6379/0'],
    ['no scheme', ':pw@node-a:7000', '***@node-a:7000'],
    ['a scheme without its colon', 'postgres//tg:x@db/x', 'postgres//***@db/x'],
    ['a scheme with one slash', 'smtp:/u:x@h', 'smtp:/***@h'],
    ['a user name before a colon, no scheme', 'sk-live-1234:x@h', '***@h'],
    ['no @', 'redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
  ])('%s', (_what, url, masked) => {
    expect(redactUrl(url)).toBe(masked);
  });
});

describe('webhookLabel', () => {
  it('names a URL of another scheme by its scheme and host, and anything else not at all', () => {
    expect(webhookLabel('hooks://u:pw@h.example.com/x')).toBe('hooks://h.example.com/***');
    expect(webhookLabel('token123:abc')).toBe('***');
    expect(webhookLabel('https://hooks.example.com')).toBe('https://hooks.example.com');
  });
});

describe('found by a second trial', () => {
  it('a webhook URL written where a list or a mapping belongs is named by its type only', () => {
    const token = 'WebhookTok3nSECRET7';
    const url = `https://hooks.example.com/services/T000/B000/${token}`;
    for (const doc of [{ status: { webhooks: url } }, { status: { webhooks: [url] } }, { status: url }, { metrics: 'MetricsPastedTok42' }]) {
      const p = problemsOf({ doc });
      expect(p.length).toBeGreaterThan(0);
      expect(p.join('\n')).not.toContain(token);
      expect(p.join('\n')).not.toContain('MetricsPastedTok42');
      expect(p.join('\n')).toMatch(/got a (string|list)/);
    }
  });

  it('a header that could never be sent is a config error, quoting neither the name nor the value', () => {
    const secret = 'HdrApiKeySECRET5';
    const valued = problemsOf({ doc: upstream({ headers: { 'api-key': `${secret}\r\nX-Evil: 1` } }) });
    expect(valued).toContain('models[0].deployments[0].headers.api-key: a header value may not hold a line break or another control character (not quoted)');
    expect(valued.join('\n')).not.toContain(secret);
    const named = problemsOf({ doc: upstream({ headers: { [`Bearer ${secret}`]: 'x' } }) });
    expect(named[0]).toContain('a header name is not a valid HTTP field name');
    expect(named.join('\n')).not.toContain(secret);
    expect(parseConfig(upstream({ headers: { 'api-key': 'tab\tis allowed', 'X-Title': 'tollgate' } }), {}).models[0]!.deployments[0]!.headers).toEqual({ 'api-key': 'tab\tis allowed', 'X-Title': 'tollgate' });
  });

  it('config check: a Redis password in the query, a scheme-less URL, a secret pasted into a *_env field', () => {
    const secrets = ['RdQueryS3cret', 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123'];
    for (const url of [`redis://127.0.0.1:6379/0?password=${secrets[0]}`, `127.0.0.1:6379?password=${secrets[0]}`]) {
      const shown = JSON.stringify(redactConfig(parseConfig({ redis: { url } }, {})));
      expect(shown).not.toContain(secrets[0]);
    }
    const config = parseConfig(upstream({ api_key_env: secrets[1] }), {});
    const shown = redactConfig(config);
    expect(JSON.stringify(shown)).not.toContain(secrets[1]);
    expect(shown.models[0]!.deployments[0]!.api_key_env).toBe('***');
    expect(redactConfig(parseConfig(upstream({ api_key_env: 'UPSTREAM_KEY' }), { UPSTREAM_KEY: 'k' })).models[0]!.deployments[0]!.api_key_env).toBe('UPSTREAM_KEY');
  });

  it('an empty admin key is not set, as an empty secret of any other kind', () => {
    expect(parseConfig({}, { TOLLGATE_ADMIN_KEY: '' }).secrets.admin_key).toBeNull();
  });
});

describe('a password with an unencoded / ? or #', () => {
  it('is refused in redis.url, cluster_nodes and smtp.url, unquoted; encoded, it loads', () => {
    const cases: [unknown, string][] = [
      [{ redis: { url: 'redis://:Rd@s3cr/etPass@127.0.0.1:6379/0' } }, 'redis.url'],
      [{ redis: { url: 'redis://:ab/cdPw@127.0.0.1:6379' } }, 'redis.url'],
      [{ redis: { cluster_nodes: ['redis://:Rd/s3cr@127.0.0.1:7000'] } }, 'redis.cluster_nodes[0]'],
      [{ smtp: { url: 'smtp://tollgate@example.com:Smtp@S3cret/Pw@127.0.0.1:25', from: 'tollgate@example.com' } }, 'smtp.url'],
    ];
    for (const [doc, field] of cases) {
      const p = problemsOf({ doc });
      expect(p).toContain(`${field}: the user or password holds an unencoded / ? or # (write them as %2F %3F %23); the value is not quoted`);
      expect(p.join('\n')).not.toMatch(/s3cr|S3cret|cdPw|Rd/);
    }
    expect(parseConfig({ redis: { url: 'redis://:Rd%40s3cr%2FetPass@127.0.0.1:6379/0' } }, {}).redis!.url).toBe('redis://:Rd%40s3cr%2FetPass@127.0.0.1:6379/0');
    expect(parseConfig({ smtp: { url: 'smtp://tollgate%40example.com:pw@127.0.0.1:25', from: 'tollgate@example.com' } }, {}).smtp!.url).toBe('smtp://tollgate%40example.com:pw@127.0.0.1:25');
    // An @ in the user or password is read right (parsers take the authority's last @): not refused.
    expect(parseConfig({ smtp: { url: 'smtp://tollgate@example.com:p@ss@127.0.0.1:25', from: 'tollgate@example.com' } }, {}).smtp!.url).toBe('smtp://tollgate@example.com:p@ss@127.0.0.1:25');
    expect(parseConfig({ redis: { url: 'redis://:pa@ssAT@127.0.0.1:6379' } }, {}).redis!.url).toBe('redis://:pa@ssAT@127.0.0.1:6379');
  });
});

describe('keys with nothing after them', () => {
  it('a misspelt key left empty is still reported as unknown; a known one takes its default', () => {
    expect(problemsOf({ doc: { server: { prot: null } } })).toContain('server.prot: unknown key; did you mean server.port?');
    expect(problemsOf({ doc: { redis: { url: 'redis://127.0.0.1:6379', pasword: null } } })).toContain('redis.pasword: unknown key');
    expect(parseConfig({ server: { port: null } }, {}).server.port).toBe(8080);
  });

  it('a header written without a space after its colon (a name with no value) is refused, not dropped', () => {
    const p = problemsOf({ yaml: 'models:\n  - name: m\n    provider: openai-compatible\n    deployments: [{ base_url: "http://127.0.0.1:1/v1", headers: { Authorization:Bearer sk-HdrNoSpace9 } }]\n' });
    expect(p.join('\n')).toContain('a header needs `Name: value`, with a space after the colon');
    expect(p.join('\n')).not.toContain('sk-HdrNoSpace9');
    // A valid name with nothing after it: named, and told what is missing.
    expect(problemsOf({ doc: upstream({ headers: { 'X-Api-Key': null } }) })).toContain('models[0].deployments[0].headers.X-Api-Key: a header needs a value (write `Name: value`, with a space after the colon)');
  });
});

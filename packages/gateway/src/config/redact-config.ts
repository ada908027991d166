/**
 * The configuration as `tollgate config check` prints it, with no secret in it. What the schema
 * can hold a secret in, and how each is shown:
 * - `secrets` (the admin key, the key-hashing secret and its previous one, the metrics token, read
 *   from the environment): `set` or `not set`;
 * - every URL (database.url, redis.url, smtp.url, a deployment's base_url, webhook URLs, ...):
 *   user and password masked, every query value and `name=value` value (redactText); so is any
 *   other string holding `@`, `?` or `=` (a scheme-less `:password@host:port` in redis.url or
 *   redis.cluster_nodes);
 * - a `*_env` field whose value does not read like a variable name (it may be the secret itself): `***`;
 * - a deployment's `headers` (an `Authorization` or `api-key` header): names kept, values `***`;
 * - webhook URLs (status.webhooks[].url, billing.soft_limit_webhook_url): their origin only
 *   (webhookLabel), since a webhook's path is often its token.
 * The other secrets stay in the environment: the config holds only the names of their variables
 * (`api_key_env`, `client_secret_env`, `secret_env`, `token_env`), shown as they are.
 * @module
 */
import { readsLikeVariableName } from './needed-env.js';
import { looksLikeUrl, redactText, webhookLabel } from './redact-url.js';
import type { Config } from './types.js';

export type SecretState = 'set' | 'not set';

/** `Config` without `source`, its `secrets` as whether each is set. */
export type RedactedConfig = Omit<Config, 'source' | 'secrets' | 'warnings'> & { secrets: Record<keyof Config['secrets'], SecretState> };

const MASK = '***';

/**
 * A string of the config as shown: a `*_env` value that does not read like a variable name may be
 * the secret itself, written where its variable's name belongs (`***`); URLs, and anything that
 * could carry a credential (`@`) or query values (`?`, `=`), as redactText shows them.
 */
function maskString(s: string, key: string): string {
  if (key.endsWith('_env')) return readsLikeVariableName(s) ? s : MASK;
  return looksLikeUrl(s) || /[@?=]/.test(s) ? redactText(s) : s;
}

/** `v` (plain data: mappings, lists, scalars) with every string in it passed through `f`, with the key it is under. */
function mapStrings<T>(v: T, f: (s: string, key: string) => string, key = ''): T {
  if (typeof v === 'string') return f(v, key) as T;
  if (Array.isArray(v)) return v.map((x: unknown) => mapStrings(x, f, key)) as T;
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f, k)])) as T;
  return v;
}

/** The configuration with every secret masked, as listed above (a copy; `config` is not changed). */
export function redactConfig(config: Config): RedactedConfig {
  const { source: _source, warnings: _warnings, secrets, ...rest } = config;
  const shown = mapStrings(rest, maskString);
  return {
    ...shown,
    billing: { ...shown.billing, soft_limit_webhook_url: config.billing.soft_limit_webhook_url === null ? null : webhookLabel(config.billing.soft_limit_webhook_url) },
    status: {
      ...shown.status,
      webhooks: config.status.webhooks.map((w, i) => ({ ...shown.status.webhooks[i]!, url: webhookLabel(w.url) })),
    },
    models: shown.models.map((m) => ({ ...m, deployments: m.deployments.map((d) => ({ ...d, headers: Object.fromEntries(Object.keys(d.headers).map((name) => [name, MASK])) })) })),
    secrets: Object.fromEntries(Object.entries(secrets).map(([name, v]) => [name, v === null ? 'not set' : 'set'])) as RedactedConfig['secrets'],
  };
}

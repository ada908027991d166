/**
 * The secrets the config says to read from the environment, checked where the config is loaded
 * so that `config check` and `serve` judge them alike, before anything opens or connects:
 * - a status webhook's signing secret cannot be done without (an unsigned webhook is never
 *   sent): a variable that is not set, or set to nothing, is a config problem
 *   (`<field path>: <what is wrong>`, exit 2);
 * - a deployment's `api_key_env` (requests would go without a key) and the OIDC
 *   `client_secret_env` (sign-in would fail at the provider) are warnings: the config loads, and
 *   `serve` logs them at start and `config check` prints them. A setup whose upstream takes no
 *   key but names a variable anyway (a local engine, a test) keeps working.
 *
 * Optional on purpose, and not checked: the admin key (`admin_key_env`; generated on the first
 * start), the key-hashing secret (`secret_env`; else the secret file), the metrics token
 * (`metrics.token_env`; /metrics is open without it).
 * @module
 */
import { webhookSecretEnv } from '../status/config.js';
import type { Env } from './env.js';
import { webhookLabel } from './redact-url.js';
import type { Config } from './types.js';
import { pathName } from './validate.js';

/**
 * How a message names the variable `name`: as it is when it reads like one (upper case, digits,
 * `_`: the convention); else it may be a secret pasted where its variable's name belongs
 * (`api_key_env: whsec_…`), and the message says only that the variable is missing.
 */
function variable(name: string): string {
  return readsLikeVariableName(name) ? name : 'the variable this field names';
}

/** Whether `s` reads like an environment variable's name by convention (upper case, digits, `_`). */
export function readsLikeVariableName(s: string): boolean {
  return /^[A-Z_][A-Z0-9_]*$/.test(s);
}

/** `NAME is not set` or `NAME is empty`; null when it holds a value. */
function unset(env: Env, name: string, what = variable(name)): string | null {
  const v = env[name];
  return v === undefined ? `${what} is not set` : v === '' ? `${what} is empty` : null;
}

/** Each status webhook whose signing secret is missing, as `status.webhooks[i].secret_env: …` lines. */
export function webhookSecretProblems(config: Pick<Config, 'status'>, env: Env): string[] {
  const out: string[] = [];
  for (const [i, w] of config.status.webhooks.entries()) {
    const name = webhookSecretEnv(w);
    const missing = unset(env, name, w.secret_env === null ? `${name} (the default of secret_env)` : variable(name));
    if (missing) out.push(`${pathName(['status', 'webhooks', i, 'secret_env'])}: ${missing}; the webhook ${webhookLabel(w.url)} needs a signing secret`);
  }
  return out;
}

/** Every secret the config cannot do without that is missing from `env`, one line each (none: all there). */
export function neededEnvProblems(config: Pick<Config, 'status'>, env: Env): string[] {
  return webhookSecretProblems(config, env);
}

/** Every secret the config names a variable for that is missing from `env` but not required: one warning line each. */
export function neededEnvWarnings(config: Pick<Config, 'models' | 'console'>, env: Env): string[] {
  const out: string[] = [];
  for (const [i, m] of config.models.entries()) {
    for (const [j, d] of m.deployments.entries()) {
      const missing = d.api_key_env === null ? null : unset(env, d.api_key_env);
      if (missing) out.push(`${pathName(['models', i, 'deployments', j, 'api_key_env'])}: ${missing}; requests to the deployment ${d.name} would go without an API key (leave api_key_env out if it needs none)`);
    }
  }
  const oidc = config.console.oidc;
  const missing = oidc?.client_secret_env ? unset(env, oidc.client_secret_env) : null;
  if (missing) out.push(`console.oidc.client_secret_env: ${missing}; the identity provider would get no client secret (leave client_secret_env out for a public client)`);
  return out;
}

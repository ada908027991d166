import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { applyEnv, type Env } from './env.js';
import { neededEnvProblems, neededEnvWarnings } from './needed-env.js';
import { configSchema } from './schema.js';
import type { Config } from './types.js';
import { ConfigError, validate } from './validate.js';

export { ConfigError } from './validate.js';
export type { Env } from './env.js';

/**
 * Reads and validates the configuration. `path` null means the built-in defaults (the embedded
 * setup of `npm start`). Environment variables override secrets and URLs (env.ts):
 * TOLLGATE_DATABASE_URL, TOLLGATE_REDIS_URL, TOLLGATE_PORT, TOLLGATE_HOST, TOLLGATE_PUBLIC_URL, ...,
 * and the admin key from the variable named by `admin_key_env`. Throws ConfigError listing
 * every problem (`<field path>: <what is wrong>`); a secret the config needs that `env` lacks
 * is one (parseConfig).
 */
export function loadConfig(path: string | null, env: Env = process.env, options: ParseOptions = {}): Config {
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
      throw new ConfigError([`${path}: not valid YAML: ${yamlProblem(e as Error)}`]);
    }
  }
  return parseConfig(doc, env, path, options);
}

export interface ParseOptions {
  /**
   * Whether the secrets the config names variables for (a status webhook's signing secret, a
   * deployment's API key, the OIDC client secret: needed-env.ts) must be set in `env`; default
   * true. `tollgate simulate` serves the models alone and needs none of them.
   */
  neededEnv?: boolean;
}

/**
 * Validates an already parsed document (tests build configs as objects), then checks that `env`
 * holds the secrets the config needs from it (needed-env.ts).
 */
export function parseConfig(doc: unknown, env: Env = {}, source: string | null = null, options: ParseOptions = {}): Config {
  const withEnv = applyEnv(doc, env);
  const c = validate(configSchema, withEnv.doc, withEnv.name);
  const missing = options.neededEnv === false ? [] : neededEnvProblems(c, env);
  if (missing.length > 0) throw new ConfigError(missing);
  const warnings = options.neededEnv === false ? [] : neededEnvWarnings(c, env);
  const secrets = {
    admin_key: env[c.admin_key_env] ?? null,
    server_secret: env[c.secret_env] || null,
    server_secret_previous: env[`${c.secret_env}_PREVIOUS`] || null,
    metrics_token: env[c.metrics.token_env] || null,
  };
  return { ...c, secrets, source, warnings };
}

/**
 * The yaml library's message is a sentence ending in "line L, column C:" and then an excerpt of
 * the file with a caret under the spot: the sentence without its colon, then the excerpt indented
 * under the problem's line (it was cut to the sentence, which ended in a dangling "column 1:").
 */
function yamlProblem(e: Error): string {
  const [first = '', ...rest] = e.message.split('\n');
  const excerpt = rest.filter((l) => l.trim() !== '');
  return [first.replace(/:\s*$/, ''), ...excerpt.map((l) => `      ${l}`)].join('\n');
}

import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments } from 'yaml';
import { applyEnv, type ConfigFlags, type Env } from './env.js';
import { neededEnvProblems, neededEnvWarnings } from './needed-env.js';
import { configSchema, TOP_LEVEL_ALIASES } from './schema.js';
import type { Config } from './types.js';
import { ConfigError, validate } from './validate.js';

export { ConfigError } from './validate.js';
export type { ConfigFlags, Env } from './env.js';

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
    doc = parseYaml(text, path);
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
  /** The command-line options that set a key of the config (`serve --port`, env.ts CONFIG_FLAGS); they win over `env`. */
  flags?: ConfigFlags;
}

/**
 * Validates an already parsed document (tests build configs as objects), then checks that `env`
 * holds the secrets the config needs from it (needed-env.ts).
 */
export function parseConfig(doc: unknown, env: Env = {}, source: string | null = null, options: ParseOptions = {}): Config {
  const withEnv = applyEnv(doc, env, options.flags);
  const c = validate(configSchema, withEnv.doc, withEnv.name, TOP_LEVEL_ALIASES);
  const missing = options.neededEnv === false ? [] : neededEnvProblems(c, env);
  if (missing.length > 0) throw new ConfigError(missing);
  const warnings = options.neededEnv === false ? [] : neededEnvWarnings(c, env);
  const secrets = {
    admin_key: env[c.admin_key_env] || null, // empty is not set, as for the other secrets
    server_secret: env[c.secret_env] || null,
    server_secret_previous: env[`${c.secret_env}_PREVIOUS`] || null,
    metrics_token: env[c.metrics.token_env] || null,
  };
  return { ...c, secrets, source, warnings };
}

/**
 * The document of a YAML file, or ConfigError naming what is wrong and where. The library's
 * warnings are not printed (it would print them on stderr, file excerpt and all); an unresolved
 * tag is a problem, since the config declares none: a value written `!abc…` (an API key) would
 * silently lose its text. The others (a flow collection's end indented like its parent, ...) do
 * not change what is read. A second document (after a `---` line) is a problem too, named by the
 * line it starts on: it would be ignored, whatever it sets.
 */
function parseYaml(text: string, path: string): unknown {
  const lineCounter = new LineCounter();
  const [parsed, second] = parseAllDocuments(text, { logLevel: 'silent', lineCounter });
  if (second) {
    const line = lineCounter.linePos(second.range[0]).line;
    throw new ConfigError([`${path}: a second YAML document starts at line ${line}; only one document is allowed (a line --- or ... ends the first)`]);
  }
  if (!parsed) return {}; // nothing but comments or blank lines
  let problem: Error | undefined;
  let doc: unknown;
  try {
    problem = parsed.errors[0] ?? parsed.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
    if (!problem) doc = parsed.toJS();
  } catch (e) {
    problem = e as Error; // toJS: an alias whose anchor is not set
  }
  if (problem) throw new ConfigError([`${path}: not valid YAML: ${yamlProblem(problem)}`]);
  return doc ?? {};
}

/**
 * The yaml library's sentence with its line and column ("All mapping items must start at the
 * same column at line 3, column 1"), nothing of the file: the excerpt the library appends after
 * it is dropped (a YAML file can hold a header value or a token on any line), and so is what some
 * sentences quote from the file, after a colon ("Unresolved tag: !<the tag>", "Unresolved alias
 * (…): <name>") or after "Invalid escape sequence" (up to ten characters of a quoted string).
 */
function yamlProblem(e: Error): string {
  const first = (e.message.split('\n')[0] ?? '').replace(/:\s*$/, '');
  const at = / at line \d+, column \d+$/.exec(first);
  const sentence = at ? first.slice(0, at.index) : first;
  return sentence.replace(/:\s[\s\S]*$/, '').replace(/^(Invalid escape sequence|Unknown directive|Unsupported YAML version)\b[\s\S]*$/, '$1') + (at?.[0] ?? '');
}

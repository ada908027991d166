import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type ParseOptions } from '../config/load.js';
import type { Config } from '../config/types.js';
import { CommandError } from './args.js';
import { EXIT } from './exit.js';

/**
 * --config, else TOLLGATE_CONFIG, else ./tollgate.yaml when present, else the built-in defaults
 * (null). An empty --config is a usage error: the user asked for a file, so none of the others
 * may be read in its place (an empty TOLLGATE_CONFIG is unset, as for the other variables).
 */
export function configPath(flag: string | undefined, env: Record<string, string | undefined>): string | null {
  if (flag === '') throw new CommandError('--config: expected a file, got an empty value', EXIT.usage);
  if (flag !== undefined) return flag;
  if (env.TOLLGATE_CONFIG) return env.TOLLGATE_CONFIG;
  return existsSync('tollgate.yaml') ? 'tollgate.yaml' : null;
}

/**
 * The config of `serve`, `config check` and `simulate` (see configPath); an invalid one, or one
 * needing a secret that the environment lacks, is a usage error (exit 2) naming the field.
 */
export function loadCommandConfig(flag: string | undefined, env: Record<string, string | undefined>, options: ParseOptions = {}): Config {
  try {
    return loadConfig(configPath(flag, env), env, options);
  } catch (e) {
    if (e instanceof ConfigError) throw new CommandError(e.message, EXIT.usage);
    throw e;
  }
}

import { stringify } from 'yaml';
import { redactConfig } from '../config/redact-config.js';
import type { Args } from './command.js';
import { loadCommandConfig } from './config-path.js';
import { EXIT } from './exit.js';
import type { CliIo } from './io.js';

/**
 * `tollgate config check` (and `config show`): loads the config as `serve` does (config-path.ts:
 * --config, else TOLLGATE_CONFIG, else ./tollgate.yaml, else the built-in defaults; the
 * environment's overrides; validation) and prints the effective configuration, every default
 * applied and every secret masked (config/redact-config.ts). YAML, its first line a comment naming
 * the file or the built-in defaults; with --json, JSON whose `source` is the file (null: the
 * built-in defaults). What loads but is likely a mistake (config.warnings) goes to stderr as
 * `warning: …` lines. Resolves to EXIT.ok. An invalid config throws what `serve` throws (a CommandError,
 * exit 2, listing every problem), so that the runner prints it on stderr just the same.
 */
export async function configCheckCommand(args: Args, io: CliIo): Promise<number> {
  const config = loadCommandConfig(args.str('config'), io.env);
  for (const w of config.warnings) io.stderr(`warning: ${w}\n`);
  const shown = redactConfig(config);
  if (args.on('json')) {
    io.stdout(`${JSON.stringify({ source: config.source, ...shown }, null, 2)}\n`);
    return EXIT.ok;
  }
  const from = config.source === null ? 'the built-in defaults (no config file)' : config.source;
  io.stdout(`# effective configuration of ${from}, with the environment's overrides and every default; secrets hidden\n${stringify(shown)}`);
  return EXIT.ok;
}

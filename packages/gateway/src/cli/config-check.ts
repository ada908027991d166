import { Document, isMap, isScalar } from 'yaml';
import { journalPathFor, secretFileOf } from '../config/data-dir.js';
import { redactConfig } from '../config/redact-config.js';
import type { Config } from '../config/types.js';
import { journalFiles } from '../usage/journal.js';
import type { Args } from './command.js';
import { loadCommandConfig } from './config-path.js';
import { EXIT } from './exit.js';
import type { CliIo } from './io.js';

/**
 * `tollgate config check` (and `config show`): loads the config as `serve` does (config-path.ts:
 * --config, else TOLLGATE_CONFIG, else ./tollgate.yaml, else the built-in defaults; the
 * environment's overrides; validation) and prints the effective configuration, every default
 * applied and every secret masked (config/redact-config.ts); `secret_file` and
 * `usage.journal_path` show the files `serve` would use (resolvedPaths), the journal with the
 * files it is kept in (`<journal_path>.<n>` segments and a lock: a comment above it in YAML,
 * `usage_journal_files` in JSON). YAML, its first line a comment naming
 * the file or the built-in defaults; with --json, JSON whose `source` is the file (null: the
 * built-in defaults). What loads but is likely a mistake (config.warnings) goes to stderr as
 * `warning: …` lines. Resolves to EXIT.ok. An invalid config throws what `serve` throws (a CommandError,
 * exit 2, listing every problem), so that the runner prints it on stderr just the same.
 */
export async function configCheckCommand(args: Args, io: CliIo): Promise<number> {
  const config = loadCommandConfig(args.str('config'), io.env);
  for (const w of config.warnings) io.stderr(`warning: ${w}\n`);
  const shown = redactConfig(resolvedPaths(config));
  // The journal is never the file journal_path names: it is numbered segments beside it, and a lock.
  const journal = journalFiles(shown.usage.journal_path!);
  if (args.on('json')) {
    io.stdout(`${JSON.stringify({ source: config.source, usage_journal_files: journal, ...shown }, null, 2)}\n`);
    return EXIT.ok;
  }
  const from = config.source === null ? 'the built-in defaults (no config file)' : config.source;
  const doc = new Document(shown);
  const usage = doc.get('usage', true);
  const pair = isMap(usage) ? usage.items.find((p) => isScalar(p.key) && p.key.value === 'journal_path') : undefined;
  if (pair && isScalar(pair.key)) pair.key.commentBefore = ` the journal's files: ${journal.segments} (numbered segments, each deleted once\n its events are in the database) and the lock ${journal.lock}`;
  io.stdout(`# effective configuration of ${from}, with the environment's overrides and every default; secrets hidden\n${doc.toString()}`);
  return EXIT.ok;
}

/**
 * The config with the paths whose default depends on the database (null in the schema) resolved
 * by the functions `serve` resolves them with (config/data-dir.ts). The key-hashing secret of an
 * in-memory database has no file (null); its usage journal is a new temporary file at each start,
 * shown with `<random>` for the part made then. A `--workers` process adds `-worker-<n>` to the journal.
 */
function resolvedPaths(config: Config): Config {
  return { ...config, secret_file: secretFileOf(config), usage: { ...config.usage, journal_path: journalPathFor(config, () => '<random>') } };
}

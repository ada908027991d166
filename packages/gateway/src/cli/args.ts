import { parseArgs, UsageError, type FlagSpec, type Parsed } from './admin/args.js';
import type { CliIo } from './io.js';

export type { FlagSpec, Parsed };

const HELP_FLAG: Record<string, FlagSpec> = { help: { value: false, help: 'show help' } };

/**
 * Parses a command's arguments with the same strict parser as the admin verbs (an unknown or
 * misspelt option is a usage error, not silently ignored). On a usage mistake it prints the
 * message and the usage text and returns undefined: the command exits 2.
 */
export function parseCommand(argv: readonly string[], specs: Record<string, FlagSpec>, usage: string, io: CliIo): Parsed | undefined {
  try {
    return parseArgs(argv, { ...HELP_FLAG, ...specs });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`tollgate: ${e.message}\n\n${usage}`);
    return undefined;
  }
}

export function flagString(args: Parsed, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/**
 * Command-line options, read with `node:util` `parseArgs`: `--name VALUE`, `--name=VALUE`,
 * `--switch`, `-h` for `--help`, `--` ends the options. An option the command does not declare is
 * a usage error, never silently ignored.
 * @module
 */
import { parseArgs } from 'node:util';
import { closestKey } from '../config/suggest.js';
import { EXIT, type ExitCode } from './exit.js';

/** A failed command: the runner prints `error: <message>` and exits with `exit`. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exit: ExitCode,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** A usage mistake: exit code 2, and the command's usage text after the message. */
export class UsageError extends CommandError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** True for `--name VALUE`, false for a switch. */
  value: boolean;
  help: string;
  required?: boolean;
  /** Shown in usage: `--name NAME`. */
  placeholder?: string;
}

/** An option that takes a value, `--name PLACEHOLDER` in the usage. */
export const valueFlag = (placeholder: string, help: string, required = false): FlagSpec => ({ value: true, placeholder, help, ...(required ? { required } : {}) });

export interface Parsed {
  positionals: string[];
  /** Option name → its value (the last one given), or true for a switch. */
  flags: Map<string, string | true>;
}

/**
 * `unknown option --components`, with the declared option it is most likely a slip for when one
 * is near (`; did you mean --component?`), as a config file's unknown key is told (suggest.ts).
 */
function unknownOption(rawName: string, name: string, specs: Record<string, FlagSpec>): string {
  const meant = rawName.startsWith('--') ? closestKey(name, Object.keys(specs)) : undefined;
  return `unknown option ${rawName}${meant === undefined ? '' : `; did you mean --${meant}?`}`;
}

/**
 * Splits argv by `specs`. Throws UsageError for an unknown option (naming the nearest declared one), an option missing its value
 * (the next word starting with `--` is taken for a forgotten value, not for the value), or a value
 * given to a switch.
 */
export function parseFlags(argv: readonly string[], specs: Record<string, FlagSpec>): Parsed {
  const options = Object.fromEntries(Object.entries(specs).map(([name, f]) => [name, { type: f.value ? ('string' as const) : ('boolean' as const) }]));
  if (specs.help) Object.assign(options.help!, { short: 'h' });
  // Not strict: the tokens are checked below, so that the messages name the option as typed.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const spec = specs[t.name];
    if (!spec || (t.rawName.startsWith('-') && !t.rawName.startsWith('--') && t.name !== 'help')) throw new UsageError(unknownOption(t.rawName, t.name, specs));
    if (!spec.value) {
      if (t.value !== undefined) throw new UsageError(`option --${t.name} takes no value`);
      flags.set(t.name, true);
    } else {
      if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) throw new UsageError(`option --${t.name} needs a value`);
      flags.set(t.name, t.value);
    }
  }
  return { positionals, flags };
}

/** A usage mistake: exit code 2 and the command's usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
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

export interface Parsed {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Switches every command accepts. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  json: { value: false, help: 'print the API response as JSON (for scripts)' },
  help: { value: false, help: 'show help' },
  url: { value: true, placeholder: 'URL', help: 'the gateway URL, with or without /v1 (default $TOLLGATE_URL or http://127.0.0.1:8080)' },
};

/**
 * Splits argv into positionals and `--flag value` / `--flag=value` / `--switch`; `-h` is
 * `--help`, and `--` ends the flags. Flags not in `specs` are usage errors.
 */
export function parseArgs(argv: readonly string[], specs: Record<string, FlagSpec>): Parsed {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!a.startsWith('--') || a === '--') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq === -1 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (!spec.value) {
      if (eq !== -1) throw new UsageError(`option --${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    let v: string | undefined;
    if (eq !== -1) v = a.slice(eq + 1);
    else {
      v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`option --${name} needs a value`);
      i++;
    }
    flags.set(name, v);
  }
  return { positionals, flags };
}

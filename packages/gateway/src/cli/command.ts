/**
 * The shape of a `tollgate` command, as the command table (table.ts) lists it: the words that
 * name it, its positional arguments and options, and what it runs.
 * @module
 */
import type { AdminApi } from './admin/apis.js';
import type { AdminClient } from './admin/client.js';
import { UsageError, type FlagSpec, type Parsed } from './args.js';
import type { CliIo } from './io.js';
import { ORGANIZATION_ENV, organizationSlot } from './organization-default.js';

/** What an admin command prints: `json` with `--json` (the API's answer), else `human`. */
export interface Output {
  json: unknown;
  human: string;
}

interface BaseSpec {
  /** The first word: `orgs`, `usage`, `serve`. */
  resource: string;
  /** The second word (`orgs list`), or none when the resource is itself the command (`usage`). */
  verb?: string;
  /** One line, lower case, no final period: the help shows it as a sentence. */
  summary: string;
  /** Positional argument names, in order; each is required. */
  args: string[];
  flags: Record<string, FlagSpec>;
  /** More help text, printed last. */
  details?: string;
  /**
   * Its organization (`<org_id>`) must be named on the command line: TOLLGATE_ORGANIZATION does
   * not stand in for it (organization-default.ts). For a verb that deletes one.
   */
  explicitOrganization?: boolean;
  /**
   * Options that may name a positional argument instead (option → argument): `members add
   * <org_id> --user USER_ID`, as `keys create` names its user. Each option is in `flags` too.
   */
  argOptions?: Record<string, string>;
}

/**
 * A verb of an admin API: it gets --url and --json, and a client of `api` (the operator's by
 * default; admin/apis.ts) for the gateway at TOLLGATE_URL with that API's key. `showStatus`
 * prefixes an API error with its HTTP status.
 */
export interface CommandSpec extends BaseSpec {
  api?: AdminApi;
  showStatus?: boolean;
  run(api: AdminClient, a: Args, io: CliIo): Promise<Output>;
}

/** An admin verb named by two words (`orgs list`). */
export type VerbSpec = CommandSpec & { verb: string };

/** A command that runs here (serve, simulate, docs); returns its exit code. */
export interface LocalCommandSpec extends BaseSpec {
  /**
   * Its help's exit-code line (exit.ts `exitHelp`): it calls no gateway, so the admin verbs'
   * codes (an API error, cannot connect) do not apply to it.
   */
  exitCodes: string;
  local(a: Args, io: CliIo): Promise<number>;
}

/** A command with its own parser and help (`batch`, from the client library). */
export interface RawCommandSpec extends BaseSpec {
  raw(argv: string[], io: CliIo): Promise<number>;
}

export type AnyCommandSpec = CommandSpec | LocalCommandSpec | RawCommandSpec;

/** Parsed arguments with typed accessors that raise usage errors. */
export class Args {
  constructor(
    private readonly spec: BaseSpec,
    private readonly parsed: Parsed,
    readonly now: () => number,
  ) {
    const extra = parsed.positionals.length - spec.args.length;
    const orEnv = (missingOrg: boolean) => (missingOrg ? ` (or set ${ORGANIZATION_ENV})` : '');
    const slot = organizationSlot(spec);
    if (extra < 0) {
      const missing = spec.args.slice(parsed.positionals.length);
      const orOption = (arg: string) => Object.entries(spec.argOptions ?? {}).find(([, a]) => a === arg)?.[0];
      const named = missing.map((a) => `<${a}>${orOption(a) ? ` (or --${orOption(a)})` : ''}`);
      throw new UsageError(`missing ${named.join(' ')}${orEnv(slot === 'arg' && missing.includes('org_id'))}`);
    }
    if (extra > 0) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[spec.args.length])}`);
    for (const [name, f] of Object.entries(spec.flags)) if (f.required && !parsed.flags.has(name)) throw new UsageError(`missing --${name}${orEnv(slot === 'flag' && name === 'org')}`);
  }

  arg(name: string): string {
    return this.parsed.positionals[this.spec.args.indexOf(name)]!;
  }

  /** URL-encoded positional, for paths. */
  path(name: string): string {
    return encodeURIComponent(this.arg(name));
  }

  str(name: string): string | undefined {
    const v = this.parsed.flags.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  on(name: string): boolean {
    return this.parsed.flags.get(name) === true;
  }

  /** One of `values`, or undefined when not given. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.str(name);
    if (v === undefined || (values as readonly string[]).includes(v)) return v as T | undefined;
    throw new UsageError(`--${name}: expected ${values.join(' or ')}, got ${JSON.stringify(v)}`);
  }

  list(name: string): string[] | undefined {
    const v = this.str(name);
    return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }

  /**
   * A limit value: a non-negative integer, or `none` (no limit; the help of every limit verb says
   * `none`, as `billing set` does). `unlimited`, which the help once said, is still taken.
   * Undefined when not given.
   */
  limit(name: string): number | null | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (v === 'unlimited' || v === 'none') return null;
    if (!/^\d+$/.test(v)) throw new UsageError(`--${name}: expected a whole number or "none", got ${JSON.stringify(v)}`);
    return Number(v);
  }

  /** `--expires-at`: Unix seconds, an ISO date, or `+<n>d|h|m` from now. */
  expiresAt(name: string): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (/^\d+$/.test(v)) return Number(v);
    const rel = /^\+(\d+)([dhm])$/.exec(v);
    if (rel) return Math.floor(this.now() / 1000) + Number(rel[1]) * { d: 86_400, h: 3600, m: 60 }[rel[2] as 'd' | 'h' | 'm'];
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new UsageError(`--${name}: expected Unix seconds, an ISO date or +30d/+12h/+90m, got ${JSON.stringify(v)}`);
    return Math.floor(t / 1000);
  }

  /** `?limit=&after=` from --limit/--after. */
  paging(): string {
    const q = new URLSearchParams();
    const limit = this.str('limit');
    if (limit !== undefined) q.set('limit', limit);
    const after = this.str('after');
    if (after !== undefined) q.set('after', after);
    return q.toString();
  }
}

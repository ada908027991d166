/**
 * Runs one `tollgate` command line: finds the command in the table, reads its options, runs it,
 * prints the outcome and returns the exit code (exit.ts). Every command's mistakes and failures
 * are printed the same way: `error: <message>` on stderr, then the usage text for a usage mistake.
 * @module
 */
import { gatewayRoot, gatewayUrlFromEnv } from '@tollgate/client';
import { API_ACCESS } from './admin/apis.js';
import { AdminClient, ApiFailure, ConnectFailure } from './admin/client.js';
import { CommandError, parseFlags, UsageError } from './args.js';
import type { AnyCommandSpec, Args, CommandSpec } from './command.js';
import { readArgs } from './argument-options.js';
import type { CliIo } from './io.js';
import { EXIT } from './exit.js';
import { DEFAULT_URL, commandHelp, commonFlags, overview, resourceHelp } from './help.js';
import { commandsOf } from './table.js';
import { version } from './version.js';

const HELP_WORDS = ['--help', '-h', 'help'];

/** Runs `argv` (without the program name); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, second, ...more] = argv;
  if (first === undefined) return failed(io, new UsageError('missing a command'), overview());
  if (HELP_WORDS.includes(first)) {
    // `tollgate help orgs list` is `tollgate orgs list --help`.
    if (first === 'help' && second !== undefined) return runCli([second, ...more, '--help'], io);
    io.stdout(overview());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout(`tollgate ${version()}\n`);
    return EXIT.ok;
  }
  const specs = commandsOf(first);
  if (specs.length === 0) return failed(io, new UsageError(`unknown command '${first}'`), overview());
  if (specs.length === 1 && specs[0]!.verb === undefined) return runCommand(specs[0]!, argv.slice(1), io);
  const rest = argv.slice(1);
  // The longest verb the words start with: `projects users list` before `projects list`.
  const match = specs
    .map((c) => ({ c, words: c.verb?.split(' ') ?? [] }))
    .filter(({ words }) => words.length > 0 && words.every((w, i) => rest[i] === w))
    .sort((x, y) => y.words.length - x.words.length)[0];
  if (match) return runCommand(match.c, rest.slice(match.words.length), io);
  // No verb: the verbs of the resource, or of a group of it (`projects users`).
  const group = specs.filter((c) => second !== undefined && c.verb?.startsWith(`${second} `));
  const name = group.length ? `${first} ${second}` : first;
  const shown = group.length ? group : specs;
  const next = group.length ? rest[1] : second;
  if (next === undefined) return failed(io, new UsageError(`missing a verb for ${name}`), resourceHelp(name, shown));
  if (HELP_WORDS.includes(next)) {
    io.stdout(resourceHelp(name, shown));
    return EXIT.ok;
  }
  return failed(io, new UsageError(`unknown verb ${JSON.stringify(next)} for ${name}`), resourceHelp(name, shown));
}

async function runCommand(spec: AnyCommandSpec, argv: string[], io: CliIo): Promise<number> {
  if ('raw' in spec) return spec.raw(argv, io);
  const help = commandHelp(spec);
  try {
    const parsed = parseFlags(argv, { ...spec.flags, ...commonFlags(spec) });
    if (parsed.flags.has('help')) {
      io.stdout(help);
      return EXIT.ok;
    }
    const args = readArgs(spec, parsed, io.env, io.now ?? Date.now);
    if ('local' in spec) return await spec.local(args, io);
    return await runAdmin(spec, args, io);
  } catch (e) {
    if (e instanceof CommandError) return failed(io, e, help);
    throw e;
  }
}

/** An admin verb: the client for --url or TOLLGATE_URL with its API's key (admin/apis.ts), then the call. */
async function runAdmin(spec: CommandSpec, args: Args, io: CliIo): Promise<number> {
  const url = gatewayRoot(args.str('url') ?? gatewayUrlFromEnv(io.env) ?? DEFAULT_URL);
  if (!/^https?:\/\//.test(url)) throw new UsageError(`the gateway URL must start with http:// or https://, got ${JSON.stringify(url)}`);
  const access = API_ACCESS[spec.api ?? 'operator'];
  const key = io.env[access.keyEnv];
  if (!key) throw new CommandError(`${access.keyEnv} is not set: export ${access.keyName} first`, EXIT.usage);
  const refused = access.refuse(key);
  if (refused) throw new CommandError(refused, EXIT.usage);
  const json = args.on('json');
  try {
    const out = await spec.run(new AdminClient(url, key, io.fetch ?? fetch, access.prefix), args, io);
    io.stdout(json ? `${JSON.stringify(out.json, null, 2)}\n` : out.human);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ApiFailure) {
      if (json && e.body !== undefined) io.stdout(`${JSON.stringify(e.body, null, 2)}\n`);
      io.stderr(`error: ${spec.showStatus ? `HTTP ${e.status}: ` : ''}${e.message}\n`);
      return EXIT.failed;
    }
    if (e instanceof ConnectFailure) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT.cannotConnect;
    }
    throw e;
  }
}

function failed(io: CliIo, e: CommandError, help: string): number {
  io.stderr(`error: ${e.message}\n${e instanceof UsageError ? `\n${help}` : ''}`);
  return e.exit;
}

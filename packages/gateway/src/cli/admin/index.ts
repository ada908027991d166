/**
 * `tollgate orgs|users|members|keys|limits <verb>`: the admin verbs of the CLI. They talk to a
 * running gateway's admin API (`TOLLGATE_URL`, with or without `/v1`; `TOLLGATE_BASE_URL` is an
 * alias; default http://127.0.0.1:8080) with the admin key
 * from `TOLLGATE_ADMIN_KEY` (read from the environment only, so it never shows in the process
 * list or shell history). Human tables by default, `--json` for scripts.
 *
 * Exit codes: 0 ok, 1 the API answered with an error, 2 usage error, 3 cannot connect.
 * @module
 */
import { gatewayRoot, gatewayUrlFromEnv } from '@tollgate/client';
import { GLOBAL_FLAGS, UsageError, parseArgs, type FlagSpec } from './args.js';
import { AdminClient, ApiFailure, ConnectFailure } from './client.js';
import { Args, COMMANDS, type CommandSpec } from './commands.js';

export const EXIT = { ok: 0, apiError: 1, usage: 2, cannotConnect: 3 } as const;

/** The first words of argv this module handles; the `tollgate` binary routes them here. */
export const ADMIN_COMMANDS: readonly string[] = [...new Set(COMMANDS.map((c) => c.resource))];

export const DEFAULT_URL = 'http://127.0.0.1:8080';

import type { CliIo } from '../io.js';

export type { CliIo };

const RESOURCE_SUMMARY: Record<string, string> = {
  orgs: 'organizations, their tiers and model allow-lists',
  users: 'users',
  members: 'who belongs to which organization, with which role',
  keys: 'API keys',
  limits: "organizations' rate limits",
  incidents: 'status-page incidents: open, update, resolve, postmortem',
  maintenance: 'status-page scheduled maintenance',
};

/** Runs one admin command; returns the exit code. `argv` starts with the resource (`orgs ...`). */
export async function runAdminCli(argv: string[], io: CliIo): Promise<number> {
  const [resource, verb, ...rest] = argv;
  if (resource === undefined || resource === '--help' || resource === '-h' || resource === 'help') {
    io.stdout(overview());
    return EXIT.ok;
  }
  const verbs = COMMANDS.filter((c) => c.resource === resource);
  if (verbs.length === 0) return usage(io, `unknown command ${JSON.stringify(resource)}`, overview());
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    if (verb === undefined) return usage(io, `missing a verb for ${resource}`, resourceHelp(resource));
    io.stdout(resourceHelp(resource));
    return EXIT.ok;
  }
  const spec = verbs.find((c) => c.verb === verb);
  if (!spec) return usage(io, `unknown verb ${JSON.stringify(verb)} for ${resource}`, resourceHelp(resource));

  let args: Args;
  let json: boolean;
  let url: string;
  try {
    const parsed = parseArgs(rest, { ...GLOBAL_FLAGS, ...spec.flags });
    if (parsed.flags.has('help')) {
      io.stdout(commandHelp(spec));
      return EXIT.ok;
    }
    args = new Args(spec, parsed, io.now ?? Date.now);
    json = parsed.flags.get('json') === true;
    const u = parsed.flags.get('url');
    url = gatewayRoot(typeof u === 'string' ? u : (gatewayUrlFromEnv(io.env) ?? DEFAULT_URL));
    if (!/^https?:\/\//.test(url)) throw new UsageError(`the gateway URL must start with http:// or https://, got ${JSON.stringify(url)}`);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message, commandHelp(spec));
    throw e;
  }
  const key = io.env.TOLLGATE_ADMIN_KEY;
  if (!key) return usage(io, 'TOLLGATE_ADMIN_KEY is not set: export the admin key of the gateway first', '');

  const api = new AdminClient(url, key, io.fetch ?? fetch);
  try {
    const out = await spec.run(api, args);
    io.stdout(json ? `${JSON.stringify(out.json, null, 2)}\n` : out.human);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message, commandHelp(spec));
    if (e instanceof ApiFailure) {
      if (json && e.body !== undefined) io.stdout(`${JSON.stringify(e.body, null, 2)}\n`);
      io.stderr(`error: ${e.message}\n`);
      return EXIT.apiError;
    }
    if (e instanceof ConnectFailure) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT.cannotConnect;
    }
    throw e;
  }
}

function usage(io: CliIo, message: string, help: string): number {
  io.stderr(`error: ${message}\n${help ? `\n${help}` : ''}`);
  return EXIT.usage;
}

function overview(): string {
  const w = Math.max(...ADMIN_COMMANDS.map((r) => r.length));
  const lines = ADMIN_COMMANDS.map((r) => `  ${r.padEnd(w)} ${RESOURCE_SUMMARY[r] ?? ''}`);
  return [
    'Usage: tollgate <resource> <verb> [arguments] [options]',
    '',
    'Manage a running gateway through its admin API.',
    '',
    'Resources:',
    ...lines,
    '',
    'Run `tollgate <resource> --help` for its verbs.',
    '',
    envHelp(),
  ].join('\n');
}

function resourceHelp(resource: string): string {
  const specs = COMMANDS.filter((c) => c.resource === resource);
  const w = Math.max(...specs.map((s) => s.verb.length));
  return [
    `Usage: tollgate ${resource} <verb> [arguments] [options]`,
    '',
    'Verbs:',
    ...specs.map((s) => `  ${s.verb.padEnd(w)}  ${s.summary}`),
    '',
    `Run \`tollgate ${resource} <verb> --help\` for its options.`,
    '',
  ].join('\n');
}

function synopsis(spec: CommandSpec): string {
  const flags = Object.entries(spec.flags).map(([name, f]) => {
    const text = f.value ? `--${name} ${f.placeholder ?? 'VALUE'}` : `--${name}`;
    return f.required ? text : `[${text}]`;
  });
  return ['tollgate', spec.resource, spec.verb, ...spec.args.map((a) => `<${a}>`), ...flags].join(' ');
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  const entries = Object.entries(flags).map(([name, f]) => [f.value ? `--${name} ${f.placeholder ?? 'VALUE'}` : `--${name}`, f.help] as const);
  const w = Math.max(...entries.map(([l]) => l.length));
  return entries.map(([l, h]) => `  ${l.padEnd(w)}  ${h}`);
}

function commandHelp(spec: CommandSpec): string {
  const own = Object.keys(spec.flags).length ? ['Options:', ...flagLines(spec.flags), ''] : [];
  return [`Usage: ${synopsis(spec)}`, '', `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`, '', ...own, 'Common options:', ...flagLines(GLOBAL_FLAGS), '', envHelp()].join('\n');
}

function envHelp(): string {
  return [
    'Environment:',
    `  TOLLGATE_URL        the gateway, with or without /v1 (default ${DEFAULT_URL};`,
    '                      TOLLGATE_BASE_URL is read when it is unset)',
    '  TOLLGATE_ADMIN_KEY  the admin key (required)',
    '',
    'Exit codes: 0 ok, 1 API error, 2 usage error, 3 cannot connect.',
    '',
  ].join('\n');
}

/**
 * The help of every `tollgate` command, in one style: a `Usage:` line, a sentence, the options in
 * aligned columns, the environment and the exit codes (the admin verbs' for an admin verb, the
 * command's own for one that runs here).
 * @module
 */
import { API_ACCESS, type AdminApi } from './admin/apis.js';
import type { FlagSpec } from './args.js';
import type { AnyCommandSpec } from './command.js';
import { ADMIN_EXITS, EXIT_HELP, exitHelp } from './exit.js';
import { ORGANIZATION_ENV, organizationSlot } from './organization-default.js';
import { SECTIONS } from './table.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The options of every admin verb. */
const ADMIN_FLAGS: Record<string, FlagSpec> = {
  json: { value: false, help: 'print the API response as JSON (for scripts)' },
  help: { value: false, help: 'show help' },
  url: { value: true, placeholder: 'URL', help: `the gateway URL, with or without /v1 (default $TOLLGATE_URL or ${DEFAULT_URL})` },
};

/** The options of every other command. */
const LOCAL_FLAGS: Record<string, FlagSpec> = { help: { value: false, help: 'show help' } };

/** The options every command of `spec`'s kind takes besides its own: ADMIN_FLAGS or LOCAL_FLAGS. */
export const commonFlags = (spec: AnyCommandSpec): Record<string, FlagSpec> => ('run' in spec ? ADMIN_FLAGS : LOCAL_FLAGS);

const ENV_WIDTH = 'TOLLGATE_ORG_ADMIN_KEY'.length;
const envLine = (name: string, text: string) => `  ${name.padEnd(ENV_WIDTH)}  ${text}`;
const URL_HELP = [envLine('TOLLGATE_URL', `the gateway, with or without /v1 (default ${DEFAULT_URL};`), envLine('', 'TOLLGATE_BASE_URL is read when it is unset)')];
const keyHelp = (api: AdminApi) => envLine(API_ACCESS[api].keyEnv, API_ACCESS[api].keyName);

/** The line of TOLLGATE_ORGANIZATION, which the first start's credentials file sets. */
const ORG_HELP = (what: string) => [envLine(ORGANIZATION_ENV, `${what} when it is left out`), envLine('', "(the first start's credentials file sets it)")];

/** The environment of an admin verb: the gateway, its API's key, and the organization it may default to. */
function envHelp(spec: AnyCommandSpec & { api?: AdminApi }): string[] {
  const slot = organizationSlot(spec);
  return ['Environment:', ...URL_HELP, keyHelp(spec.api ?? 'operator'), ...(slot ? ORG_HELP(slot === 'arg' ? 'the <org_id>' : 'the --org') : [])];
}

/** The environment of every admin verb: the gateway, both keys and the default organization. */
const ENV_HELP = ['Environment (administration):', ...URL_HELP, keyHelp('operator'), keyHelp('organization'), ...ORG_HELP("an operator verb's <org_id> (keys create: --org)")];

function columns(rows: (readonly [string, string])[]): string[] {
  const w = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(w)}  ${h}`.trimEnd());
}

const flagText = (name: string, f: FlagSpec) => (f.value ? `--${name} ${f.placeholder ?? 'VALUE'}` : `--${name}`);

/** `tollgate --help`: every command, by section. */
export function overview(): string {
  const lines = ['Usage: tollgate <command> [<verb>] [arguments] [options]', ''];
  for (const s of SECTIONS) lines.push(`${s.title}:`, ...columns(Object.entries(s.resources)), '');
  lines.push('Run `tollgate <command> --help` for its verbs, options and exit codes; --version prints the version.', '', ...ENV_HELP, '', exitHelp(ADMIN_EXITS, 'Exit codes (administration)'), '');
  return lines.join('\n');
}

/** `tollgate orgs --help`, `tollgate projects users --help`: the verbs of a resource or of a group of its verbs. */
export function resourceHelp(words: string, specs: readonly AnyCommandSpec[]): string {
  const verb = (s: AnyCommandSpec) => `${s.resource} ${s.verb ?? ''}`.slice(words.length + 1);
  return [
    `Usage: tollgate ${words} <verb> [arguments] [options]`,
    '',
    'Verbs:',
    ...columns(specs.map((s) => [verb(s), s.summary] as const)),
    '',
    `Run \`tollgate ${words} <verb> --help\` for its options.`,
    '',
  ].join('\n');
}

/** The usage line; an organization TOLLGATE_ORGANIZATION may stand in for is shown as optional. */
function synopsis(spec: AnyCommandSpec): string {
  const slot = organizationSlot(spec);
  const argOptions = Object.entries(spec.argOptions ?? {});
  // An option that names an argument is shown in the argument's place: `(<user_id> | --user USER_ID)`.
  const flags = Object.entries(spec.flags)
    .filter(([name]) => !argOptions.some(([option]) => option === name))
    .map(([name, f]) => (f.required && !(slot === 'flag' && name === 'org') ? flagText(name, f) : `[${flagText(name, f)}]`));
  const orOption = (a: string) => argOptions.filter(([, arg]) => arg === a).map(([option]) => ` | ${flagText(option, spec.flags[option]!)}`).join('');
  const args = spec.args.map((a) => (slot === 'arg' && a === 'org_id' ? `[<${a}>]` : orOption(a) ? `(<${a}>${orOption(a)})` : `<${a}>`));
  return ['tollgate', spec.resource, ...(spec.verb ? [spec.verb] : []), ...args, ...flags].join(' ');
}

/** `tollgate orgs list --help`. */
export function commandHelp(spec: AnyCommandSpec): string {
  const flagRows = (flags: Record<string, FlagSpec>) => columns(Object.entries(flags).map(([name, f]) => [flagText(name, f), f.help] as const));
  const own = Object.keys(spec.flags).length ? ['Options:', ...flagRows(spec.flags), ''] : [];
  const env = 'run' in spec ? [...envHelp(spec), ''] : [];
  return [
    `Usage: ${synopsis(spec)}`,
    '',
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
    '',
    ...own,
    'Common options:',
    ...flagRows(commonFlags(spec)),
    '',
    ...env,
    'local' in spec ? spec.exitCodes : EXIT_HELP,
    '',
    ...(spec.details ? [spec.details.trimEnd(), ''] : []),
  ].join('\n');
}

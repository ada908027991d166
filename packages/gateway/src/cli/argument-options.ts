/**
 * A positional argument named by an option instead (`argOptions`, command.ts): `members add
 * <org_id> --user USER_ID` is `members add <org_id> <user_id>`. The arguments are read as if the
 * command had no such argument (so TOLLGATE_ORGANIZATION still stands in for a missing `<org_id>`,
 * organization-default.ts), then the option's value takes the argument's place.
 * @module
 */
import { UsageError, type Parsed } from './args.js';
import { Args, type AnyCommandSpec } from './command.js';
import { withOrganizationDefault } from './organization-default.js';

/** The arguments of `spec` from `parsed`, the organization defaulted from `env`. */
export function readArgs(spec: AnyCommandSpec, parsed: Parsed, env: Record<string, string | undefined>, now: () => number): Args {
  const given = Object.entries(spec.argOptions ?? {}).filter(([option]) => typeof parsed.flags.get(option) === 'string');
  if (given.length === 0) return new Args(spec, withOrganizationDefault(spec, parsed, env), now);
  const named = new Set(given.map(([, arg]) => arg));
  const rest = { ...spec, args: spec.args.filter((a) => !named.has(a)) };
  if (parsed.positionals.length > rest.args.length) {
    const [option, arg] = given[0]!;
    throw new UsageError(`give <${arg}> or --${option}, not both`);
  }
  const read = withOrganizationDefault(rest, parsed, env);
  new Args(rest, read, now); // the usage errors of what is left: a missing <org_id>, a missing option
  const byName = new Map(rest.args.map((a, i) => [a, read.positionals[i]!]));
  for (const [option, arg] of given) byName.set(arg, parsed.flags.get(option) as string);
  return new Args(spec, { ...read, positionals: spec.args.map((a) => byName.get(a)!) }, now);
}

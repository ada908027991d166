/**
 * The organization an operator verb works on, when the command line leaves it out:
 * `TOLLGATE_ORGANIZATION`, which the first start's credentials file sets to the organization it
 * made. One rule for every verb: a verb that needs an organization — an `<org_id>` argument or a
 * required `--org` — takes it from the variable, except `orgs delete` (`explicitOrganization`),
 * which deletes only an organization named on its command line. A `--org` that narrows a list
 * (`keys list`, `quota-requests list`) does not: the list stays every organization's unless asked.
 * @module
 */
import type { Parsed } from './args.js';
import type { AnyCommandSpec } from './command.js';

export const ORGANIZATION_ENV = 'TOLLGATE_ORGANIZATION';

/** Where `spec` takes an organization the variable may stand in for: its `<org_id>`, its required `--org`, or nowhere. */
export function organizationSlot(spec: Pick<AnyCommandSpec, 'args' | 'flags' | 'explicitOrganization'>): 'arg' | 'flag' | undefined {
  if (spec.explicitOrganization) return undefined;
  if (spec.args.includes('org_id')) return 'arg';
  if (spec.flags.org?.required) return 'flag';
  return undefined;
}

/**
 * `parsed` with the organization from the environment where the command line has none: a
 * missing `--org`, or an `<org_id>` when exactly one positional argument is missing (the given
 * ones are then the others, in order: `limits get sim-small`). An empty variable counts as unset.
 */
export function withOrganizationDefault(spec: AnyCommandSpec, parsed: Parsed, env: Record<string, string | undefined>): Parsed {
  const org = env[ORGANIZATION_ENV];
  const slot = organizationSlot(spec);
  if (!org || !slot) return parsed;
  if (slot === 'flag') return parsed.flags.has('org') ? parsed : { ...parsed, flags: new Map([...parsed.flags, ['org', org]]) };
  if (parsed.positionals.length !== spec.args.length - 1) return parsed;
  const positionals = [...parsed.positionals];
  positionals.splice(spec.args.indexOf('org_id'), 0, org);
  return { ...parsed, positionals };
}

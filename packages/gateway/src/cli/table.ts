/**
 * The one command table of `tollgate`: every command, grouped as the top-level help shows them.
 * Each area keeps its verbs next to its code (identity in admin/commands.ts, money in
 * billing/cli.ts, the status page in status/cli.ts, an organization's own administration in
 * organization/cli.ts); this file only lists them.
 * @module
 */
import { BILLING_COMMANDS } from '../billing/cli.js';
import { ORGANIZATION_COMMANDS } from '../organization/cli.js';
import { COMMANDS as ADMIN_VERBS } from './admin/commands.js';
import type { AnyCommandSpec } from './command.js';
import { GATEWAY_COMMANDS } from './gateway-commands.js';

export interface Section {
  title: string;
  /**
   * Each resource of the section with its one-line summary, in the order the help lists them. A
   * summary that names verbs names every one of them, as a final `(verb, verb)` list: a line that
   * says what the resource does must not read as if the resource alone did it (`tollgate docs`
   * needs its verb, `errors`).
   */
  resources: Record<string, string>;
  commands: readonly AnyCommandSpec[];
}

export const SECTIONS: readonly Section[] = [
  {
    title: 'Gateway',
    resources: {
      serve: 'run the gateway (TOLLGATE_CONFIG names the config too)',
      config: 'check the config and print the effective configuration, secrets hidden (check, show)',
      simulate: 'serve the simulator engine alone (OpenAI-compatible, no keys)',
      docs: 'print the error reference as Markdown (errors)',
      batch: 'run an OpenAI Batch-format file through the API (TOLLGATE_URL with TOLLGATE_API_KEY)',
    },
    commands: GATEWAY_COMMANDS,
  },
  {
    title: 'Administration (a running gateway at TOLLGATE_URL, with TOLLGATE_ADMIN_KEY)',
    resources: {
      orgs: 'organizations, their tiers and model allow-lists',
      users: 'users',
      members: 'who belongs to which organization, with which role',
      keys: 'API keys',
      limits: "organizations' rate limits",
      incidents: 'status-page incidents and their updates and postmortems (list, get, create, update, resolve, postmortem)',
      maintenance: 'status-page scheduled maintenance',
      billing: 'monthly hard and soft spend limits',
      'quota-requests': 'requests to raise a hard limit (list, create, approve, reject)',
      usage: "an organization's usage and cost for a month",
    },
    commands: [...ADMIN_VERBS, ...BILLING_COMMANDS],
  },
  {
    title: 'Organization administration (a running gateway at TOLLGATE_URL, with an organization admin key in TOLLGATE_ORG_ADMIN_KEY)',
    resources: {
      'org-users': "the organization's users and their roles (owner, reader)",
      projects: 'projects: their users, API keys, rate limits, models and spend limits',
      'service-accounts': "a project's service accounts and their keys",
      invites: 'invitations to join the organization',
      'admin-keys': "the organization's admin keys",
      'spend-limit': "the organization's monthly spend limit",
      'audit-logs': "the organization's changes: who, when, what",
      requests: 'one request as the usage ledger recorded it (support)',
    },
    commands: ORGANIZATION_COMMANDS,
  },
];

export const ALL_COMMANDS: readonly AnyCommandSpec[] = SECTIONS.flatMap((s) => s.commands);

/** The commands of a resource (`orgs` → its verbs; `usage` → the one command). */
export function commandsOf(resource: string): AnyCommandSpec[] {
  return ALL_COMMANDS.filter((c) => c.resource === resource);
}

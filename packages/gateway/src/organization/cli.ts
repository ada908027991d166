/**
 * The organization verbs of the `tollgate` CLI, on `/v1/organization` (OpenAI's Administration
 * API) with an organization admin key in TOLLGATE_ORG_ADMIN_KEY (cli/admin/apis.ts); the command
 * table (cli/table.ts) lists them:
 *
 *   tollgate projects list|create|get|update|archive
 *   tollgate org-users list|get|update|remove
 *   tollgate projects users list|add|get|update|remove <project_id> ...
 *   tollgate projects keys list|get|delete <project_id> ...
 *   tollgate projects rate-limits|models|spend-limit ... <project_id>   (cli-limits.ts)
 *   tollgate spend-limit get|set|delete
 *   tollgate service-accounts list|create|get|update|delete|keys create --project <project_id>
 *   tollgate invites list|create|get|delete
 *   tollgate admin-keys list|create|get|delete
 *   tollgate audit-logs list
 *   tollgate requests show <request_id>
 *
 * The verbs that list, show and delete an object are made from one description per object
 * (`Resource`, cli-verbs.ts); a verb's own code is only what differs. A secret (a service account's key, an
 * admin key, an invite token) is printed by its create verb only, once.
 * @module
 */
import { UsageError, valueFlag } from '../cli/args.js';
import type { Args, VerbSpec } from '../cli/command.js';
import { keyScopes, objectFields, shownOnce, time } from '../cli/admin/format.js';
import { PROJECT_ROLES } from '../store/repos/project-members.js';
import { PROJECT_LIMIT_COMMANDS, SPEND_LIMIT_COMMANDS } from './cli-limits.js';
import { deleteVerb, getVerb, inProject, listVerb, objectPath, send, verb, type Column, type Obj, type Resource } from './cli-verbs.js';
import { ORG_ROLES } from './users.js';

const PROJECT_FLAG = { project: valueFlag('PROJECT_ID', 'the project (proj_...)', true) };

const PROJECTS: Resource = {
  resource: 'projects',
  noun: 'project',
  scope: [],
  path: () => '/projects',
  id: 'project_id',
  columns: [
    ['ID', (p) => p.id],
    ['NAME', (p) => p.name],
    ['STATUS', (p) => p.status],
    ['CREATED', (p) => time(p.created_at)],
    ['ARCHIVED', (p) => time(p.archived_at)],
  ],
};

const USER_COLUMNS: readonly Column[] = [
  ['USER', (u) => u.id],
  ['EMAIL', (u) => u.email],
  ['NAME', (u) => u.name],
  ['ROLE', (u) => u.role],
  ['ADDED', (u) => time(u.added_at)],
];

const ORG_USERS: Resource = { resource: 'org-users', noun: 'user of the organization', scope: [], path: () => '/users', id: 'user_id', columns: USER_COLUMNS };

const PROJECT_USERS = inProject('users', 'project user', 'users', 'user_id', USER_COLUMNS);

const PROJECT_KEYS = inProject('keys', 'API key of a project (redacted)', 'api_keys', 'key_id', [
  ['ID', (k) => k.id],
  ['NAME', (k) => k.name],
  ['KEY', (k) => k.redacted_value],
  ['OWNER', (k) => (k.owner?.type === 'service_account' ? `service account ${k.owner.service_account?.id}` : k.owner?.user?.email)],
  ['ACCESS', (k) => k.owner_project_access],
  ['CREATED', (k) => time(k.created_at)],
  ['LAST USED', (k) => time(k.last_used_at)],
]);

const SERVICE_ACCOUNTS: Resource = {
  resource: 'service-accounts',
  noun: 'service account',
  scope: [],
  scopeFlags: PROJECT_FLAG,
  path: (a) => `/projects/${encodeURIComponent(a.str('project')!)}/service_accounts`,
  id: 'service_account_id',
  columns: [
    ['ID', (s) => s.id],
    ['NAME', (s) => s.name],
    ['ROLE', (s) => s.role],
    ['CREATED', (s) => time(s.created_at)],
  ],
};

const INVITES: Resource = {
  resource: 'invites',
  noun: 'invite',
  scope: [],
  path: () => '/invites',
  id: 'invite_id',
  columns: [
    ['ID', (i) => i.id],
    ['EMAIL', (i) => i.email],
    ['ROLE', (i) => i.role],
    ['STATUS', (i) => i.status],
    ['PROJECTS', (i) => (i.projects?.length ? i.projects.map((p: Obj) => `${p.id}:${p.role}`).join(',') : '-')],
    ['EXPIRES', (i) => time(i.expires_at)],
  ],
};

const ADMIN_KEYS: Resource = {
  resource: 'admin-keys',
  noun: 'admin key (redacted)',
  scope: [],
  path: () => '/admin_api_keys',
  id: 'key_id',
  columns: [
    ['ID', (k) => k.id],
    ['NAME', (k) => k.name],
    ['KEY', (k) => k.redacted_value],
    ['OWNER', (k) => (k.owner?.type === 'user' ? k.owner.id : k.owner?.type)],
    ['CREATED', (k) => time(k.created_at)],
    ['EXPIRES', (k) => time(k.expires_at)],
    ['LAST USED', (k) => time(k.last_used_at)],
  ],
};

const AUDIT_LOGS: Resource = {
  resource: 'audit-logs',
  noun: 'audit log entry',
  scope: [],
  path: () => '/audit_logs',
  columns: [
    ['ID', (e) => e.id],
    ['TIME', (e) => time(e.effective_at)],
    ['TYPE', (e) => e.type],
    ['ACTOR', (e) => e.actor?.api_key?.user?.email ?? e.actor?.session?.user?.email ?? e.actor?.api_key?.id ?? e.actor?.type],
    ['OBJECT', (e) => e[e.type]?.id],
    ['PROJECT', (e) => e.project?.id],
  ],
};

/** The audit-log filters: option → the API's array parameter. */
const AUDIT_FILTERS = {
  type: ['event_types', 'T1,T2', 'only these event types (project.created, api_key.deleted, ...)'],
  actor: ['actor_ids', 'ID1,ID2', 'only changes by these users or keys'],
  'actor-email': ['actor_emails', 'E1,E2', 'only changes by these e-mail addresses'],
  project: ['project_ids', 'P1,P2', 'only changes in these projects'],
  resource: ['resource_ids', 'ID1,ID2', 'only changes to these objects'],
} as const;

function auditQuery(a: Args): string {
  const q = new URLSearchParams();
  for (const [flag, [param]] of Object.entries(AUDIT_FILTERS)) if (a.list(flag)) q.set(param, a.list(flag)!.join(','));
  return q.toString();
}

const REQUESTS: Resource = { resource: 'requests', noun: 'request', scope: [], path: () => '/requests', id: 'request_id', columns: [] };

/** `--projects proj_a:member,proj_b:owner` → `[{id, role}]`. */
function inviteProjects(a: Args): { id: string; role: string }[] | undefined {
  return a.list('projects')?.map((entry) => {
    const [id, role = 'member', extra] = entry.split(':');
    if (!id || extra !== undefined || !(PROJECT_ROLES as readonly string[]).includes(role)) throw new UsageError(`--projects: expected PROJECT_ID[:member|owner],..., got ${JSON.stringify(entry)}`);
    return { id, role };
  });
}

/**
 * What to pass on to the invitee, the token in it shown once: the console's invite link, as the
 * console's People page gives it (the gateway reports it as `invite_url`, under its public URL);
 * from a gateway that does not, the token and the path to put under that URL. The API way stays.
 */
function inviteHandOff(o: Obj): string {
  const api = '\nThe invitee can also accept with POST /v1/invites/accept {"token": ..., "name": ...}.';
  if (typeof o.invite_url === 'string') {
    return shownOnce('invite link', o.invite_url, `\nSend it to the invitee: it opens the console's invite page (the token is the part after #token=).${api}`);
  }
  return shownOnce('invite token', o.token, `\nThe console's invite link is the gateway's public URL (server.public_url, where the console is served) followed by /invite#token=<this token>.${api}`);
}

/** `--expires-at` as `expires_in_seconds`, which must be in the future. */
function expiresIn(a: Args): Obj {
  const at = a.expiresAt('expires-at');
  if (at === undefined) return {};
  const seconds = at - Math.floor(a.now() / 1000);
  if (seconds < 1) throw new UsageError('--expires-at: must be in the future');
  return { expires_in_seconds: seconds };
}

const role = (roles: readonly string[], help: string) => valueFlag('ROLE', `${roles.join(' or ')}: ${help}`, true);

export const ORGANIZATION_COMMANDS: readonly VerbSpec[] = [
  listVerb(PROJECTS, 'list the projects', { 'include-archived': { value: false, help: 'archived projects too' } }, (a) => (a.on('include-archived') ? 'include_archived=true' : '')),
  verb(PROJECTS, 'create', 'create a project', { flags: { name: valueFlag('NAME', 'display name', true) }, run: (api, a) => send(api, 'POST', '/projects', { name: a.str('name') }) }),
  getVerb(PROJECTS),
  verb(PROJECTS, 'update', "rename a project", { args: ['project_id'], flags: { name: valueFlag('NAME', 'new name', true) }, run: (api, a) => send(api, 'POST', objectPath(PROJECTS, a), { name: a.str('name') }) }),
  verb(PROJECTS, 'archive', 'archive a project: its keys are refused at once (the Default project stays)', { args: ['project_id'], run: (api, a) => send(api, 'POST', `${objectPath(PROJECTS, a)}/archive`, undefined) }),

  listVerb(ORG_USERS, "list the organization's users and their roles", { email: valueFlag('E1,E2', 'only these e-mail addresses') }, (a) => (a.list('email') ? new URLSearchParams({ emails: a.list('email')!.join(',') }).toString() : '')),
  getVerb(ORG_USERS),
  verb(ORG_USERS, 'update', "change a user's role in the organization (an organization keeps one owner at least)", {
    args: ['user_id'],
    flags: { role: role(ORG_ROLES, 'the new role') },
    run: (api, a) => send(api, 'POST', objectPath(ORG_USERS, a), { role: a.oneOf('role', ORG_ROLES) }),
  }),
  deleteVerb(ORG_USERS, 'remove', "remove a user from the organization (their keys are refused at once)"),

  listVerb(PROJECT_USERS, "list a project's users"),
  verb(PROJECT_USERS, 'add', 'add a member of the organization to a project, by user id or e-mail address', {
    args: ['user'],
    flags: { role: role(PROJECT_ROLES, 'the role in the project') },
    run: (api, a) => send(api, 'POST', PROJECT_USERS.path(a), { [a.arg('user').includes('@') ? 'email' : 'user_id']: a.arg('user'), role: a.oneOf('role', PROJECT_ROLES) }),
  }),
  getVerb(PROJECT_USERS),
  verb(PROJECT_USERS, 'update', "change a user's role in a project", {
    args: ['user_id'],
    flags: { role: role(PROJECT_ROLES, 'the new role') },
    run: (api, a) => send(api, 'POST', objectPath(PROJECT_USERS, a), { role: a.oneOf('role', PROJECT_ROLES) }),
  }),
  deleteVerb(PROJECT_USERS, 'remove', "remove a user from a project (the user's keys of the project stop at once)"),

  listVerb(PROJECT_KEYS, "list a project's API keys (redacted)", { access: valueFlag('ACCESS', "active (default), inactive or any: whether the key's owner can still use it") }, (a) => {
    const access = a.oneOf('access', ['active', 'inactive', 'any']);
    return access ? `owner_project_access=${access}` : '';
  }),
  getVerb(PROJECT_KEYS),
  deleteVerb(PROJECT_KEYS, 'delete', "delete a project's API key (refused at its next request)"),

  ...PROJECT_LIMIT_COMMANDS,

  listVerb(SERVICE_ACCOUNTS, "list a project's service accounts"),
  verb(SERVICE_ACCOUNTS, 'create', 'create a service account with its API key (shown once)', {
    flags: { name: valueFlag('NAME', 'a name to recognise it by', true) },
    run: async (api, a) => {
      const o = await api.request('POST', SERVICE_ACCOUNTS.path(a), { name: a.str('name') });
      // OpenAI's answer does not say what the key may do: an account's first key has every scope.
      const shown = o.api_key ? { ...o, api_key: { ...o.api_key, scopes: keyScopes('all', []) } } : o;
      return { json: o, human: objectFields(shown, ['api_key.value']) + shownOnce('key', o.api_key?.value) };
    },
  }),
  getVerb(SERVICE_ACCOUNTS),
  verb(SERVICE_ACCOUNTS, 'update', "rename a service account or change its role", {
    args: ['service_account_id'],
    flags: { name: valueFlag('NAME', 'the new name'), role: valueFlag('ROLE', `${PROJECT_ROLES.join(' or ')}: the new role`) },
    run: (api, a) => {
      const body = { ...(a.str('name') !== undefined && { name: a.str('name') }), ...(a.str('role') !== undefined && { role: a.oneOf('role', PROJECT_ROLES) }) };
      if (Object.keys(body).length === 0) throw new UsageError('nothing to update: give --name and/or --role');
      return send(api, 'POST', objectPath(SERVICE_ACCOUNTS, a), body);
    },
  }),
  verb(SERVICE_ACCOUNTS, 'keys create', 'create another API key of a service account (shown once)', {
    args: ['service_account_id'],
    flags: { name: valueFlag('NAME', 'a name to recognise the key by'), scopes: valueFlag('S1,S2', 'restrict the key to these scopes (default: every scope)') },
    run: async (api, a) => {
      const scopes = a.list('scopes');
      const body = { ...(a.str('name') !== undefined && { name: a.str('name') }), ...(scopes !== undefined && { scopes }) };
      const o = await api.request('POST', `${objectPath(SERVICE_ACCOUNTS, a)}/api_keys`, body);
      // OpenAI's answer does not list the scopes: the key has those given (each one known, or the
      // key is refused), or every scope without --scopes.
      const shown = { ...o, scopes: scopes === undefined ? keyScopes('all', []) : keyScopes('restricted', [...new Set(scopes)]) };
      return { json: o, human: objectFields(shown, ['value']) + shownOnce('key', o.value) };
    },
  }),
  deleteVerb(SERVICE_ACCOUNTS, 'delete', 'delete a service account (its keys are refused at once)'),

  listVerb(INVITES, 'list the invites'),
  verb(INVITES, 'create', 'invite an e-mail address (its console link, with the token, is shown once)', {
    flags: {
      email: valueFlag('EMAIL', 'who is invited', true),
      role: role(ORG_ROLES, 'the role in the organization'),
      projects: valueFlag('P1:ROLE,P2', 'projects to join, each with member (default) or owner (default: the Default project)'),
    },
    run: async (api, a) => {
      const projects = inviteProjects(a);
      const r = await send(api, 'POST', '/invites', { email: a.str('email'), role: a.oneOf('role', ORG_ROLES), ...(projects ? { projects } : {}) }, ['token', 'invite_url']);
      return { ...r, human: r.human + inviteHandOff(r.json) };
    },
  }),
  getVerb(INVITES),
  deleteVerb(INVITES, 'delete', 'delete a pending invite'),

  listVerb(ADMIN_KEYS, "list the organization's admin keys (redacted)"),
  verb(ADMIN_KEYS, 'create', 'create an admin key (shown once)', {
    flags: { name: valueFlag('NAME', 'a name to recognise the key by', true), 'expires-at': valueFlag('WHEN', 'Unix seconds, an ISO date, or +30d / +12h / +90m (default: never)') },
    run: async (api, a) => {
      const r = await send(api, 'POST', '/admin_api_keys', { name: a.str('name'), ...expiresIn(a) }, ['value']);
      return { ...r, human: r.human + shownOnce('admin key', r.json.value) };
    },
  }),
  getVerb(ADMIN_KEYS),
  deleteVerb(ADMIN_KEYS, 'delete', 'delete an admin key (refused at its next request)'),

  ...SPEND_LIMIT_COMMANDS,

  listVerb(AUDIT_LOGS, "the organization's changes, newest first", Object.fromEntries(Object.entries(AUDIT_FILTERS).map(([flag, [, placeholder, help]]) => [flag, valueFlag(placeholder, help)])), auditQuery),

  verb(REQUESTS, 'show', 'what the ledger knows of one request of the organization (its x-request-id)', {
    args: ['request_id'],
    details: 'Prints every field the gateway returns for the request (nested ones as parent.child);\n--json prints the answer as it is. A request of another organization is not found.',
    run: async (api, a) => {
      if (!a.arg('request_id').startsWith('req_')) throw new UsageError(`<request_id>: expected a request id (req_..., the x-request-id header), got ${JSON.stringify(a.arg('request_id'))}`);
      return send(api, 'GET', objectPath(REQUESTS, a));
    },
  }),
];

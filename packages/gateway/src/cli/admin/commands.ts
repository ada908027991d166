/**
 * The admin verbs of the `tollgate` CLI, one spec per `<resource> <verb>`: positional
 * arguments, options, and what to call on the admin API.
 * @module
 */
import { ORG_ROLES } from '../../organization/users.js';
import { UsageError, valueFlag } from '../args.js';
import type { VerbSpec } from '../command.js';
import { fields, keyScopes, objectFields, shownOnce, table, time } from './format.js';
import { limitBody, limitFlags, LIMITS } from './limit-options.js';
import { list, PAGING } from './list.js';
import { STATUS_COMMANDS } from '../../status/cli.js';
import { CONSOLE_COMMANDS } from '../../console/cli.js';

type Obj = Record<string, any>;

const orgRows = (rows: Obj[]) => table(['ID', 'NAME', 'TIER', 'CREATED'], rows.map((o) => [o.id, o.name, o.tier, time(o.created_at)]));
/** An organization; the create answer adds its first `owner`. */
const orgFields = (o: Obj) => fields([['id', o.id], ['name', o.name], ['tier', o.tier], ['created', time(o.created_at)], ...(o.owner ? [['owner', `${o.owner.id} (${o.owner.email})`] as [string, string]] : [])]);
const userRows = (rows: Obj[]) => table(['ID', 'EMAIL', 'NAME', 'CREATED'], rows.map((u) => [u.id, u.email, u.name, time(u.created_at)]));
const userFields = (u: Obj) => fields([['id', u.id], ['email', u.email], ['name', u.name], ['created', time(u.created_at)]]);
const memberRows = (rows: Obj[]) => table(['USER', 'EMAIL', 'NAME', 'ROLE', 'ADDED'], rows.map((m) => [m.id, m.email, m.name, m.role, time(m.added_at)]));
const keyRows = (rows: Obj[]) =>
  table(
    ['ID', 'NAME', 'KEY', 'ORGANIZATION', 'USER', 'PERMISSIONS', 'SCOPES', 'STATUS', 'EXPIRES', 'LAST USED'],
    rows.map((k) => [k.id, k.name, k.redacted_value, k.organization_id, k.user_id, k.permissions, keyScopes(k.permissions, k.scopes), k.status, time(k.expires_at), time(k.last_used_at)]),
  );
const keyFields = (k: Obj) =>
  fields([
    ['id', k.id],
    ['name', k.name],
    ['key', k.redacted_value],
    ['organization', k.organization_id],
    ['user', k.user_id],
    ['permissions', k.permissions],
    ['scopes', keyScopes(k.permissions, k.scopes)],
    ['status', k.status],
    ['created', time(k.created_at)],
    ['expires', time(k.expires_at)],
    ['last used', time(k.last_used_at)],
    ['revoked', time(k.revoked_at)],
  ]);
/** `*` marks a value that comes from an override rather than the tier. */
const limitCell = (l: Obj, field: string) => `${l[field] === null ? 'unlimited' : String(l[field])}${field in (l.overrides ?? {}) ? '*' : ''}`;
const limitRows = (rows: Obj[]) => table(['MODEL', 'TIER', ...LIMITS.map(([, h]) => h)], rows.map((l) => [l.model, l.tier, ...LIMITS.map(([, , f]) => limitCell(l, f))]));
const LIMIT_NOTE = '(* = organization override; other values come from the tier)\n';

/** `<resource> list`: the pages of `<path>`, as a table made by `rows`. */
function listVerb(resource: string, summary: string, path: string, rows: (r: Obj[]) => string): VerbSpec {
  return { resource, verb: 'list', summary, args: [], flags: PAGING, run: (api, a) => list(api, a, path, rows) };
}

/** `<resource> get <id>`: the object at `<path>/<id>`, shown with `show`. */
function showVerb(resource: string, summary: string, path: string, id: string, show: (o: Obj) => string): VerbSpec {
  return {
    resource,
    verb: 'get',
    summary,
    args: [id],
    flags: {},
    run: async (api, a) => {
      const o = await api.request('GET', `${path}/${a.path(id)}`);
      return { json: o, human: show(o) };
    },
  };
}

export const COMMANDS: readonly VerbSpec[] = [
  listVerb('orgs', 'list organizations', '/organizations', orgRows),
  showVerb('orgs', 'show one organization', '/organizations', 'org_id', orgFields),
  {
    resource: 'orgs',
    verb: 'create',
    summary: 'create an organization, optionally with its first owner',
    args: [],
    flags: {
      name: { value: true, required: true, placeholder: 'NAME', help: 'display name' },
      tier: { value: true, placeholder: 'TIER', help: 'usage tier (default: the configured default_tier)' },
      'owner-email': valueFlag('EMAIL', 'its first owner: an existing user, or a new one named by --owner-name'),
      'owner-name': valueFlag('NAME', "the new owner's name"),
    },
    run: async (api, a) => {
      const email = a.str('owner-email');
      if (email === undefined && a.str('owner-name') !== undefined) throw new UsageError('--owner-name needs --owner-email');
      const owner = email === undefined ? {} : { owner: { email, ...(a.str('owner-name') !== undefined ? { name: a.str('owner-name') } : {}) } };
      const o = await api.request('POST', '/organizations', { name: a.str('name'), ...(a.str('tier') !== undefined ? { tier: a.str('tier') } : {}), ...owner });
      return { json: o, human: orgFields(o) };
    },
  },
  {
    resource: 'orgs',
    verb: 'admin-key',
    summary: 'make an admin key of an organization (shown once), for the organization verbs and the official SDK',
    args: ['org_id'],
    flags: {
      name: valueFlag('NAME', 'a name to recognise the key by', true),
      owner: valueFlag('USER_ID', 'the owner the key acts for (default: the earliest owner)'),
    },
    details: 'Hand the value to the organization, or export it as TOLLGATE_ORG_ADMIN_KEY to run the\nprojects, service-accounts, invites, admin-keys and requests verbs for it.',
    run: async (api, a) => {
      const k = await api.request('POST', `/organizations/${a.path('org_id')}/admin_api_keys`, { name: a.str('name'), ...(a.str('owner') !== undefined ? { owner_user_id: a.str('owner') } : {}) });
      return { json: k, human: objectFields(k, ['value']) + shownOnce('admin key', k.value) };
    },
  },
  {
    resource: 'orgs',
    verb: 'update',
    summary: "change an organization's name or tier",
    args: ['org_id'],
    flags: { name: { value: true, placeholder: 'NAME', help: 'new name' }, tier: { value: true, placeholder: 'TIER', help: 'new usage tier' } },
    run: async (api, a) => {
      const body: Obj = {};
      if (a.str('name') !== undefined) body.name = a.str('name');
      if (a.str('tier') !== undefined) body.tier = a.str('tier');
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give --name and/or --tier');
      const o = await api.request('PUT', `/organizations/${a.path('org_id')}`, body);
      return { json: o, human: orgFields(o) };
    },
  },
  {
    resource: 'orgs',
    verb: 'delete',
    summary: 'delete an organization (its keys stop working at once)',
    args: ['org_id'],
    flags: {},
    // Only the organization named here: never TOLLGATE_ORGANIZATION's, left in a shell by the credentials file.
    explicitOrganization: true,
    details: 'The organization is always named here: TOLLGATE_ORGANIZATION does not stand in for <org_id>.',
    run: async (api, a) => {
      const r = await api.request('DELETE', `/organizations/${a.path('org_id')}`);
      return { json: r, human: `deleted ${r.id}\n` };
    },
  },
  {
    resource: 'orgs',
    verb: 'models',
    summary: "show or set an organization's model allow-list",
    args: ['org_id'],
    flags: { allow: { value: true, placeholder: 'M1,M2', help: 'allow only these models' }, 'allow-all': { value: false, help: 'lift the allow-list (every model)' } },
    run: async (api, a) => {
      const allow = a.list('allow');
      if (allow !== undefined && a.on('allow-all')) throw new UsageError('give --allow or --allow-all, not both');
      const path = `/organizations/${a.path('org_id')}/models`;
      const r = allow !== undefined || a.on('allow-all') ? await api.request('PUT', path, { allowed: a.on('allow-all') ? null : allow }) : await api.request('GET', path);
      return { json: r, human: `${r.organization_id}: ${r.allowed === null ? 'every model' : r.allowed.length ? r.allowed.join(', ') : 'no models'}\n` };
    },
  },
  listVerb('users', 'list users', '/users', userRows),
  showVerb('users', 'show one user', '/users', 'user_id', userFields),
  {
    resource: 'users',
    verb: 'create',
    summary: 'create a user',
    args: [],
    flags: { email: { value: true, required: true, placeholder: 'EMAIL', help: 'unique email address' }, name: { value: true, required: true, placeholder: 'NAME', help: 'display name' } },
    run: async (api, a) => {
      const u = await api.request('POST', '/users', { email: a.str('email'), name: a.str('name') });
      return { json: u, human: userFields(u) };
    },
  },
  {
    resource: 'members',
    verb: 'list',
    summary: 'list the members of an organization',
    args: ['org_id'],
    flags: PAGING,
    run: (api, a) => list(api, a, `/organizations/${a.path('org_id')}/members`, memberRows),
  },
  {
    resource: 'members',
    verb: 'add',
    summary: 'add a user to an organization',
    args: ['org_id', 'user_id'],
    flags: {
      user: valueFlag('USER_ID', 'the user to add, instead of <user_id> (as keys create names it)'),
      role: { value: true, required: true, placeholder: 'ROLE', help: `${ORG_ROLES.join(' or ')} (OpenAI's organization roles)` },
    },
    argOptions: { user: 'user_id' },
    run: async (api, a) => {
      const m = await api.request('POST', `/organizations/${a.path('org_id')}/members`, { user_id: a.arg('user_id'), role: a.oneOf('role', ORG_ROLES) });
      return { json: m, human: memberRows([m]) };
    },
  },
  {
    resource: 'members',
    verb: 'remove',
    summary: "remove a user from an organization (the user's keys stop working at once)",
    args: ['org_id', 'user_id'],
    flags: {},
    run: async (api, a) => {
      const r = await api.request('DELETE', `/organizations/${a.path('org_id')}/members/${a.path('user_id')}`);
      return { json: r, human: `removed ${r.id} from ${a.arg('org_id')}\n` };
    },
  },
  {
    resource: 'keys',
    verb: 'list',
    summary: 'list API keys (redacted)',
    args: [],
    flags: { ...PAGING, org: { value: true, placeholder: 'ORG_ID', help: 'only keys of this organization' }, user: { value: true, placeholder: 'USER_ID', help: 'only keys of this user' } },
    run: (api, a) => {
      const q = new URLSearchParams();
      if (a.str('org') !== undefined) q.set('organization_id', a.str('org')!);
      if (a.str('user') !== undefined) q.set('user_id', a.str('user')!);
      return list(api, a, '/keys', keyRows, q.toString());
    },
  },
  showVerb('keys', 'show one API key (redacted)', '/keys', 'key_id', keyFields),
  {
    resource: 'keys',
    verb: 'create',
    summary: 'create an API key (shown once)',
    args: [],
    flags: {
      org: { value: true, required: true, placeholder: 'ORG_ID', help: 'organization (default $TOLLGATE_ORGANIZATION)' },
      user: { value: true, required: true, placeholder: 'USER_ID', help: 'owning user (must be a member)' },
      name: { value: true, required: true, placeholder: 'NAME', help: 'a name to recognise the key by' },
      permissions: { value: true, placeholder: 'P', help: 'all (default), read_only or restricted' },
      scopes: { value: true, placeholder: 'S1,S2', help: 'scopes of a restricted key: api.model.read, model.request, api.responses.read, api.responses.write' },
      'expires-at': { value: true, placeholder: 'WHEN', help: 'Unix seconds, an ISO date, or +30d / +12h / +90m' },
    },
    run: async (api, a) => {
      const body: Obj = { organization_id: a.str('org'), user_id: a.str('user'), name: a.str('name') };
      if (a.str('permissions') !== undefined) body.permissions = a.str('permissions');
      if (a.list('scopes') !== undefined) body.scopes = a.list('scopes');
      const exp = a.expiresAt('expires-at');
      if (exp !== undefined) body.expires_at = exp;
      const k = await api.request('POST', '/keys', body);
      return { json: k, human: keyFields(k) + shownOnce('key', k.key) };
    },
  },
  {
    resource: 'keys',
    verb: 'revoke',
    summary: 'revoke an API key (refused from the moment this returns)',
    args: ['key_id'],
    flags: {},
    run: async (api, a) => {
      const k = await api.request('POST', `/keys/${a.path('key_id')}/revoke`);
      return { json: k, human: `revoked ${k.id} (${k.redacted_value})\n` };
    },
  },
  {
    resource: 'limits',
    verb: 'list',
    summary: "an organization's effective rate limits per model",
    args: ['org_id'],
    flags: {},
    run: async (api, a) => {
      const r = await api.request('GET', `/organizations/${a.path('org_id')}/rate_limits`);
      return { json: r, human: limitRows(r.data) + LIMIT_NOTE };
    },
  },
  {
    resource: 'limits',
    verb: 'get',
    summary: "an organization's effective rate limits for one model",
    args: ['org_id', 'model'],
    flags: {},
    run: async (api, a) => {
      const r = await api.request('GET', `/organizations/${a.path('org_id')}/rate_limits/${a.path('model')}`);
      return { json: r, human: limitRows([r]) + LIMIT_NOTE };
    },
  },
  {
    resource: 'limits',
    verb: 'set',
    summary: "override an organization's limits for a model (or '*'); limits not given go back to the tier",
    args: ['org_id', 'model'],
    flags: limitFlags('a whole number, or none for no limit; 0 blocks the model', 'N|none'),
    run: async (api, a) => {
      const body = limitBody(a, 'nothing to set: give --rpm, --tpm, --rpd and/or --tpd (use "limits reset" to drop the override)');
      const r = await api.request('PUT', `/organizations/${a.path('org_id')}/rate_limits/${a.path('model')}`, body);
      return { json: r, human: limitRows([r]) + LIMIT_NOTE };
    },
  },
  {
    resource: 'limits',
    verb: 'reset',
    summary: "drop an organization's override for a model (back to the tier)",
    args: ['org_id', 'model'],
    flags: {},
    run: async (api, a) => {
      const r = await api.request('PUT', `/organizations/${a.path('org_id')}/rate_limits/${a.path('model')}`, {});
      return { json: r, human: limitRows([r]) + LIMIT_NOTE };
    },
  },
  // The status page's incidents and maintenances (status/cli.ts).
  ...STATUS_COMMANDS,
  ...CONSOLE_COMMANDS,
];

/** The resources of the admin verbs above, in order. */
export const ADMIN_COMMANDS: readonly string[] = [...new Set(COMMANDS.map((c) => c.resource))];

/**
 * The admin verbs of the `tollgate` CLI, one spec per `<resource> <verb>`: positional
 * arguments, options, and what to call on the admin API.
 * @module
 */
import { UsageError, type FlagSpec } from '../args.js';
import type { Args, Output, VerbSpec } from '../command.js';
import type { AdminClient } from './client.js';
import { cell, fields, table, time } from './format.js';
import { STATUS_COMMANDS } from '../../status/cli.js';

type Obj = Record<string, any>;
interface ListBody {
  data: Obj[];
  has_more: boolean;
  last_id: string | null;
}

const PAGING: Record<string, FlagSpec> = {
  limit: { value: true, placeholder: 'N', help: 'page size, 1..100 (default 20)' },
  after: { value: true, placeholder: 'ID', help: 'start after this id (from a previous page)' },
  all: { value: false, help: 'follow every page' },
};

async function list(api: AdminClient, a: Args, path: string, render: (rows: Obj[]) => string, extraQuery = ''): Promise<Output> {
  const join = (q: string) => [extraQuery, q].filter(Boolean).join('&');
  const body: ListBody = a.on('all') ? await api.all(extraQuery ? `${path}?${extraQuery}` : path) : await api.request('GET', `${path}${join(a.paging()) ? `?${join(a.paging())}` : ''}`);
  const more = body.has_more ? `more: --after ${body.last_id}\n` : '';
  return { json: body, human: render(body.data) + more };
}

const orgRows = (rows: Obj[]) => table(['ID', 'NAME', 'TIER', 'CREATED'], rows.map((o) => [o.id, o.name, o.tier, time(o.created_at)]));
const orgFields = (o: Obj) => fields([['id', o.id], ['name', o.name], ['tier', o.tier], ['created', time(o.created_at)]]);
const userRows = (rows: Obj[]) => table(['ID', 'EMAIL', 'NAME', 'CREATED'], rows.map((u) => [u.id, u.email, u.name, time(u.created_at)]));
const userFields = (u: Obj) => fields([['id', u.id], ['email', u.email], ['name', u.name], ['created', time(u.created_at)]]);
const memberRows = (rows: Obj[]) => table(['USER', 'EMAIL', 'NAME', 'ROLE', 'ADDED'], rows.map((m) => [m.id, m.email, m.name, m.role, time(m.added_at)]));
const keyRows = (rows: Obj[]) =>
  table(
    ['ID', 'NAME', 'KEY', 'ORGANIZATION', 'USER', 'PERMISSIONS', 'STATUS', 'EXPIRES', 'LAST USED'],
    rows.map((k) => [k.id, k.name, k.redacted_value, k.organization_id, k.user_id, k.permissions === 'restricted' ? `restricted:${cell(k.scopes)}` : k.permissions, k.status, time(k.expires_at), time(k.last_used_at)]),
  );
const keyFields = (k: Obj) =>
  fields([
    ['id', k.id],
    ['name', k.name],
    ['key', k.redacted_value],
    ['organization', k.organization_id],
    ['user', k.user_id],
    ['permissions', k.permissions],
    ['scopes', cell(k.scopes)],
    ['status', k.status],
    ['created', time(k.created_at)],
    ['expires', time(k.expires_at)],
    ['last used', time(k.last_used_at)],
    ['revoked', time(k.revoked_at)],
  ]);
const LIMIT_COLUMNS = [
  ['RPM', 'max_requests_per_1_minute'],
  ['TPM', 'max_tokens_per_1_minute'],
  ['RPD', 'max_requests_per_1_day'],
  ['TPD', 'max_tokens_per_1_day'],
] as const;
/** `*` marks a value that comes from an override rather than the tier. */
const limitCell = (l: Obj, field: string) => `${l[field] === null ? 'unlimited' : String(l[field])}${field in (l.overrides ?? {}) ? '*' : ''}`;
const limitRows = (rows: Obj[]) => table(['MODEL', 'TIER', ...LIMIT_COLUMNS.map(([h]) => h)], rows.map((l) => [l.model, l.tier, ...LIMIT_COLUMNS.map(([, f]) => limitCell(l, f))]));
const LIMIT_NOTE = '(* = organization override; other values come from the tier)\n';

const LIMIT_FLAGS: Record<string, FlagSpec> = {
  rpm: { value: true, placeholder: 'N', help: 'max requests per minute (a number or "unlimited")' },
  tpm: { value: true, placeholder: 'N', help: 'max tokens per minute' },
  rpd: { value: true, placeholder: 'N', help: 'max requests per day' },
  tpd: { value: true, placeholder: 'N', help: 'max tokens per day' },
};

export const COMMANDS: readonly VerbSpec[] = [
  {
    resource: 'orgs',
    verb: 'list',
    summary: 'list organizations',
    args: [],
    flags: PAGING,
    run: (api, a) => list(api, a, '/organizations', orgRows),
  },
  {
    resource: 'orgs',
    verb: 'get',
    summary: 'show one organization',
    args: ['org_id'],
    flags: {},
    run: async (api, a) => {
      const o = await api.request('GET', `/organizations/${a.path('org_id')}`);
      return { json: o, human: orgFields(o) };
    },
  },
  {
    resource: 'orgs',
    verb: 'create',
    summary: 'create an organization',
    args: [],
    flags: { name: { value: true, required: true, placeholder: 'NAME', help: 'display name' }, tier: { value: true, placeholder: 'TIER', help: 'usage tier (default: the configured default_tier)' } },
    run: async (api, a) => {
      const o = await api.request('POST', '/organizations', { name: a.str('name'), ...(a.str('tier') !== undefined ? { tier: a.str('tier') } : {}) });
      return { json: o, human: orgFields(o) };
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
  {
    resource: 'users',
    verb: 'list',
    summary: 'list users',
    args: [],
    flags: PAGING,
    run: (api, a) => list(api, a, '/users', userRows),
  },
  {
    resource: 'users',
    verb: 'get',
    summary: 'show one user',
    args: ['user_id'],
    flags: {},
    run: async (api, a) => {
      const u = await api.request('GET', `/users/${a.path('user_id')}`);
      return { json: u, human: userFields(u) };
    },
  },
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
    flags: { role: { value: true, required: true, placeholder: 'ROLE', help: 'owner, member or reader' } },
    run: async (api, a) => {
      const m = await api.request('POST', `/organizations/${a.path('org_id')}/members`, { user_id: a.arg('user_id'), role: a.str('role') });
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
  {
    resource: 'keys',
    verb: 'get',
    summary: 'show one API key (redacted)',
    args: ['key_id'],
    flags: {},
    run: async (api, a) => {
      const k = await api.request('GET', `/keys/${a.path('key_id')}`);
      return { json: k, human: keyFields(k) };
    },
  },
  {
    resource: 'keys',
    verb: 'create',
    summary: 'create an API key (shown once)',
    args: [],
    flags: {
      org: { value: true, required: true, placeholder: 'ORG_ID', help: 'organization' },
      user: { value: true, required: true, placeholder: 'USER_ID', help: 'owning user (must be a member)' },
      name: { value: true, required: true, placeholder: 'NAME', help: 'a name to recognise the key by' },
      permissions: { value: true, placeholder: 'P', help: 'all (default), read_only or restricted' },
      scopes: { value: true, placeholder: 'S1,S2', help: 'scopes of a restricted key: api.model.read, model.request' },
      'expires-at': { value: true, placeholder: 'WHEN', help: 'Unix seconds, an ISO date, or +30d / +12h / +90m' },
    },
    run: async (api, a) => {
      const body: Obj = { organization_id: a.str('org'), user_id: a.str('user'), name: a.str('name') };
      if (a.str('permissions') !== undefined) body.permissions = a.str('permissions');
      if (a.list('scopes') !== undefined) body.scopes = a.list('scopes');
      const exp = a.expiresAt('expires-at');
      if (exp !== undefined) body.expires_at = exp;
      const k = await api.request('POST', '/keys', body);
      return { json: k, human: `${keyFields(k)}\n${k.key}\n\nThis is the only time the key is shown. Store it now.\n` };
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
    flags: LIMIT_FLAGS,
    run: async (api, a) => {
      const body: Obj = {};
      for (const [flag, field] of [
        ['rpm', 'max_requests_per_1_minute'],
        ['tpm', 'max_tokens_per_1_minute'],
        ['rpd', 'max_requests_per_1_day'],
        ['tpd', 'max_tokens_per_1_day'],
      ] as const) {
        const v = a.limit(flag);
        if (v !== undefined) body[field] = v;
      }
      if (Object.keys(body).length === 0) throw new UsageError('nothing to set: give --rpm, --tpm, --rpd and/or --tpd (use "limits reset" to drop the override)');
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
];

/** The resources of the admin verbs above, in order. */
export const ADMIN_COMMANDS: readonly string[] = [...new Set(COMMANDS.map((c) => c.resource))];

/**
 * The status page's operator verbs of the `tollgate` CLI (admin API under /admin/v1/status):
 *
 *   tollgate incidents list | get <id>
 *   tollgate incidents create --name TEXT --body TEXT [--status S] [--component NAME=STATUS,...] [--impact I]
 *   tollgate incidents update <id> [--status S] [--body TEXT] [--name TEXT] [--component NAME=STATUS,...] [--impact I | --clear-impact]
 *   tollgate incidents resolve <id> [--body TEXT]
 *   tollgate incidents postmortem <id> --body TEXT
 *   tollgate maintenance list
 *   tollgate maintenance schedule --name TEXT --from TIME --until TIME [--components NAME,...] [--body TEXT]
 *   tollgate maintenance complete <id> [--body TEXT]
 * @module
 */
import { UsageError, valueFlag } from '../cli/args.js';
import type { Args, Output, VerbSpec } from '../cli/command.js';
import { fields, table } from '../cli/admin/format.js';

type Obj = Record<string, any>;

const rows = (list: Obj[]) => table(['ID', 'NAME', 'STATUS', 'IMPACT', 'COMPONENTS', 'CREATED'], list.map((i) => [i.id, i.name, i.status, i.impact, i.components.map((c: Obj) => c.name).join(',') || '-', i.created_at]));
const one = (i: Obj): Output => ({
  json: i,
  human:
    fields([
      ['id', i.id],
      ['name', i.name],
      ['status', i.status],
      ['impact', i.impact],
      ['components', i.components.map((c: Obj) => `${c.name} (${c.status})`).join(', ') || '-'],
      ...(i.scheduled_for ? ([['window', `${i.scheduled_for} .. ${i.scheduled_until}`]] as [string, string][]) : []),
      ['link', i.shortlink],
    ]) + i.incident_updates.map((u: Obj) => `  ${u.display_at}  ${u.status}: ${u.body}`).join('\n') + '\n',
});

/** `--component sim-large=major_outage,Admin API=degraded_performance` → {name: status}. */
function componentMap(a: Args): Record<string, string> | undefined {
  const list = a.list('component');
  if (!list) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`--component: expected NAME=STATUS, got ${JSON.stringify(item)}`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}

/** An incident body of the flags given (`field: flag`), with `--component` as `components`. */
function incidentBody(a: Args, fields: Record<string, string>): Obj {
  const body: Obj = {};
  for (const [field, flag] of Object.entries(fields)) if (a.str(flag) !== undefined) body[field] = a.str(flag);
  const comps = componentMap(a);
  if (comps) body.components = comps;
  return body;
}

/**
 * `<resource> <verb> <id> [--body TEXT]`: ends an incident or a maintenance by posting its final
 * `status` with `--body` as the last update, or `closing` when none is given.
 */
function closeVerb(resource: string, verb: string, summary: string, path: string, status: string, closing: string, bodyHelp: string): VerbSpec {
  return {
    resource,
    verb,
    summary,
    args: ['id'],
    flags: { body: valueFlag('TEXT', bodyHelp) },
    run: async (api, a) => one(await api.request('POST', `${path}/${a.path('id')}`, { status, body: a.str('body') ?? closing })),
  };
}

/** `--impact` of `incidents create` and `update`: the admin API's `impact_override`. */
const IMPACT_FLAG = valueFlag('IMPACT', 'override the computed impact: none, minor, major, critical');

export const STATUS_COMMANDS: readonly VerbSpec[] = [
  { resource: 'incidents', verb: 'list', summary: 'list the 50 most recent incidents', args: [], flags: {}, run: async (api) => {
    const r = await api.request('GET', '/status/incidents');
    return { json: r, human: rows(r.data) };
  } },
  { resource: 'incidents', verb: 'get', summary: 'show an incident with its updates', args: ['id'], flags: {}, run: async (api, a) => one(await api.request('GET', `/status/incidents/${a.path('id')}`)) },
  {
    resource: 'incidents',
    verb: 'create',
    summary: 'open an incident by hand',
    args: [],
    flags: {
      name: valueFlag('TEXT', 'the title shown on the page', true),
      body: valueFlag('TEXT', 'the first update', true),
      status: valueFlag('STATUS', 'investigating (default), identified, monitoring'),
      component: valueFlag('NAME=STATUS,...', 'affected components and their status while it lasts'),
      impact: IMPACT_FLAG,
    },
    run: async (api, a) => {
      const body = incidentBody(a, { name: 'name', body: 'body', status: 'status', impact_override: 'impact' });
      return one(await api.request('POST', '/status/incidents', body));
    },
  },
  {
    resource: 'incidents',
    verb: 'update',
    summary: 'post an update (status, text, components, impact)',
    args: ['id'],
    flags: {
      status: valueFlag('STATUS', 'investigating, identified, monitoring, resolved'),
      body: valueFlag('TEXT', 'the update text'),
      name: valueFlag('TEXT', 'a new title'),
      component: valueFlag('NAME=STATUS,...', 'affected components'),
      impact: IMPACT_FLAG,
      'clear-impact': { value: false, help: 'withdraw the stated impact: the components give it again' },
    },
    run: async (api, a) => {
      if (a.str('impact') !== undefined && a.on('clear-impact')) throw new UsageError('give --impact or --clear-impact, not both');
      const body = incidentBody(a, { status: 'status', body: 'body', name: 'name', impact_override: 'impact' });
      // null is the admin API's "no stated impact".
      if (a.on('clear-impact')) body.impact_override = null;
      if (Object.keys(body).length === 0) throw new UsageError('nothing to update: give --status, --body, --name, --component, --impact and/or --clear-impact');
      return one(await api.request('POST', `/status/incidents/${a.path('id')}`, body));
    },
  },
  closeVerb('incidents', 'resolve', 'mark an incident resolved', '/status/incidents', 'resolved', 'This incident has been resolved.', 'the closing update (default: "This incident has been resolved.")'),
  {
    resource: 'incidents',
    verb: 'postmortem',
    summary: 'publish a postmortem',
    args: ['id'],
    flags: { body: valueFlag('TEXT', 'the postmortem', true) },
    run: async (api, a) => one(await api.request('POST', `/status/incidents/${a.path('id')}/postmortem`, { body: a.str('body') })),
  },
  { resource: 'maintenance', verb: 'list', summary: 'list scheduled maintenances', args: [], flags: {}, run: async (api) => {
    const r = await api.request('GET', '/status/incidents?kind=maintenance');
    return { json: r, human: table(['ID', 'NAME', 'STATUS', 'FROM', 'UNTIL', 'COMPONENTS'], r.data.map((m: Obj) => [m.id, m.name, m.status, m.scheduled_for, m.scheduled_until, m.components.map((c: Obj) => c.name).join(',') || '-'])) };
  } },
  {
    resource: 'maintenance',
    verb: 'schedule',
    summary: 'schedule a maintenance window (its components show under_maintenance during it)',
    args: [],
    flags: {
      name: valueFlag('TEXT', 'the title', true),
      from: valueFlag('TIME', 'start: ISO 8601 or Unix seconds', true),
      until: valueFlag('TIME', 'end: ISO 8601 or Unix seconds', true),
      components: valueFlag('NAME,...', 'the components under maintenance (none: the whole service)'),
      body: valueFlag('TEXT', 'what will happen'),
    },
    run: async (api, a) => {
      const t = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
      const body: Obj = { name: a.str('name'), scheduled_for: t(a.str('from')!), scheduled_until: t(a.str('until')!), components: a.list('components') ?? [] };
      if (a.str('body')) body.body = a.str('body');
      return one(await api.request('POST', '/status/maintenances', body));
    },
  },
  closeVerb('maintenance', 'complete', 'end a maintenance now', '/status/maintenances', 'completed', 'The scheduled maintenance has been completed.', 'the closing update'),
];

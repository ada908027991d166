/**
 * The operator's side of the status page (admin key required), answering with Statuspage's
 * incident objects:
 *
 * ```
 * GET  /admin/v1/status/components
 * GET  /admin/v1/status/incidents?kind=incident|maintenance
 * POST /admin/v1/status/incidents                  {name, body, status?, components?: {<id|name>: <status>}, impact_override?}
 * GET  /admin/v1/status/incidents/{id}
 * POST /admin/v1/status/incidents/{id}             {name?, status?, body?, components?, impact_override?}   (posts an update)
 * POST /admin/v1/status/incidents/{id}/postmortem  {body}
 * POST /admin/v1/status/maintenances               {name, scheduled_for, scheduled_until, components?: [<id|name>], body?}
 * POST /admin/v1/status/maintenances/{id}          {name?, status?, body?, scheduled_for?, scheduled_until?}
 * ```
 * Times are ISO 8601 strings or Unix seconds. A maintenance naming no component (as Statuspage
 * allows) is about the whole service: while it is in progress the page says Service Under
 * Maintenance (page.ts), with no component under maintenance.
 * @module
 */
import { Fields, badValue, typeError } from '../admin/input.js';
import type { Config } from '../config/types.js';
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { ComponentDef } from './components.js';
import type { IncidentPatch, IncidentRecord } from './incidents.js';
import type { StatusMonitor } from './monitor.js';
import { detectorText } from './detector-texts.js';
import { componentJson, incidentJson } from './page.js';
import { COMPONENT_STATUSES, INCIDENT_STATUSES, INDICATORS, MAINTENANCE_STATUSES, type ComponentStatus, type Impact } from './vocabulary.js';

export interface StatusAdminDeps {
  monitor: StatusMonitor;
  config: Pick<Config, 'server'>;
  requireAdmin(ctx: RequestContext): void | Promise<void>;
}

const NAME_MAX = 200;
const BODY_MAX = 20_000;

export function registerStatusAdminRoutes(router: Router, deps: StatusAdminDeps): void {
  const { monitor } = deps;
  const maxBody = deps.config.server.max_body_bytes;
  const base = '/admin/v1/status';
  const route = (method: string, path: string, h: (ctx: RequestContext) => Promise<unknown>) =>
    router.on(method, base + path, async (ctx) => {
      try {
        await deps.requireAdmin(ctx);
        sendJson(ctx, 200, await h(ctx));
      } catch (e) {
        if (e instanceof ApiError) return sendError(ctx, e, deps.config.server.public_url);
        throw e;
      }
    });
  const render = async (i: IncidentRecord) => incidentJson(await monitor.snapshot(), i);
  const found = (i: IncidentRecord | null, id: string, kind: IncidentRecord['kind']): IncidentRecord => {
    if (!i || i.kind !== kind) throw new ApiError('resource_not_found', { resource: kind === 'maintenance' ? 'scheduled maintenance' : 'incident', id }, { param: 'id' });
    return i;
  };

  route('GET', '/components', async () => {
    const s = await monitor.snapshot();
    return { object: 'list', data: s.components.map((c) => ({ ...componentJson(s, c), automatic_status: c.automatic, reason: c.reason })) };
  });

  route('GET', '/incidents', async (ctx) => {
    const kind = new URLSearchParams(ctx.rawQuery).get('kind') === 'maintenance' ? 'maintenance' : 'incident';
    const s = await monitor.snapshot();
    return { object: 'list', data: (kind === 'maintenance' ? s.maintenances : s.incidents).map((i) => incidentJson(s, i)) };
  });

  route('POST', '/incidents', async (ctx) => {
    const o = await Fields.fromBody(ctx, maxBody, ['name', 'body', 'status', 'components', 'impact_override']);
    const status = o.oneOf('status', INCIDENT_STATUSES) ?? 'investigating';
    const components = componentStatuses(monitor.defs, o.get('components'));
    const i = await monitor.createIncident({
      kind: 'incident',
      name: o.string('name', { required: true, max: NAME_MAX }),
      status,
      body: o.string('body', { required: true, max: BODY_MAX }),
      components,
      affected: affectedOf(monitor.defs, components),
      impact_override: impactOverride(o) ?? null,
    });
    return render(i);
  });

  route('GET', '/incidents/:id', async (ctx) => render(found(await monitor.incidents.get(ctx.params.id!), ctx.params.id!, 'incident')));

  route('POST', '/incidents/:id', async (ctx) => {
    const id = ctx.params.id!;
    const cur = found(await monitor.incidents.get(id), id, 'incident');
    const o = await Fields.fromBody(ctx, maxBody, ['name', 'body', 'status', 'components', 'impact_override']);
    const p = namedPatch(o, INCIDENT_STATUSES.filter((s) => s !== 'postmortem'));
    if (o.has('components')) {
      p.components = componentStatuses(monitor.defs, o.get('components'));
      p.affected = affectedOf(monitor.defs, p.components, cur.components);
    }
    if (o.has('impact_override')) p.impact_override = impactOverride(o);
    return render((await monitor.updateIncident(id, p))!);
  });

  route('POST', '/incidents/:id/postmortem', async (ctx) => {
    const id = ctx.params.id!;
    found(await monitor.incidents.get(id), id, 'incident');
    const o = await Fields.fromBody(ctx, maxBody, ['body']);
    return render((await monitor.postmortem(id, o.string('body', { required: true, max: BODY_MAX })))!);
  });

  route('POST', '/maintenances', async (ctx) => {
    const o = await Fields.fromBody(ctx, maxBody, ['name', 'body', 'scheduled_for', 'scheduled_until', 'components']);
    const from = time(o, 'scheduled_for', true)!;
    const until = time(o, 'scheduled_until', true)!;
    if (until <= from) throw new ApiError('invalid_value', { param: 'scheduled_until', value: String(o.get('scheduled_until')), supported: 'a time after scheduled_for' }, { param: 'scheduled_until' });
    const ids = componentList(monitor.defs, o.get('components'));
    const components = Object.fromEntries(ids.map((id) => [id, 'under_maintenance' as ComponentStatus]));
    // The scheduled update lists the components the maintenance affects, their status as the page
    // shows it now (unchanged until the window starts; its in_progress update records the change).
    const shown = new Map((await monitor.snapshot()).components.map((c) => [c.def.id, c.status]));
    const affected = ids.map((id) => ({ code: id, name: monitor.defs.find((d) => d.id === id)!.name, old_status: shown.get(id) ?? 'operational', new_status: shown.get(id) ?? 'operational' }));
    const i = await monitor.createIncident({
      kind: 'maintenance',
      name: o.string('name', { required: true, max: NAME_MAX }),
      status: 'scheduled',
      body: o.string('body', { max: BODY_MAX }) ?? detectorText('maintenanceScheduled'),
      components,
      affected: affected.length > 0 ? affected : null,
      scheduled_for: from,
      scheduled_until: until,
    });
    return render(i);
  });

  route('POST', '/maintenances/:id', async (ctx) => {
    const id = ctx.params.id!;
    found(await monitor.incidents.get(id), id, 'maintenance');
    const o = await Fields.fromBody(ctx, maxBody, ['name', 'body', 'status', 'scheduled_for', 'scheduled_until']);
    const p = namedPatch(o, MAINTENANCE_STATUSES);
    const from = time(o, 'scheduled_for', false);
    if (from !== undefined) p.scheduled_for = from;
    const until = time(o, 'scheduled_until', false);
    if (until !== undefined) p.scheduled_until = until;
    return render((await monitor.updateIncident(id, p))!);
  });
}

/** What an update of an incident and of a maintenance both may change: its name, text and status (one of `statuses`). */
function namedPatch(o: Fields, statuses: readonly string[]): IncidentPatch {
  const p: IncidentPatch = {};
  const name = o.string('name', { max: NAME_MAX });
  if (name !== undefined) p.name = name;
  const body = o.string('body', { max: BODY_MAX });
  if (body !== undefined) p.body = body;
  const status = o.oneOf('status', statuses);
  if (status !== undefined) p.status = status;
  return p;
}

/** `impact_override`: an impact, or null to compute it from the components. */
const impactOverride = (o: Fields): Impact | null | undefined => (o.get('impact_override') === null ? null : (o.oneOf('impact_override', INDICATORS) as Impact | undefined));

/** A time field: an ISO 8601 string or Unix seconds, as milliseconds. */
function time(o: Fields, name: string, required: boolean): number | undefined {
  const v = o.get(name);
  if (v === undefined || v === null) {
    if (required) throw new ApiError('missing_required_parameter', { param: name }, { param: name });
    return undefined;
  }
  const expected = 'an ISO 8601 time or Unix seconds';
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  if (typeof v !== 'string') throw typeError(name, expected, v);
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw badValue(name, v, expected);
  return ms;
}

function resolveComponent(defs: readonly ComponentDef[], ref: string, param: string): ComponentDef {
  const d = defs.find((x) => x.id === ref || x.name === ref || x.key === ref);
  if (!d || d.children) throw new ApiError('invalid_value', { param, value: ref, supported: defs.filter((x) => !x.children).map((x) => `'${x.name}'`).join(', ') }, { param });
  return d;
}

function componentStatuses(defs: readonly ComponentDef[], v: unknown): Record<string, ComponentStatus> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError('components', 'an object', v);
  const out: Record<string, ComponentStatus> = {};
  for (const [ref, s] of Object.entries(v as Record<string, unknown>)) {
    const d = resolveComponent(defs, ref, 'components');
    if (typeof s !== 'string' || !(COMPONENT_STATUSES as readonly string[]).includes(s)) {
      throw new ApiError('invalid_value', { param: `components.${ref}`, value: String(s), supported: COMPONENT_STATUSES.map((a) => `'${a}'`).join(', ') }, { param: `components.${ref}` });
    }
    out[d.id] = s as ComponentStatus;
  }
  return out;
}

/** A maintenance's components: a list of ids or names, possibly empty or absent (none). */
function componentList(defs: readonly ComponentDef[], v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw typeError('components', 'an array', v);
  return v.map((ref) => resolveComponent(defs, String(ref), 'components').id);
}

function affectedOf(defs: readonly ComponentDef[], next: Record<string, ComponentStatus>, prev: Record<string, ComponentStatus> = {}) {
  const list = Object.entries(next).map(([id, s]) => ({ code: id, name: defs.find((d) => d.id === id)?.name ?? id, old_status: prev[id] ?? ('operational' as ComponentStatus), new_status: s }));
  return list.length > 0 ? list : null;
}

/**
 * IP allowlists through the Administration API: the CIDR blocks (IPv4 and IPv6) an organization,
 * one of its projects, or one project API key accepts requests from. OpenAI's Administration API
 * has no endpoint for them (only the audit events `ip_allowlist.updated` / `.deleted`, whose
 * `allowed_ips` field these use), so the paths are Tollgate's, in OpenAI's singleton style
 * (like `spend_limit`):
 *
 * ```
 * GET|POST|DELETE /ip_allowlist                                         {allowed_ips: ["203.0.113.0/24", "2001:db8::/32"]}
 * GET|POST|DELETE /projects/{project_id}/ip_allowlist                   (the same, one project)
 * GET|POST|DELETE /projects/{project_id}/api_keys/{key_id}/ip_allowlist (the same, one key)
 * ```
 * POST replaces the list; `[]` or DELETE allows every address again. A request must come from an
 * address every non-empty list of its key allows (else 401 `ip_not_authorized`). A change is
 * refused at the next request on every instance (the revocation event) and is in the audit log.
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { Fields, badValue } from '../admin/input.js';
import { parseCidr } from '../identity/ip-allowlist.js';
import type { RequestContext } from '../http/context.js';
import type { Invalidation } from '../identity/invalidation.js';
import type { OrgCaller, OrgDeps, OrgHandler } from './deps.js';
import { pathProject, projectKey } from './projects.js';

const FIELD = 'allowed_ips';
const MAX_ENTRIES = 1000;

/** One list: what it is shown as, where it is stored, and what to announce when it changes. */
interface Target {
  object: string;
  /** The organization, project or key id (the audit entry's object). */
  id: string;
  projectId: string | null;
  current: string[];
  save(cidrs: string[]): Promise<unknown>;
  event: Invalidation;
}

type Locate = (ctx: RequestContext, caller: OrgCaller, deps: OrgDeps) => Promise<Target>;

const target = (object: string, id: string, projectId: string | null, current: string[], save: Target['save'], event: Invalidation): Target => ({ object, id, projectId, current, save, event });

const orgList: Locate = async (_ctx, caller, deps) => {
  const id = caller.org.id;
  return target('organization.ip_allowlist', id, null, await deps.store.organizations.ipAllowlist(id), (c) => deps.store.organizations.setIpAllowlist(id, c), { kind: 'org', orgId: id });
};

const projectList: Locate = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  return target('project.ip_allowlist', p.id, p.id, p.ipAllowlist, (c) => deps.store.projects.setIpAllowlist(caller.org.id, p.id, c), { kind: 'org', orgId: caller.org.id });
};

const keyList: Locate = async (ctx, caller, deps) => {
  const p = await pathProject(deps, caller, ctx);
  const k = await projectKey(deps, p, ctx.params.key_id!);
  return target('organization.project.api_key.ip_allowlist', k.id, p.id, k.ipAllowlist, (c) => deps.store.apiKeys.setIpAllowlist(k.id, c), { kind: 'key', keyId: k.id });
};

const shown = (t: Target, allowed: string[]) => ({ object: t.object, id: t.id, allowed_ips: allowed });

/** `allowed_ips`: CIDR blocks or single addresses (stored as /32 or /128), each checked; 400 naming `allowed_ips[i]`. */
async function allowedIps(ctx: RequestContext, deps: OrgDeps): Promise<string[]> {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, [FIELD]);
  const raw = f.stringArray(FIELD, { max: MAX_ENTRIES });
  if (raw === undefined || raw === null) throw new ApiError('missing_required_parameter', { param: FIELD }, { param: FIELD });
  const blocks = raw.map((text, i) => {
    const c = parseCidr(text);
    if (!c) throw badValue(`${FIELD}[${i}]`, text, 'an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32');
    return `${c.address}/${c.prefix}`;
  });
  return [...new Set(blocks)];
}

/** Stored, announced (the next request on every instance sees it), then recorded. */
async function change(deps: OrgDeps, caller: OrgCaller, t: Target, next: string[]): Promise<void> {
  await t.save(next);
  await deps.identity.invalidate(t.event);
  const deleted = next.length === 0;
  await deps.audit.record(caller.actor, caller.org.id, {
    type: deleted ? 'ip_allowlist.deleted' : 'ip_allowlist.updated',
    objectId: t.id,
    projectId: t.projectId,
    details: { id: t.id, allowed_ips: deleted ? t.current : next },
  });
}

function handlers(locate: Locate): { get: OrgHandler; set: OrgHandler; remove: OrgHandler } {
  return {
    get: async (ctx, caller, deps) => {
      const t = await locate(ctx, caller, deps);
      return { body: shown(t, t.current) };
    },
    set: async (ctx, caller, deps) => {
      const t = await locate(ctx, caller, deps);
      const next = await allowedIps(ctx, deps);
      await change(deps, caller, t, next);
      return { body: shown(t, next) };
    },
    remove: async (ctx, caller, deps) => {
      const t = await locate(ctx, caller, deps);
      // Removing a list that is not there changes nothing: the same answer, no audit entry.
      if (t.current.length > 0) await change(deps, caller, t, []);
      return { body: { object: `${t.object}.deleted`, id: t.id, deleted: true } };
    },
  };
}

export const orgIpAllowlist = handlers(orgList);
export const projectIpAllowlist = handlers(projectList);
export const keyIpAllowlist = handlers(keyList);

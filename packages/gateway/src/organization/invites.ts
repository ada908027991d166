/**
 * `/v1/organization/invites`: invite an e-mail address with an organization role and projects,
 * list, retrieve, delete (a pending invite only). An invite carries a token, shown once in the
 * create response (`token`, Tollgate's addition: the inviter or the console passes it on as the
 * link `<public_url>/invite#token=…`), and expires after seven days. With SMTP configured the
 * invitee is also e-mailed that link; the create response says whether it went out
 * (`email_sent`: true, false, or null without SMTP), and the invite stands either way. The create
 * response also carries that link (`invite_url`), so a client without a browser (the CLI) can
 * hand on what the console would.
 * `POST /v1/invites/accept {token, name?}` (the console's endpoint; the token is the credential)
 * makes the invitee a member, once. Owners invite; a reader, with their console session, may
 * invite a reader (as OpenAI's Reader may) and change nothing else here.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { Fields, badValue, typeError, unknownParameter } from '../admin/input.js';
import { EMAIL } from '../admin/users.js';
import { ApiError } from '../errors/api-error.js';
import type { RequestContext } from '../http/context.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import { inviteEmail } from '../mail/messages.js';
import { ConflictError, type InviteProject, type InviteRecord } from '../store/index.js';
import { adminScope } from './auth.js';
import type { OrgCaller, OrgDeps, OrgHandler } from './deps.js';
import { found, listBody, listQuery, notFound } from './list.js';
import { deletedObject, seconds } from './objects.js';
import { ORG_ROLES } from './users.js';
import { activeProject } from './project-archived.js';

/** How long an invite can be accepted. */
export const INVITE_TTL_MS = 7 * 86_400_000;
const PROJECT_ROLES = ['member', 'owner'] as const;
const TOKEN = /^inv_[A-Za-z0-9_-]{43}$/;

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The console page that accepts an invite, under the public URL (so under its sub-path too).
 * The token rides in the fragment, which browsers never send: it stays out of access logs.
 */
export const inviteLink = (publicUrl: string, token: string): string => `${publicUrl}/invite#token=${encodeURIComponent(token)}`;

export function inviteStatus(i: InviteRecord, now: number): 'accepted' | 'expired' | 'pending' {
  if (i.acceptedAt !== null) return 'accepted';
  return now >= i.expiresAt ? 'expired' : 'pending';
}

/** `organization.invite`; `invited_at` repeats `created_at`, as some of OpenAI's examples name it. */
export function inviteObject(i: InviteRecord, now: number) {
  return {
    object: 'organization.invite',
    id: i.id,
    email: i.email,
    role: i.role,
    status: inviteStatus(i, now),
    created_at: seconds(i.createdAt),
    invited_at: seconds(i.createdAt),
    expires_at: seconds(i.expiresAt),
    accepted_at: seconds(i.acceptedAt),
    projects: i.projects ?? [],
  };
}

/** `projects`: null when absent (the caller then names the Default project); each entry `{id, role: member|owner}`, of this organization. */
async function readProjects(f: Fields, deps: OrgDeps, orgId: string): Promise<InviteProject[] | null> {
  const raw = f.raw('projects');
  if (raw === undefined) return null;
  if (!Array.isArray(raw)) throw typeError('projects', 'an array', raw);
  const out: InviteProject[] = [];
  for (const [i, p] of raw.entries()) {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw typeError(`projects[${i}]`, 'an object', p);
    const { id, role, ...rest } = p as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length) throw unknownParameter(`projects[${i}].${extra[0]}`);
    if (typeof id !== 'string' || id === '') throw typeError(`projects[${i}].id`, 'a string', id);
    if (typeof role !== 'string' || !(PROJECT_ROLES as readonly string[]).includes(role)) throw badValue(`projects[${i}].role`, role, "'member', 'owner'");
    const project = await deps.store.projects.get(orgId, id);
    if (!project) throw notFound('project', id, `projects[${i}].id`);
    activeProject(project, `projects[${i}].id`);
    out.push({ id, role: role as InviteProject['role'] });
  }
  return out;
}

/** The 403 a reader's change gets (role_not_permitted), as before readers could invite. */
const readerRefused = () => new ApiError('role_not_permitted', { scopes: adminScope('POST', '/v1/organization/invites') });

/**
 * The projects a reader may invite into (OpenAI's Reader "can invite other readers"): the
 * Default project and the projects the inviting reader is a member of, as a project member.
 */
async function checkReaderProjects(deps: OrgDeps, caller: OrgCaller, projects: InviteProject[] | null): Promise<void> {
  for (const p of projects ?? []) {
    if (p.role !== 'member') throw readerRefused();
    const project = await deps.store.projects.get(caller.org.id, p.id);
    if (!project?.isDefault && !(caller.ownerUserId && (await deps.store.projectMembers.get(p.id, caller.ownerUserId)))) throw readerRefused();
  }
}

/**
 * POST /v1/organization/invites {email, role, projects?}: an owner invites anyone; a reader (a
 * reader's console session) invites a reader only, into projects of their own (checkReaderProjects).
 */
export const createInvite: OrgHandler = async (ctx, caller, deps) => {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['email', 'role', 'projects']);
  const email = f.string('email', { required: true, max: 320 }).toLowerCase();
  if (!EMAIL.test(email)) throw badValue('email', email, 'an email address');
  const role = f.oneOf('role', ORG_ROLES, { required: true })!;
  if (caller.role === 'reader' && role !== 'reader') throw readerRefused();
  // Omitted: the Default project as a member, as OpenAI's ("for compatibility with legacy
  // behavior"), said by the invite; `[]`: no project.
  const projects = (await readProjects(f, deps, caller.org.id)) ?? (await inviteProjects(deps, caller.org.id, null));
  if (caller.role === 'reader') await checkReaderProjects(deps, caller, projects);
  const existing = await deps.store.users.getByEmail(email);
  if (existing && (await deps.store.memberships.get(caller.org.id, existing.id))) {
    throw new ApiError('resource_conflict', { message: `${email} is already a member of the organization.` }, { param: 'email' });
  }
  const token = `inv_${randomBytes(32).toString('base64url')}`;
  const invite = await deps.store.invites.insert({ orgId: caller.org.id, email, role, projects, tokenHash: tokenHash(token), expiresAt: deps.clock.now() + INVITE_TTL_MS });
  await deps.audit.record(caller.actor, caller.org.id, { type: 'invite.sent', objectId: invite.id, details: { id: invite.id, data: { email, role, projects } } });
  deps.log?.info({ org_id: caller.org.id, invite_id: invite.id }, 'invite sent');
  // After the invite is stored: a mail server that is down or refuses costs only the e-mail.
  const link = inviteLink(deps.config.server.public_url, token);
  const emailSent = deps.mailer
    ? await deps.mailer.send(inviteEmail({ to: email, orgName: caller.org.name, role, link, expiresAt: invite.expiresAt }), {
        org_id: caller.org.id,
        invite_id: invite.id,
      })
    : null;
  return { body: { ...inviteObject(invite, deps.clock.now()), token, invite_url: link, email_sent: emailSent } };
};

/**
 * The invites with the projects their acceptance joins: an invite stored without projects (made
 * before invites named the Default project they join) says the Default project.
 */
async function withProjects(deps: OrgDeps, orgId: string, invites: InviteRecord[]): Promise<InviteRecord[]> {
  if (invites.every((i) => i.projects !== null)) return invites;
  const fallback = await inviteProjects(deps, orgId, null);
  return invites.map((i) => (i.projects === null ? { ...i, projects: fallback } : i));
}

/** GET /v1/organization/invites?limit&after */
export const listInvites: OrgHandler = async (ctx, caller, deps) => {
  const { page } = listQuery(ctx);
  const now = deps.clock.now();
  const invites = await deps.store.invites.list(caller.org.id, page);
  return { body: listBody({ ...invites, items: await withProjects(deps, caller.org.id, invites.items) }, page, 'invite', (i) => inviteObject(i, now)) };
};

const existing = (deps: OrgDeps, orgId: string, id: string): Promise<InviteRecord> => found('invite', id, deps.store.invites.get(orgId, id));

/** GET /v1/organization/invites/{invite_id} */
export const getInvite: OrgHandler = async (ctx, caller, deps) => {
  const [invite] = await withProjects(deps, caller.org.id, [await existing(deps, caller.org.id, ctx.params.invite_id!)]);
  return { body: inviteObject(invite!, deps.clock.now()) };
};

/** DELETE /v1/organization/invites/{invite_id}: an accepted invite stays. */
export const deleteInvite: OrgHandler = async (ctx, caller, deps) => {
  const i = await existing(deps, caller.org.id, ctx.params.invite_id!);
  if (i.acceptedAt !== null || !(await deps.store.invites.delete(caller.org.id, i.id))) {
    throw new ApiError('resource_conflict', { message: `Invite ${i.id} has been accepted and cannot be deleted.` });
  }
  await deps.audit.record(caller.actor, caller.org.id, { type: 'invite.deleted', objectId: i.id, details: { id: i.id } });
  return { body: deletedObject('organization.invite.deleted', i.id) };
};

/** The invitee's new user (`name` required); the one created meanwhile by a concurrent accept. */
async function newUser(deps: OrgDeps, email: string, name: string | undefined) {
  if (name === undefined) throw new ApiError('missing_required_parameter', { param: 'name' }, { param: 'name' });
  try {
    return await deps.store.users.create({ email, name });
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    return (await deps.store.users.getByEmail(email))!;
  }
}

/** The invite a token names (any status), or undefined; the token is the invitee's credential. */
export async function inviteByToken(deps: OrgDeps, token: string): Promise<InviteRecord | undefined> {
  return TOKEN.test(token) ? deps.store.invites.findByTokenHash(tokenHash(token)) : undefined;
}

/**
 * Uses an invite: the invitee (a new user needs `name`) becomes a member with the invite's role
 * and joins its projects. Accepted once: a second accept, a deleted or an expired invite is
 * refused. `/v1/invites/accept` and the console's accept both come here.
 */
export async function acceptInviteToken(deps: OrgDeps, token: string, name: string | undefined, clientIp: string) {
  const invite = await inviteByToken(deps, token);
  if (!invite) throw new ApiError('resource_not_found', { resource: 'invite', id: 'for this token' }, { param: 'token' });
  const now = deps.clock.now();
  const status = inviteStatus(invite, now);
  if (status !== 'pending') throw new ApiError('resource_conflict', { message: `Invite ${invite.id} is ${status}.` }, { param: 'token' });
  const user = (await deps.store.users.getByEmail(invite.email)) ?? (await newUser(deps, invite.email, name));
  const actor = { type: 'session' as const, session: { user: { id: user.id, email: user.email }, ip_address: clientIp } };
  const projects = await inviteProjects(deps, invite.orgId, invite.projects);
  // The invite is used, the memberships made and recorded together, or none of it.
  const accepted = await deps.store.db.transaction().execute(async (trx) => {
    if (!(await deps.store.invites.markAccepted(invite.id, user.id, now, trx))) return false;
    // Already a member (added meanwhile): the invite is used all the same.
    await deps.store.memberships.addIfAbsent(invite.orgId, user.id, invite.role, trx);
    // A project archived since the invite was sent is read-only: the invitee joins the others.
    for (const p of projects) await deps.store.projectMembers.addIfActiveAndAbsent(p.id, user.id, p.role, trx);
    await deps.audit.record(actor, invite.orgId, { type: 'invite.accepted', objectId: invite.id, details: { id: invite.id } }, trx);
    await deps.audit.record(actor, invite.orgId, { type: 'user.added', objectId: user.id, details: { id: user.id, data: { role: invite.role } } }, trx);
    return true;
  });
  if (!accepted) throw new ApiError('resource_conflict', { message: `Invite ${invite.id} is no longer pending.` }, { param: 'token' });
  return { invite, user, body: { ...inviteObject({ ...invite, acceptedAt: now, acceptedUserId: user.id }, now), organization_id: invite.orgId, user: { object: 'user', id: user.id, email: user.email, name: user.name } } };
}

/** POST /v1/invites/accept {token, name?} */
async function acceptInvite(ctx: RequestContext, deps: OrgDeps) {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['token', 'name']);
  const token = f.string('token', { required: true, max: 100 });
  const name = f.string('name');
  return (await acceptInviteToken(deps, token, name, ctx.clientIp)).body;
}

/** The projects an accepting user joins: the invite's, or (none named) the Default project as a member. */
async function inviteProjects(deps: OrgDeps, orgId: string, named: InviteProject[] | null): Promise<InviteProject[]> {
  if (named !== null) return named;
  const fallback = await deps.store.projects.defaultOf(orgId);
  return fallback ? [{ id: fallback.id, role: 'member' }] : [];
}

export function registerInviteAccept(router: Router, deps: OrgDeps): void {
  router.on('POST', '/v1/invites/accept', async (ctx) => {
    try {
      sendJson(ctx, 200, await acceptInvite(ctx, deps));
    } catch (e) {
      if (e instanceof ApiError) return sendError(ctx, e, deps.config.server.public_url);
      throw e;
    }
  });
}

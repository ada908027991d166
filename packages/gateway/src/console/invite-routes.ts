/**
 * Invite acceptance in the console; the invite's token (from the link the owner passed on) is
 * the credential, as for `POST /v1/invites/accept`, and the same transaction makes the member:
 *
 * ```
 * GET  /console/api/invites/{token}    → {email, role, organization: {id, name}, expires_at, status, existing_account}
 * POST /console/api/invites/accept     {token, name?, password} → Session + cookie
 * ```
 * A new user sets their password here; a user who already has one proves it instead (an invite
 * never replaces a password).
 * @module
 */
import { Fields } from '../admin/input.js';
import { ApiError } from '../errors/api-error.js';
import { acceptInviteToken, inviteByToken, inviteStatus } from '../organization/invites.js';
import { seconds } from '../organization/objects.js';
import { startSession, type ConsoleHandler } from './deps.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';

const notFound = () => new ApiError('resource_not_found', { resource: 'invite', id: 'for this token' }, { param: 'token' });

const getInvite: ConsoleHandler = async (ctx, deps) => {
  const invite = await inviteByToken(deps.org, ctx.params.token!);
  if (!invite) throw notFound();
  const org = await deps.store.organizations.get(invite.orgId);
  if (!org) throw notFound();
  const user = await deps.store.users.getByEmail(invite.email);
  const account = user ? await deps.accounts.get(user.id) : undefined;
  return {
    body: {
      object: 'console.invite',
      email: invite.email,
      role: invite.role,
      organization: { id: org.id, name: org.name },
      expires_at: seconds(invite.expiresAt),
      status: inviteStatus(invite, deps.clock.now()),
      existing_account: Boolean(account?.passwordHash),
    },
  };
};

const acceptInvite: ConsoleHandler = async (ctx, deps) => {
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['token', 'name', 'password']);
  const token = f.string('token', { required: true, max: 100 });
  const name = f.string('name', { max: 200 });
  const password = f.string('password', { required: true, max: 1024 });
  const invite = await inviteByToken(deps.org, token);
  if (!invite) throw notFound();
  const existing = await deps.store.users.getByEmail(invite.email);
  const account = existing ? await deps.accounts.get(existing.id) : undefined;
  let newHash: string | undefined;
  if (account?.passwordHash) {
    const hash = account.passwordHash;
    if (!(await deps.limiter.guarded(invite.email, ctx.clientIp, () => verifyPassword(hash, password)))) throw new ApiError('invalid_credentials', {}, { param: 'password' });
  } else {
    checkPasswordPolicy(password);
    newHash = await hashPassword(password);
  }
  const { invite: used, user } = await acceptInviteToken(deps.org, token, name, ctx.clientIp);
  if (newHash !== undefined) await deps.accounts.update(user.id, { password_hash: newHash });
  deps.log?.info({ user_id: user.id, org_id: used.orgId }, 'console: invite accepted');
  return startSession(ctx, deps, user.id, used.orgId);
};

/** The handlers, by route (mounted in index.ts). */
export const inviteHandlers = { getInvite, acceptInvite };

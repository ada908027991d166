/**
 * Two-factor sign-in for console accounts, and the owner's setting that requires it:
 *
 * ```
 * POST   /console/api/totp/setup              → {secret, otpauth_url}  (pending until enabled)
 * POST   /console/api/totp/enable             {code} → {recovery_codes: [10 codes, shown once]}
 * DELETE /console/api/totp                    {code} → 204 (a current code or a recovery code)
 * GET    /console/api/organization/settings   → {require_totp}
 * POST   /console/api/organization/settings   {require_totp: bool} (owners) → {require_totp}
 * ```
 * @module
 */
import { Fields } from '../admin/input.js';
import { ApiError } from '../errors/api-error.js';
import type { Account } from './accounts.js';
import type { ConsoleDeps, ConsoleHandler } from './deps.js';
import { openSecret, sealKey, sealSecret } from './seal.js';
import { newRecoveryCodes, newTotpSecret, otpauthUrl, recoveryCodeHash, totpCodeStep } from './totp.js';

/** The key TOTP secrets are sealed with. */
const totpKey = (deps: ConsoleDeps) => sealKey(deps.identity, 'totp seal key');

async function secretOf(deps: ConsoleDeps, a: Account): Promise<string | undefined> {
  return a.totpSecret ? openSecret(await totpKey(deps), a.totpSecret) : undefined;
}

/**
 * A TOTP code, accepted once: its time step is taken in one conditional update, so a code used
 * already (by this sign-in's twin racing it, or replayed within its validity) is refused like a
 * wrong one, and so is an older code once a newer one was used.
 */
async function useTotpCode(deps: ConsoleDeps, userId: string, secret: string, code: string): Promise<boolean> {
  const step = totpCodeStep(secret, code, deps.clock.now());
  return step !== null && (await deps.accounts.useTotpStep(userId, step));
}

/**
 * Checks a second factor: a TOTP code not used before or an unused recovery code (then used up).
 * Throws `totp_required` without a code, `invalid_totp_code` for a wrong or used one.
 */
export async function checkSecondFactor(deps: ConsoleDeps, a: Account, code: string | undefined): Promise<void> {
  if (code === undefined || code.trim() === '') throw new ApiError('totp_required');
  const c = code.trim();
  const secret = await secretOf(deps, a);
  if (secret && (await useTotpCode(deps, a.userId, secret, c))) return;
  if (!/^\d{6}$/.test(c) && (await deps.accounts.useRecoveryCode(a.userId, recoveryCodeHash(c)))) return;
  throw new ApiError('invalid_totp_code');
}

const setup: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.require(ctx);
  if (s.account?.totpEnabled) throw new ApiError('resource_conflict', { message: 'Two-factor sign-in is already on; turn it off first to set up another app.' });
  const secret = newTotpSecret();
  await deps.accounts.update(s.user.id, { totp_secret: sealSecret(await totpKey(deps), secret), totp_enabled_at: null, recovery_codes: null });
  return { body: { secret, otpauth_url: otpauthUrl(secret, s.user.email) } };
};

const enable: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.require(ctx);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['code']);
  const code = f.string('code', { required: true, max: 16 }).trim();
  if (s.account?.totpEnabled) throw new ApiError('resource_conflict', { message: 'Two-factor sign-in is already on.' });
  const secret = s.account ? await secretOf(deps, s.account) : undefined;
  if (!secret) throw new ApiError('resource_conflict', { message: 'Start with POST /console/api/totp/setup.' });
  if (!(await useTotpCode(deps, s.user.id, secret, code))) throw new ApiError('invalid_totp_code', {}, { param: 'code' });
  const { codes, hashes } = newRecoveryCodes();
  await deps.accounts.update(s.user.id, { totp_enabled_at: deps.clock.now(), recovery_codes: JSON.stringify(hashes) });
  deps.log?.info({ user_id: s.user.id }, 'console: two-factor sign-in enabled');
  return { body: { recovery_codes: codes } };
};

const disable: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.require(ctx);
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['code']);
  const code = f.string('code', { required: true, max: 64 });
  if (!s.account?.totpEnabled) throw new ApiError('resource_conflict', { message: 'Two-factor sign-in is not on.' });
  await checkSecondFactor(deps, s.account, code);
  await deps.accounts.update(s.user.id, { totp_secret: null, totp_enabled_at: null, recovery_codes: null });
  deps.log?.info({ user_id: s.user.id }, 'console: two-factor sign-in disabled');
  return { status: 204 };
};

const getSettings: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.require(ctx);
  if (!s.org) throw new ApiError('no_organization');
  return { body: { object: 'console.organization_settings', organization_id: s.org.id, require_totp: await deps.accounts.requiresTotp(s.org.id) } };
};

/** Owners only; recorded in the audit log with the session's user as the actor. */
const setSettings: ConsoleHandler = async (ctx, deps) => {
  const s = await deps.auth.require(ctx);
  if (!s.org) throw new ApiError('no_organization');
  if (s.role !== 'owner') throw new ApiError('role_not_permitted', { scopes: 'api.management.write' });
  const f = await Fields.fromBody(ctx, deps.config.server.max_body_bytes, ['require_totp']);
  const required = f.boolean('require_totp');
  if (required === undefined) throw new ApiError('missing_required_parameter', { param: 'require_totp' }, { param: 'require_totp' });
  await deps.accounts.setRequireTotp(s.org.id, required);
  const actor = { type: 'session' as const, session: { user: { id: s.user.id, email: s.user.email }, ip_address: ctx.clientIp } };
  await deps.org.audit.record(actor, s.org.id, { type: 'organization.updated', objectId: s.org.id, details: { id: s.org.id, changes_requested: { require_totp: required } } });
  return { body: { object: 'console.organization_settings', organization_id: s.org.id, require_totp: required } };
};

/** The handlers, by route (mounted in index.ts). */
export const totpHandlers = { setup, enable, disable, getSettings, setSettings };

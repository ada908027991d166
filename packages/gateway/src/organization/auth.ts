import { HEADER, maskKey } from '@tollgate/protocol';
import { ApiError } from '../errors/api-error.js';
import { header, type RequestContext } from '../http/context.js';
import { credentialFrom } from '../identity/bearer.js';
import type { RepeatingFailureLog } from '../repeating-failure-log.js';
import { KeyHasher } from '../identity/key-hasher.js';
import { ADMIN_KEY_PREFIX, isWellFormedAdminKey } from './admin-key-format.js';
import type { OrgCaller, OrgDeps } from './deps.js';

/** Longest submitted token echoed (masked) in an error message. */
const MAX_ECHO = 200;

/**
 * The scope OpenAI names when a key that is not an admin key calls the Administration API:
 * `api.usage.read` for usage and costs, `api.management.read|write` for the rest.
 */
export function adminScope(method: string, path: string): string {
  if (path.startsWith('/v1/organization/usage') || path.startsWith('/v1/organization/costs')) return 'api.usage.read';
  return method === 'GET' || method === 'HEAD' ? 'api.management.read' : 'api.management.write';
}

const invalidKey = (token: string) => new ApiError('invalid_api_key', { key: maskKey(token.length > MAX_ECHO ? token.slice(0, MAX_ECHO) : token) });

/**
 * Authenticates a `/v1/organization/*` request: an organization admin key (`sk-admin-…`) is
 * looked up by its HMAC on every request (no cache: a deleted key or organization is refused at
 * once, on every instance). Any other well-formed key is authenticated as an API key, with its
 * own errors, and then refused as lacking the management scope, as OpenAI refuses it. Only a
 * well-formed admin key that matches none counts against the client address, like an API key
 * that matches none; no key, a malformed one and an admin key that was issued but has expired or
 * lost its organization are answered as themselves (identity/failed-auth-limiter.ts says why).
 *
 * An admin key acts for its owner as the owner stands now, read with the key on every request:
 * an owner's key works; a reader's is refused 401 `insufficient_permissions` (OpenAI's
 * "insufficient permissions" wording) and works again once they are an owner again; a removed
 * member's keys were deleted with the membership (users.ts). A key the operator made with no
 * owner acts for the organization.
 */
export async function authenticateAdminKey(ctx: RequestContext, deps: OrgDeps, touches: Pick<RepeatingFailureLog, 'failed' | 'ok'>): Promise<OrgCaller> {
  const ip = ctx.clientIp;
  const failures = deps.identity.failures;
  const token = credentialFrom(header(ctx, 'authorization'));
  if (token === undefined) throw new ApiError('missing_api_key');
  if (!token.startsWith(ADMIN_KEY_PREFIX)) {
    await deps.identity.authenticate(ctx);
    throw new ApiError('admin_key_required', { scopes: adminScope(ctx.method, ctx.path) });
  }
  if (!isWellFormedAdminKey(token)) throw invalidKey(token);
  const hash = await deps.identity.hashKey(token);
  const key = await deps.store.adminApiKeys.findForAuth(hash);
  if (!key || !KeyHasher.same(key.keyHash, hash)) throw await failures.failure(ip, invalidKey(token));
  const now = deps.clock.now();
  if (key.expiresAt !== null && key.expiresAt <= now) throw invalidKey(token);
  const org = await deps.store.organizations.get(key.orgId);
  if (!org) throw invalidKey(token);
  // The key acts with its owner's standing now: a key whose owner left (its deletion went with
  // the membership; this covers a key that outlived one) is refused like a deleted key, and one
  // whose owner is no longer an owner is refused for the role until they are one again.
  if (key.ownerUserId !== null) {
    if (!key.owner || key.owner.role === null) throw invalidKey(token);
    if (key.owner.role !== 'owner') throw new ApiError('insufficient_permissions', { scopes: adminScope(ctx.method, ctx.path) });
  }

  const orgHeader = header(ctx, HEADER.organization)?.trim();
  if (orgHeader && orgHeader !== org.id) throw new ApiError('mismatched_organization');
  ctx.headers[HEADER.organization] = org.id;

  // Last use is informational: a failed write never fails the request. Its failures are logged
  // by state changes (`touches`, one per router), not once per request.
  deps.store.adminApiKeys.touch(key.id, now).then(
    () => touches.ok(),
    (e: unknown) => touches.failed(e),
  );
  return {
    org,
    keyId: key.id,
    ownerUserId: key.ownerUserId,
    actor: { type: 'api_key', api_key: { id: key.id, type: 'user', user: key.owner ? { id: key.owner.id, email: key.owner.email } : null } },
    role: 'owner',
  };
}

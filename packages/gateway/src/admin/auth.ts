import { createHash, timingSafeEqual } from 'node:crypto';
import { maskKey } from '@tollgate/protocol';
import { ApiError } from '../errors/api-error.js';
import { header, type RequestContext } from '../http/context.js';
import { credentialFrom } from '../identity/bearer.js';
import type { FailedAuthLimiter } from '../identity/index.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * Admits a request carrying `Authorization: Bearer <admin key>`. The comparison is constant-time
 * (both sides hashed to equal length first); an `sk-` API key never opens the admin API, even if
 * the operator chose an admin key that looks like one; with no admin key configured every
 * attempt fails. The key is checked first, so the right key is admitted whatever else came from
 * its address. A wrong admin key counts against the address like a failed API-key authentication
 * (401, then 429 once the address has none left); no key at all (a console session that is not an
 * operator's lands here too) and an `sk-` key are refused by what they are, never counted: neither
 * can be a guess of the admin key (identity/failed-auth-limiter.ts).
 */
export async function requireAdminKey(ctx: RequestContext, adminKeyDigest: Buffer | null, failures: FailedAuthLimiter): Promise<void> {
  const ip = ctx.clientIp;
  const token = credentialFrom(header(ctx, 'authorization'));
  if (token === undefined) throw new ApiError('missing_admin_key');
  const key = maskKey(token.length > 200 ? token.slice(0, 200) : token);
  // A key of the platform's own shapes says which it looks like and which this API takes, as a
  // `tga-` key sent to /v1 does (identity/index.ts `operatorKeyRefusal`).
  if (token.startsWith('sk-')) throw new ApiError(token.startsWith('sk-admin-') ? 'org_admin_key_for_operator_api' : 'api_key_for_operator_api', { key });
  const refusal = new ApiError('invalid_admin_key', { key });
  const digest = sha256(token);
  const ok = adminKeyDigest !== null && adminKeyDigest.length === digest.length && timingSafeEqual(digest, adminKeyDigest);
  if (!ok) throw await failures.failure(ip, refusal);
}

/** The digest an admin key is checked against: of the configured key, else the stored one. */
export function adminKeyDigest(configured: string | null, storedHex: string | undefined): Buffer | null {
  if (configured !== null) return sha256(configured);
  return storedHex ? Buffer.from(storedHex, 'hex') : null;
}

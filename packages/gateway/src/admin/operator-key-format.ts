import { randomBytes } from 'node:crypto';

/**
 * The operator's admin key as the gateway generates it on a first start: `tga-` + 43 base64url
 * characters (32 random bytes). It opens only `/admin/v1`. Elsewhere a key of this shape is
 * refused with a hint naming the key to use instead; the hint depends on the shape alone, never
 * on whether the key is the operator's, so it tells an unauthenticated caller nothing.
 */
export const OPERATOR_KEY_PREFIX = 'tga-';
const WELL_FORMED = /^tga-[A-Za-z0-9_-]{43}$/;

export function generateOperatorKey(): string {
  return OPERATOR_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function isWellFormedOperatorKey(s: string): boolean {
  return s.length === OPERATOR_KEY_PREFIX.length + 43 && WELL_FORMED.test(s);
}

/**
 * Sealing for values the console must read back but must not store or send in the clear (TOTP
 * secrets at rest, the SSO sign-in's state in a cookie): AES-256-GCM, so a changed value fails to
 * open. The key is derived from the gateway's server secret (`sealKey`).
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Identity } from '../identity/index.js';

/** A 32-byte key for one purpose: a keyed hash (HMAC) of the server secret and the purpose. */
export async function sealKey(identity: Pick<Identity, 'hashKey'>, purpose: string): Promise<Buffer> {
  return Buffer.from(await identity.hashKey(`tollgate console ${purpose}`), 'base64url');
}

/** `v1.<iv>.<tag>.<ciphertext>` (base64url): the secret sealed with AES-256-GCM. */
export function sealSecret(key: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The sealed secret, or undefined when it does not open with this key (another server secret). */
export function openSecret(key: Buffer, sealed: string): string | undefined {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || body === undefined) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

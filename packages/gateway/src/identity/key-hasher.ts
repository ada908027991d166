import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/index.js';

/** The settings row holding a generated server secret when none is configured. */
export const SERVER_SECRET_SETTING = 'server_secret';

/**
 * Keys are stored as HMAC-SHA256(server secret, key): one fast keyed hash, so that lookups cost
 * microseconds, while a copy of the key table alone (without the secret) does not let anyone
 * test guesses offline. Keys carry 256 random bits, so no slow password hash is needed.
 */
export class KeyHasher {
  constructor(private readonly secret: Buffer) {}

  hash(key: string): string {
    return createHmac('sha256', this.secret).update(key).digest('base64url');
  }

  /** Constant-time comparison of two hashes. */
  static same(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  }
}

/**
 * The configured secret, or the one generated at first start and kept in `settings` (shared by
 * every instance on the same database). Changing it invalidates every issued key.
 */
export async function loadKeyHasher(store: Store, configured: string | null): Promise<KeyHasher> {
  const secret = configured ?? (await store.settings.getOrCreate(SERVER_SECRET_SETTING, () => randomBytes(32).toString('base64url')));
  return new KeyHasher(Buffer.from(secret, 'utf8'));
}

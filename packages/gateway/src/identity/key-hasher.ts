import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Keys are stored as HMAC-SHA256(server secret, key): one fast keyed hash, so that lookups cost
 * microseconds, while a copy of the key table alone (without the secret) does not let anyone
 * test guesses offline. Keys carry 256 random bits, so no slow password hash is needed.
 */
export class KeyHasher {
  /** `previous`: during a rotation, the secret keys may still be hashed with (see server-secret.ts). */
  constructor(
    private readonly secret: Buffer,
    private readonly previous: Buffer | null = null,
  ) {}

  hash(key: string): string {
    return createHmac('sha256', this.secret).update(key).digest('base64url');
  }

  /** The key's hash under the previous secret, or undefined when no rotation is under way. */
  hashPrevious(key: string): string | undefined {
    return this.previous === null ? undefined : createHmac('sha256', this.previous).update(key).digest('base64url');
  }

  /** Constant-time comparison of two hashes. */
  static same(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  }
}


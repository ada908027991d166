import { hash } from 'node:crypto';

/**
 * The stored hash (HMAC-SHA256 with the server secret, see key-hasher.ts) of keys that have
 * authenticated, so that a known key costs one plain SHA-256 and a Map lookup instead of an HMAC
 * (about a fifth of the time: createHmac builds a keyed context on every call).
 *
 * It only saves recomputing a pure function of the key (the secret does not change while the
 * gateway runs), so it cannot keep a revoked key working: revocation acts on the principal cache,
 * which is looked up by the hash as before. Entries are keyed by the key's SHA-256, never the key
 * itself, so the memory holds no usable key. Only successful keys are remembered (a flood of
 * made-up keys cannot push them out), at most `max`, the oldest dropped first.
 */
export class KeyHashMemo {
  private readonly hashes = new Map<string, string>();

  constructor(private readonly max: number) {}

  /** What the memo is keyed by. */
  static digest(key: string): string {
    // Hex: the one output encoding crypto.hash takes without normalizing its name.
    return hash('sha256', key, 'hex');
  }

  get(digest: string): string | undefined {
    return this.hashes.get(digest);
  }

  remember(digest: string, keyHash: string): void {
    if (this.max <= 0 || this.hashes.has(digest)) return;
    if (this.hashes.size >= this.max) this.hashes.delete(this.hashes.keys().next().value!);
    this.hashes.set(digest, keyHash);
  }

  get size(): number {
    return this.hashes.size;
  }
}

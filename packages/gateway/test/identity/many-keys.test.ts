/**
 * 10,000 keys over 1,000 organizations: the per-key caches stay within their bound however many
 * keys are used, and a key evicted from them still authenticates (as its own principal) while a
 * revoked one is refused. Speed is measured by `node bench/run.mjs --targets c-memory,c-keys`,
 * not here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, parseConfig, ApiError, openStore, type Store } from 'tollgate';
import { Identity, generateApiKey } from '../../src/identity/index.js';
import { bearer } from './fake-context.js';

const ORGS = 1_000;
const KEYS = 10_000;
const BOUND = 1_000;

let store: Store;
let identity: Identity;
const keys: { key: string; keyId: string; orgId: string }[] = [];

beforeAll(async () => {
  const clock = new FakeClock();
  store = await openStore('sqlite::memory:', { clock });
  const config = parseConfig({ auth: { failed_attempts_per_minute: 1_000_000, cache_ttl_ms: 60_000 } });
  identity = new Identity({ store, config, clock, options: { maxCachedKeys: BOUND } });
  await identity.ready();
  const owners: { orgId: string; userId: string }[] = [];
  for (let i = 0; i < ORGS; i++) {
    const org = await store.organizations.create({ name: `o${i}`, tier: 'free' });
    const user = await store.users.create({ email: `owner${i}@x.test`, name: 'u' });
    await store.memberships.add(org.id, user.id, 'owner');
    owners.push({ orgId: org.id, userId: user.id });
  }
  for (let i = 0; i < KEYS; i++) {
    const o = owners[i % ORGS]!;
    const { key, redacted } = generateApiKey();
    const rec = await store.apiKeys.insert({
      orgId: o.orgId,
      userId: o.userId,
      name: `k${i}`,
      keyHash: await identity.hashKey(key),
      redacted,
      permissions: 'all',
      scopes: [],
      expiresAt: null,
    });
    keys.push({ key, keyId: rec.id, orgId: o.orgId });
  }
}, 300_000);
afterAll(async () => {
  await identity?.close();
  await store?.close();
});

/** The key id a key authenticates as, or the catalog id of the refusal. */
async function whoIs(key: string): Promise<string> {
  try {
    const p = await identity.authenticate(bearer(key));
    await identity.limitsFor(p, 'gpt-4o-mini');
    return p.keyId;
  } catch (e) {
    if (e instanceof ApiError) return e.entry.id;
    throw e;
  }
}

describe('10,000 keys in 1,000 organizations', () => {
  it('every key authenticates as itself and the key caches hold at most their bound', async () => {
    for (const k of keys) expect(await whoIs(k.key)).toBe(k.keyId);
    const sizes = identity.cacheSizes;
    expect(sizes.keys).toBeGreaterThan(0);
    expect(sizes.keys).toBeLessThanOrEqual(BOUND);
    expect(sizes.keyLimits).toBeGreaterThan(0);
    expect(sizes.keyLimits).toBeLessThanOrEqual(BOUND);
  }, 300_000);

  it('after revoking every tenth key, a second pass refuses exactly those and admits the rest', async () => {
    const revoked = new Set<string>();
    for (let i = 0; i < KEYS; i += 10) {
      await store.apiKeys.revoke(keys[i]!.keyId);
      await identity.invalidate({ kind: 'key', keyId: keys[i]!.keyId });
      revoked.add(keys[i]!.keyId);
    }
    // Most keys were evicted by now (the bound is a tenth of them): they are read again.
    for (const k of keys) expect(await whoIs(k.key)).toBe(revoked.has(k.keyId) ? 'invalid_api_key' : k.keyId);
    const sizes = identity.cacheSizes;
    expect(sizes.keys).toBeLessThanOrEqual(BOUND);
    expect(sizes.keyLimits).toBeLessThanOrEqual(BOUND);
    // Refusals are cached within their own bound (10,000 by default), all 1,000 of them here.
    expect(sizes.failedKeys).toBe(revoked.size);
  }, 300_000);
});

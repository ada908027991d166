/**
 * Authentication does not query the store per request: outcomes are cached, concurrent misses
 * share one load, failures for bad keys are cached, and invalidation beats a load that raced it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock, parseConfig, ApiError, openStore, type Store } from 'tollgate';
import { Identity, generateApiKey } from '../../src/identity/index.js';
import { gate } from './harness.js';
import { bearer } from './fake-context.js';

const TTL = 60_000;
let clock: FakeClock;
let store: Store;
let identity: Identity;

beforeEach(async () => {
  clock = new FakeClock();
  store = await openStore('sqlite::memory:', { clock });
  const config = parseConfig({ auth: { failed_attempts_per_minute: 100_000, cache_ttl_ms: TTL } });
  identity = new Identity({ store, config, clock });
  await identity.ready();
});
afterEach(async () => {
  await identity.close();
  await store.close();
});

async function newKey(opts: { role?: 'owner' | 'reader'; restricted?: string[] } = {}) {
  const org = await store.organizations.create({ name: 'o', tier: 'free' });
  const user = await store.users.create({ email: `${org.id}@x.test`, name: 'u' });
  await store.memberships.add(org.id, user.id, opts.role ?? 'owner');
  const { key, redacted } = generateApiKey();
  const rec = await store.apiKeys.insert({
    orgId: org.id,
    userId: user.id,
    name: 'k',
    keyHash: await identity.hashKey(key),
    redacted,
    permissions: opts.restricted ? 'restricted' : 'all',
    scopes: opts.restricted ?? [],
    expiresAt: null,
  });
  return { key, keyId: rec.id, orgId: org.id, userId: user.id };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof ApiError) return e.entry.id;
    throw e;
  }
}

describe('identity cache', () => {
  it('a warm key costs no query: 1000 authentications, one store read', async () => {
    const { key } = await newKey();
    const spy = vi.spyOn(store.apiKeys, 'findForAuth');
    for (let i = 0; i < 1000; i++) await identity.authenticate(bearer(key));
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('200 concurrent requests with a cold key share one store read', async () => {
    const { key } = await newKey();
    const spy = vi.spyOn(store.apiKeys, 'findForAuth');
    const ps = await Promise.all(Array.from({ length: 200 }, () => identity.authenticate(bearer(key))));
    expect(new Set(ps.map((p) => p.keyId)).size).toBe(1);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('a flood of one unknown key reads the store once; failures are cached', async () => {
    const spy = vi.spyOn(store.apiKeys, 'findForAuth');
    const { key } = generateApiKey();
    const results = await Promise.all(Array.from({ length: 300 }, () => code(identity.authenticate(bearer(key)))));
    expect(results.every((r) => r === 'invalid_api_key')).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('malformed keys never reach the store', async () => {
    const spy = vi.spyOn(store.apiKeys, 'findForAuth');
    for (const k of ['sk-short', 'sk-tg-' + '!'.repeat(43), 'x'.repeat(500)]) expect(await code(identity.authenticate(bearer(k)))).toBe('invalid_api_key');
    expect(spy).not.toHaveBeenCalled();
  });

  it('the TTL is a safety net: after it, the key is read again', async () => {
    const { key } = await newKey();
    const spy = vi.spyOn(store.apiKeys, 'findForAuth');
    await identity.authenticate(bearer(key));
    await clock.advance(TTL - 1);
    await identity.authenticate(bearer(key));
    expect(spy).toHaveBeenCalledTimes(1);
    await clock.advance(1);
    await identity.authenticate(bearer(key));
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('a load that started before a revocation does not put the key back in the cache', async () => {
    const { key, keyId } = await newKey();
    const real = store.apiKeys.findForAuth.bind(store.apiKeys);
    const g = gate();
    let calls = 0;
    vi.spyOn(store.apiKeys, 'findForAuth').mockImplementation(async (hash) => {
      calls++;
      const r = await real(hash); // read while the key is still active...
      if (calls === 1) await g.promise; // ...and held until the revocation is done
      return r;
    });
    const early = identity.authenticate(bearer(key));
    await vi.waitFor(() => expect(calls).toBe(1), { timeout: 15_000 });
    await store.apiKeys.revoke(keyId);
    await identity.invalidate({ kind: 'key', keyId });
    // A request after the revoke must not join the load that started before it.
    const late = code(identity.authenticate(bearer(key)));
    expect(await late).toBe('invalid_api_key');
    g.open();
    // The early request started before the revoke returned: it may finish.
    expect((await early).keyId).toBe(keyId);
    // Its stale result was not cached.
    expect(await code(identity.authenticate(bearer(key)))).toBe('invalid_api_key');
  });

  it('serves a cached key while the store is down, but never an invalidated one', async () => {
    const { key, keyId } = await newKey();
    await identity.authenticate(bearer(key));
    await clock.advance(TTL + 1);
    vi.spyOn(store.apiKeys, 'findForAuth').mockRejectedValue(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect((await identity.authenticate(bearer(key))).keyId).toBe(keyId);
    await identity.invalidate({ kind: 'key', keyId });
    // With nothing cached the answer is a retryable 503, not a 401 and not a bare 500.
    const err = await identity.authenticate(bearer(key)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).entry.id).toBe('store_unavailable');
    expect((err as ApiError).status).toBe(503);
    // No made-up retry hint: the gateway cannot know when the database is back; clients back off.
    expect((err as ApiError).headers['retry-after']).toBeUndefined();
  });

  it('an exception of ours while loading a key is not reported as a database outage', async () => {
    const { key } = await newKey();
    vi.spyOn(store.apiKeys, 'findForAuth').mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'org_id')"));
    const err = await identity.authenticate(bearer(key)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
  });

  it('last_used_at is buffered: no write per request, one write per flush', async () => {
    const { key, keyId } = await newKey();
    const spy = vi.spyOn(store.apiKeys, 'touchLastUsed');
    for (let i = 0; i < 100; i++) {
      await identity.authenticate(bearer(key));
      await clock.advance(10);
    }
    expect(spy).not.toHaveBeenCalled();
    await identity.flushLastUsed();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toEqual([[keyId, clock.now() - 10]]);
    expect((await store.apiKeys.get(keyId))?.lastUsedAt).toBe(clock.now() - 10);
  });

  it('limits are resolved with the key: limitsFor answers synchronously once authenticated', async () => {
    const { key, orgId } = await newKey();
    await store.rateLimits.setOrgOverride(orgId, 'sim-small', { max_requests_per_1_minute: 7 });
    const p = await identity.authenticate(bearer(key));
    const limits = identity.limitsFor(p, 'sim-small');
    expect(limits).not.toBeInstanceOf(Promise);
    expect((limits as Exclude<typeof limits, Promise<unknown>>).org.max_requests_per_1_minute).toBe(7);
  });

  it('an override change is an event too', async () => {
    const { key, orgId } = await newKey();
    const p = await identity.authenticate(bearer(key));
    expect((await identity.limitsFor(p, 'sim-small')).org.max_requests_per_1_minute).toBe(60);
    await store.rateLimits.setOrgOverride(orgId, '*', { max_requests_per_1_minute: null });
    await identity.invalidate({ kind: 'org', orgId });
    expect((await identity.limitsFor(p, 'sim-small')).org.max_requests_per_1_minute).toBeNull();
  });
});

describe('server secret', () => {
  it('a secret generated in memory (no file: in-memory store) is not stored, so another instance does not share it', async () => {
    const { key } = await newKey();
    expect(await store.settings.get('server_secret')).toBeUndefined();
    const second = new Identity({ store, config: parseConfig({}), clock });
    try {
      // The database's check value tells the second instance its secret is not the keys' one.
      await expect(second.ready()).rejects.toThrow(/not the one this database's API keys were hashed with/);
      expect(key).toMatch(/^sk-/);
    } finally {
      await second.close();
    }
  });

  it('a configured secret other than the keys\' one is refused at start, never silently used', async () => {
    await newKey();
    const other = new Identity({ store, config: parseConfig({}, { TOLLGATE_SECRET: 'configured-secret' }), clock });
    try {
      await expect(other.ready()).rejects.toThrow(/not the one/);
    } finally {
      await other.close();
    }
  });

  it('a store that is down at start does not break authentication for good', async () => {
    const fresh = await openStore('sqlite::memory:', { clock });
    const spy = vi.spyOn(fresh.settings, 'getOrCreate').mockRejectedValueOnce(new Error('database is down'));
    const id = new Identity({ store: fresh, config: parseConfig({}), clock });
    try {
      await expect(id.ready()).rejects.toThrow('database is down');
      await expect(id.ready()).resolves.toBeUndefined();
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      await id.close();
      await fresh.close();
    }
  });
});

/**
 * The key-hashing secret lives outside the database: in the environment or a 0600 file generated
 * on the first start. An old database that stored it has it moved to the file and deleted; an
 * instance with another secret refuses to start; a rotation accepts the previous secret and
 * re-hashes each key at its next use.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, parseConfig, openStore, type Store } from 'tollgate';
import { Identity, generateApiKey } from '../../src/identity/index.js';
import { LEGACY_SECRET_SETTING, SecretMismatchError, secretSourcesOf, type SecretSources } from '../../src/identity/server-secret.js';
import { bearer } from './fake-context.js';

const hmac = (secret: string, key: string) => createHmac('sha256', secret).update(key).digest('base64url');

let dir: string;
let dbPath: string;
let store: Store;
const clock = new FakeClock();
const open: Identity[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-secret-'));
  dbPath = join(dir, 'tollgate.db');
  store = await openStore(`sqlite:${dbPath}`, { clock });
});
afterEach(async () => {
  for (const i of open.splice(0)) await i.close();
  await store.close();
});

function identity(secrets: Partial<SecretSources> = {}): Identity {
  const config = parseConfig({ database: { url: `sqlite:${dbPath}` } });
  const i = new Identity({ store, config, clock, secrets: { ...secretSourcesOf(config), ...secrets } });
  open.push(i);
  return i;
}

/** A key stored with the hash `hashOf(key)` (as any secret would have made it). */
async function storeKey(hashOf: (key: string) => string): Promise<{ key: string; id: string }> {
  const org = await store.organizations.create({ name: 'o', tier: 'free' });
  const user = await store.users.create({ email: `${org.id}@x.test`, name: 'u' });
  await store.memberships.add(org.id, user.id, 'owner');
  const { key, redacted } = generateApiKey();
  const rec = await store.apiKeys.insert({ orgId: org.id, userId: user.id, name: 'k', keyHash: hashOf(key), redacted, permissions: 'all', scopes: [], expiresAt: null });
  return { key, id: rec.id };
}

const authCode = (i: Identity, key: string) => i.authenticate(bearer(key)).then(() => 'ok', (e: { entry?: { id: string } }) => e.entry?.id ?? String(e));

describe('key-hashing secret', () => {
  it('the first start generates it into <data dir>/tollgate.secret (0600); the database holds no secret, and instances sharing the file accept the same keys', async () => {
    const first = identity();
    await first.loadSecret();
    const file = join(dir, 'tollgate.secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(40);
    const { key } = await storeKey((k) => hmac(secret, k));
    expect(await authCode(first, key)).toBe('ok');
    expect(await authCode(identity(), key)).toBe('ok');
    expect(await store.settings.get(LEGACY_SECRET_SETTING)).toBeUndefined();
    await store.close();
    const bytes = Buffer.concat([readFileSync(dbPath), existsSync(`${dbPath}-wal`) ? readFileSync(`${dbPath}-wal`) : Buffer.alloc(0)]);
    expect(bytes.includes(secret)).toBe(false);
    store = await openStore(`sqlite:${dbPath}`, { clock });
  });

  it('an old database that stored the secret: it moves to the file, is deleted from the database, and its keys keep working', async () => {
    const legacy = 'legacy-secret-stored-in-the-database-0123';
    await store.settings.set(LEGACY_SECRET_SETTING, legacy);
    const { key } = await storeKey((k) => hmac(legacy, k));
    const i = identity();
    expect(await authCode(i, key)).toBe('ok');
    expect(readFileSync(join(dir, 'tollgate.secret'), 'utf8').trim()).toBe(legacy);
    expect(statSync(join(dir, 'tollgate.secret')).mode & 0o777).toBe(0o600);
    expect(await store.settings.get(LEGACY_SECRET_SETTING)).toBeUndefined();
  });

  it('an old database whose stored secret equals the configured one: deleted from the database', async () => {
    const secret = 'configured-secret-0123456789abcdef';
    await store.settings.set(LEGACY_SECRET_SETTING, secret);
    const { key } = await storeKey((k) => hmac(secret, k));
    const i = identity({ value: secret });
    expect(await authCode(i, key)).toBe('ok');
    expect(await store.settings.get(LEGACY_SECRET_SETTING)).toBeUndefined();
    expect(existsSync(join(dir, 'tollgate.secret'))).toBe(false);
  });

  it('an old database whose secret differs from an existing secret file: refuses to start, deletes nothing', async () => {
    await store.settings.set(LEGACY_SECRET_SETTING, 'legacy-secret-stored-in-the-database-0123');
    writeFileSync(join(dir, 'tollgate.secret'), 'another-secret-in-the-file-0123456789\n', { mode: 0o600 });
    await expect(identity().loadSecret()).rejects.toBeInstanceOf(SecretMismatchError);
    expect(await store.settings.get(LEGACY_SECRET_SETTING)).toBe('legacy-secret-stored-in-the-database-0123');
  });

  it('an instance with another secret than the one the keys were made with refuses to start', async () => {
    await identity({ value: 'the-fleet-secret-0123456789abcdef' }).loadSecret();
    await expect(identity({ value: 'a-different-secret-0123456789abc' }).loadSecret()).rejects.toThrow(/not the one this database's API keys were hashed with/);
    // Without TOLLGATE_SECRET, a generated file secret is just as wrong.
    await expect(identity().loadSecret()).rejects.toBeInstanceOf(SecretMismatchError);
  });

  it('rotation: the previous secret is accepted and each key is re-hashed with the new one at its next use', async () => {
    const oldSecret = 'old-secret-0123456789abcdef012345';
    const newSecret = 'new-secret-0123456789abcdef012345';
    await identity({ value: oldSecret }).loadSecret();
    const used = await storeKey((k) => hmac(oldSecret, k));
    const idle = await storeKey((k) => hmac(oldSecret, k));

    const rotating = identity({ value: newSecret, previous: oldSecret });
    expect(await authCode(rotating, used.key)).toBe('ok');
    expect((await store.apiKeys.get(used.id))!.keyHash).toBe(hmac(newSecret, used.key));
    expect((await store.apiKeys.get(idle.id))!.keyHash).toBe(hmac(oldSecret, idle.key));

    // Rotation over: the previous secret is dropped. The re-hashed key works; the idle one does not.
    const after = identity({ value: newSecret });
    expect(await authCode(after, used.key)).toBe('ok');
    expect(await authCode(after, idle.key)).toBe('invalid_api_key');
    // And an instance still on the old secret alone refuses to start.
    await expect(identity({ value: oldSecret }).loadSecret()).rejects.toBeInstanceOf(SecretMismatchError);
  });

  it('rotation with files: tollgate.secret renamed to tollgate.secret.previous, a new one is generated', async () => {
    await identity().loadSecret();
    const file = join(dir, 'tollgate.secret');
    const oldSecret = readFileSync(file, 'utf8').trim();
    const { key, id } = await storeKey((k) => hmac(oldSecret, k));
    renameSync(file, `${file}.previous`);
    const i = identity();
    expect(await authCode(i, key)).toBe('ok');
    const newSecret = readFileSync(file, 'utf8').trim();
    expect(newSecret).not.toBe(oldSecret);
    expect((await store.apiKeys.get(id))!.keyHash).toBe(hmac(newSecret, key));
  });

  it('TOLLGATE_SECRET_FILE (or secret_file) chooses the file', async () => {
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'tollgate-secret-file-')), 'nested', 'key-secret');
    const config = parseConfig({ database: { url: `sqlite:${dbPath}` } }, { TOLLGATE_SECRET_FILE: elsewhere });
    expect(secretSourcesOf(config).file).toBe(elsewhere);
    expect(secretSourcesOf(parseConfig({ database: { url: `sqlite:${dbPath}` }, secret_file: '/etc/tollgate/secret' })).file).toBe('/etc/tollgate/secret');
    expect(secretSourcesOf(parseConfig({ database: { url: 'sqlite::memory:' } })).file).toBeNull();
    await identity({ file: elsewhere }).loadSecret();
    expect(statSync(elsewhere).mode & 0o777).toBe(0o600);
  });
});

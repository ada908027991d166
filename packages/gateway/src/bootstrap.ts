/**
 * First start: an empty database gets an organization, a user (its owner) and an API key, and —
 * when no admin key is configured — a generated admin key whose hash is kept. Each key is written
 * to the owner-only credentials file (first-start-credentials.ts) before it is stored, and never
 * stored or logged in plain text. `tollgate serve` runs `bootstrap` only once it is listening, so
 * the API key is made only when it can be used.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirOf, databaseOf } from './config/data-dir.js';
import type { Config } from './config/types.js';
import { CredentialsFile, credentialsDatabase, readCredentials, serverValues } from './first-start-credentials.js';
import { generateApiKey } from './identity/index.js';
import { adminKeyDigest } from './admin/auth.js';
import { generateOperatorKey } from './admin/operator-key-format.js';
import type { Services } from './services.js';
import type { Store } from './store/index.js';

export const ADMIN_KEY_DIGEST_SETTING = 'admin_key_sha256';
/** Set once by the instance that performs the first-start bootstrap. */
export const FIRST_START_CLAIM_SETTING = 'first_start_claim';

export interface FirstStart {
  adminKey?: string;
  apiKey?: string;
  orgId?: string;
  /** The console's one-time setup link, made on this start (also in the credentials file). */
  consoleSetupUrl?: string;
}

/**
 * Where this gateway's first-start keys are written: in its data directory, or (for an in-memory
 * database, which keeps nothing) in a private temporary directory made when first needed; in the
 * file of its database (first-start-credentials.ts).
 */
export function credentialsFileFor(config: Config): CredentialsFile {
  const dir = dataDirOf(config);
  return new CredentialsFile(() => dir ?? mkdtempSync(join(tmpdir(), 'tollgate-')), databaseOf(config));
}

/**
 * A shared credentials file that names no database (written before files named theirs) is taken
 * as this database's when its keys are: its admin key is the one stored, or its organization is in
 * this database. Otherwise it is left as it is, and this database's keys go to a file of its own.
 */
export async function adoptUnnamedCredentials(store: Store, config: Config, file: CredentialsFile): Promise<void> {
  if (dataDirOf(config) === null) return; // a new temporary directory: nothing to adopt
  const shared = file.sharedPath();
  if (credentialsDatabase(shared) !== null) return; // none, or it names its database
  const c = readCredentials(shared);
  const digest = await store.settings.get(ADMIN_KEY_DIGEST_SETTING);
  const adminKeyIsOurs = c.TOLLGATE_ADMIN_KEY !== undefined && digest === createHash('sha256').update(c.TOLLGATE_ADMIN_KEY).digest('hex');
  const orgIsOurs = c.TOLLGATE_ORGANIZATION !== undefined && (await store.organizations.get(c.TOLLGATE_ORGANIZATION, { includeDeleted: true })) !== undefined;
  if (adminKeyIsOurs || orgIsOurs) file.adoptShared();
}

/**
 * Creates the first organization, user and API key on an empty database, and saves the key (with
 * the gateway's URL, host and port: serverValues) to `credentialsFile` before storing it.
 */
export async function bootstrap(services: Services, config: Config, opts: { credentialsFile: CredentialsFile }): Promise<FirstStart> {
  const { store, identity } = services;
  const out: FirstStart = {};
  if (services.generatedAdminKey) out.adminKey = services.generatedAdminKey;
  // No default password: while no operator account exists, a one-time link makes the first owner.
  const setupUrl = await services.console.createSetupLink();
  if (setupUrl) out.consoleSetupUrl = setupUrl;
  const orgs = await store.organizations.list({ limit: 1 });
  if (orgs.items.length > 0) return out;
  // Instances of a fleet may start together on an empty database: only the one whose claim is
  // stored creates the first organization; the others would collide on the same rows.
  const claim = randomBytes(16).toString('hex');
  if ((await store.settings.getOrCreate(FIRST_START_CLAIM_SETTING, () => claim)) !== claim) return out;

  const org = await store.organizations.create({ name: 'Default Organization', tier: config.default_tier });
  const user = await store.users.create({ email: 'admin@localhost', name: 'Administrator' });
  await store.memberships.add(org.id, user.id, 'owner');
  const { key, redacted } = generateApiKey();
  opts.credentialsFile.save({ ...serverValues(config.server), TOLLGATE_API_KEY: key, TOLLGATE_ORGANIZATION: org.id });
  await store.apiKeys.insert({ orgId: org.id, userId: user.id, name: 'default', keyHash: await identity.hashKey(key), redacted, permissions: 'all', scopes: [], expiresAt: null });
  out.apiKey = key;
  out.orgId = org.id;
  return out;
}

/**
 * The admin key's digest. With no key configured, one is generated on the first start, written to
 * the credentials file, and only its SHA-256 is stored; the plaintext is also returned once.
 */
export async function resolveAdminKey(store: Store, configured: string | null, credentialsFile: CredentialsFile): Promise<{ digest: Buffer | null; generated?: string }> {
  if (configured !== null) return { digest: adminKeyDigest(configured, undefined) };
  const stored = await store.settings.get(ADMIN_KEY_DIGEST_SETTING);
  if (stored !== undefined) return { digest: adminKeyDigest(null, stored) };
  const generated = generateOperatorKey();
  const hex = createHash('sha256').update(generated).digest('hex');
  // Saved before it is stored: once stored it opens the admin API, so it must not be lost if the
  // start fails later (a port in use), and later starts never generate another.
  credentialsFile.save({ TOLLGATE_ADMIN_KEY: generated });
  // Insert-if-absent: when instances start together, the first stored key is the admin key and
  // only the instance that stored it keeps it (a key saved but overwritten would not work).
  const winner = await store.settings.getOrCreate(ADMIN_KEY_DIGEST_SETTING, () => hex);
  if (winner !== hex) {
    credentialsFile.save({ TOLLGATE_ADMIN_KEY: undefined });
    return { digest: adminKeyDigest(null, winner) };
  }
  return { digest: adminKeyDigest(null, hex), generated };
}

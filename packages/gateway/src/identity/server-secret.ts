/**
 * The secret API keys are hashed with (HMAC-SHA256, key-hasher.ts). It is never kept in the
 * database next to the hashes — a copy of the database alone must not allow testing key guesses
 * offline. It comes from the environment (`secret_env`, TOLLGATE_SECRET by default) or from a file
 * (`secret_file`, TOLLGATE_SECRET_FILE; default `tollgate.secret` in the data directory), which
 * the first start generates with mode 0600. Every instance on one database needs the same secret.
 *
 * Databases from before this rule hold the secret in `settings.server_secret`: on start it is
 * moved to the file (or found equal to the configured one) and deleted from the database.
 *
 * Rotation: a previous secret (TOLLGATE_SECRET_PREVIOUS, or `<secret file>.previous`) is accepted
 * too, and a key that authenticates with it is re-hashed with the current one (identity/index.ts).
 *
 * The database keeps only a check value, HMAC(secret, fixed label), so that an instance started
 * with another secret refuses to start instead of answering 401 to every key.
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { secretFileOf } from '../config/data-dir.js';
import type { Config } from '../config/types.js';
import { publishFileExclusive } from '../files/publish.js';
import type { Store } from '../store/index.js';

/** Where databases from before kept the secret; read once to move it out, then deleted. */
export const LEGACY_SECRET_SETTING = 'server_secret';
/** HMAC(secret, CHECK_LABEL): tells whether a secret is the one the keys were hashed with. */
export const SECRET_CHECK_SETTING = 'server_secret_check';
const CHECK_LABEL = 'tollgate key-hashing secret check v1';

export interface SecretSources {
  /** The secret itself, from the environment; wins over the file. */
  value: string | null;
  /** The secret file (read, or generated when absent); null keeps a generated secret in memory only. */
  file: string | null;
  /** The previous secret during a rotation, from the environment; else `<file>.previous` if present. */
  previous: string | null;
}

export interface ServerSecrets {
  current: string;
  previous: string | null;
  /** Where the current secret came from, for messages. */
  source: string;
}

export class SecretMismatchError extends Error {}

/** The sources the config names: env values, and the secret file (none for an in-memory database). */
export function secretSourcesOf(config: Config): SecretSources {
  return {
    value: config.secrets.server_secret,
    file: secretFileOf(config),
    previous: config.secrets.server_secret_previous,
  };
}

export async function loadServerSecrets(store: Store, src: SecretSources, log?: Logger): Promise<ServerSecrets> {
  const legacy = await store.settings.get(LEGACY_SECRET_SETTING);
  let current: string;
  let source: string;
  if (src.value !== null) {
    current = src.value;
    source = 'the environment';
  } else if (src.file !== null) {
    current = readOrCreateSecretFile(src.file, () => legacy ?? randomBytes(32).toString('base64url'));
    source = src.file;
  } else {
    current = legacy ?? randomBytes(32).toString('base64url');
    source = 'memory';
  }
  const previousFile = src.file !== null ? `${src.file}.previous` : null;
  const previous = src.previous ?? (previousFile !== null && existsSync(previousFile) ? readSecretFile(previousFile) : null);

  if (legacy !== undefined) {
    if (legacy !== current && legacy !== previous && src.value === null && src.file !== null) {
      throw new SecretMismatchError(
        `the database holds the key-hashing secret of an older version, and it differs from ${src.file}. ` +
          `If the keys were made before the upgrade, move ${src.file} away and restart: the secret is then moved from the database into the file. ` +
          `To change secrets instead, rename the file to ${src.file}.previous and restart (see "Rotating the key secret" in the README).`,
      );
    }
    // Moved out (or it was never the one in use: a configured secret always won), so it goes.
    await store.settings.delete(LEGACY_SECRET_SETTING);
    log?.warn({ moved_to: src.value === null ? source : 'the environment' }, 'removed the key-hashing secret from the database');
  }

  const check = checkOf(current);
  const stored = await store.settings.getOrCreate(SECRET_CHECK_SETTING, () => check);
  if (stored !== check) {
    if (previous !== null && stored === checkOf(previous)) {
      // A rotation starts: from now on the current secret is the one the database expects.
      await store.settings.set(SECRET_CHECK_SETTING, check);
      log?.warn('key-hashing secret rotated: keys made with the previous secret are re-hashed at their next use');
    } else {
      throw new SecretMismatchError(
        `the key-hashing secret from ${source} is not the one this database's API keys were hashed with. ` +
          'Give every instance the same secret (the same TOLLGATE_SECRET, or a copy of the secret file of the instance that made the keys).',
      );
    }
  }
  return { current, previous: previous === current ? null : previous, source };
}

function checkOf(secret: string): string {
  return createHmac('sha256', secret).update(CHECK_LABEL).digest('base64url');
}

function readSecretFile(path: string): string {
  const s = readFileSync(path, 'utf8').trim();
  if (s.length < 16) throw new SecretMismatchError(`${path}: the key-hashing secret must be at least 16 characters`);
  return s;
}

/** The secret in `path`; when the file is absent, it is created 0600 with `fresh()`. */
export function readOrCreateSecretFile(path: string, fresh: () => string): string {
  return existsSync(path) ? readSecretFile(path) : createSecretFile(path, fresh());
}

/** Creates the file 0600 with `secret`, unless another instance just did: then its content wins. */
function createSecretFile(path: string, secret: string): string {
  mkdirSync(dirname(path), { recursive: true });
  return publishFileExclusive(path, `${secret}\n`) ? secret : readSecretFile(path);
}

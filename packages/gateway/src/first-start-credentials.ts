/**
 * The keys made on the first start go to a file only the owner can read (0600), never to stdout,
 * which is the log stream and ends up in log collectors. The file is written the moment a key is
 * generated — before the key is stored — so a first start that fails afterwards (the port is in
 * use) does not lose a key that already works; later starts point at the file until it is deleted.
 * It is a shell env file: `set -a; . ./data/first-start-credentials.env; set +a` and the admin CLI
 * and `tollgate batch` find the gateway and their keys. Each start brings its URLs up to date
 * (`refreshCredentialsUrls`), so that after a restart on another port the file still points at the
 * gateway that is running.
 * @module
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const CREDENTIALS_FILE_NAME = 'first-start-credentials.env';

export interface Credentials {
  TOLLGATE_URL?: string;
  TOLLGATE_ADMIN_KEY?: string;
  TOLLGATE_API_KEY?: string;
  TOLLGATE_ORGANIZATION?: string;
  /** The console's one-time link that creates the first owner (console/setup.ts). */
  TOLLGATE_CONSOLE_SETUP_URL?: string;
}

export function credentialsPath(dataDir: string): string {
  return join(dataDir, CREDENTIALS_FILE_NAME);
}

/** The values in the file (empty when it does not exist). */
export function readCredentials(path: string): Credentials {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out as Credentials;
}

/**
 * Merges `values` into the file (undefined removes a value), written to a temporary file created
 * 0600 and renamed over, so that the keys are never readable by others, not even for a moment.
 */
export function saveCredentials(path: string, values: { [K in keyof Credentials]?: string | undefined }, now: Date = new Date()): void {
  const merged: Record<string, string | undefined> = { ...readCredentials(path), ...values };
  const lines = [
    `# Tollgate first-start credentials (updated ${now.toISOString()}).`,
    '# Store the keys somewhere safe, then delete this file; Tollgate points at it until you do.',
    '# Use them from a shell with: set -a; . ./this-file; set +a',
    ...(['TOLLGATE_URL', 'TOLLGATE_ADMIN_KEY', 'TOLLGATE_API_KEY', 'TOLLGATE_ORGANIZATION', 'TOLLGATE_CONSOLE_SETUP_URL'] as const).filter((k) => merged[k] !== undefined).map((k) => `${k}=${merged[k]}`),
  ];
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask cannot widen it, but an existing tmp file keeps its mode
  renameSync(tmp, path);
}

/** The console setup link's shape (console/setup.ts): `<public_url>/setup#token=…`. */
const SETUP_LINK = /^.*(\/setup#token=.*)$/;

/**
 * Points the file's URLs (`TOLLGATE_URL`, the console setup link) at `publicUrl`, keeping the keys
 * and the setup token. Does nothing when the file does not exist or is already up to date, so a
 * start on the same URL never rewrites it. Returns whether it was rewritten.
 */
export function refreshCredentialsUrls(path: string, publicUrl: string, now: Date = new Date()): boolean {
  const current = readCredentials(path);
  const update: Credentials = {};
  if (current.TOLLGATE_URL !== undefined && current.TOLLGATE_URL !== publicUrl) update.TOLLGATE_URL = publicUrl;
  const link = current.TOLLGATE_CONSOLE_SETUP_URL === undefined ? null : SETUP_LINK.exec(current.TOLLGATE_CONSOLE_SETUP_URL);
  if (link && current.TOLLGATE_CONSOLE_SETUP_URL !== `${publicUrl}${link[1]}`) update.TOLLGATE_CONSOLE_SETUP_URL = `${publicUrl}${link[1]}`;
  if (Object.keys(update).length === 0) return false;
  saveCredentials(path, update, now);
  return true;
}

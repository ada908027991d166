/**
 * The keys made on the first start go to a file only the owner can read (0600), never to stdout,
 * which is the log stream and ends up in log collectors. The file is written the moment a key is
 * generated — before the key is stored — so a first start that fails afterwards (the port is in
 * use) does not lose a key that already works; later starts point at the file until it is deleted.
 * It is a shell env file: `set -a; . ./data/first-start-credentials.env; set +a` and the admin CLI
 * and `tollgate batch` find the gateway and their keys. Beside `TOLLGATE_URL`, which the CLI
 * calls, it records where that gateway listens in the variables `serve` and `config check` read
 * (`TOLLGATE_HOST`, `TOLLGATE_PORT`, and `TOLLGATE_PUBLIC_URL` when the public URL is not the one
 * they make; `serverValues`), so that in a shell that sourced it every command has the same
 * gateway: `config check` shows the port `orgs list` calls, and `serve` listens there. Each start
 * brings these up to date (`CredentialsFile.refreshServer`), so that after a restart on another
 * port the file still points at the gateway that is running.
 *
 * The file is its database's: two databases started from one working directory (two SQLite files
 * in ./data, or PostgreSQL databases, whose files go to ./data) would otherwise share it, and the
 * second first start would overwrite the first's keys — an admin key only ever kept there would be
 * lost — or show the first's keys as its own. The file names its database on a line of its own
 * (`# database id: <id>`); when the shared name holds another database's file, this database's go
 * to `first-start-credentials-<id>.env` beside it, and the banner names that file. A shared file
 * from before this rule names no database: it is taken as this database's only when its keys are
 * (bootstrap.ts adoptUnnamedCredentials), and otherwise left alone.
 * @module
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { publishFileExclusive } from './files/publish.js';

export const CREDENTIALS_FILE_NAME = 'first-start-credentials.env';

export interface Credentials {
  TOLLGATE_URL?: string;
  /** Where the gateway at TOLLGATE_URL listens (config/env.ts: server.host, server.port, server.public_url). */
  TOLLGATE_HOST?: string;
  TOLLGATE_PORT?: string;
  TOLLGATE_PUBLIC_URL?: string;
  TOLLGATE_ADMIN_KEY?: string;
  TOLLGATE_API_KEY?: string;
  TOLLGATE_ORGANIZATION?: string;
  /** The console's one-time link that creates the first owner (console/setup.ts). */
  TOLLGATE_CONSOLE_SETUP_URL?: string;
}

export type CredentialValues = { [K in keyof Credentials]?: string | undefined };

/** The server settings of the config the file's gateway runs with. */
export interface ServerAddress {
  host: string;
  port: number;
  public_url: string;
}

/**
 * The file's values for the gateway at `server`: `TOLLGATE_URL`, and the variables that set the
 * same host, port and public URL for `serve` and `config check`. `TOLLGATE_PUBLIC_URL` only when
 * the public URL is not `http://<host>:<port>`, which the other two make (undefined removes it).
 */
export function serverValues(server: ServerAddress): CredentialValues {
  const made = `http://${server.host}:${server.port}`;
  return { TOLLGATE_URL: server.public_url, TOLLGATE_HOST: server.host, TOLLGATE_PORT: String(server.port), TOLLGATE_PUBLIC_URL: server.public_url === made ? undefined : server.public_url };
}

/** The database a credentials file is for (config/data-dir.ts databaseOf). */
export interface DatabaseName {
  /** Hex digits: written in the file, and in the name of a file of its own. */
  id: string;
  /** For people: the SQLite file, or the PostgreSQL server, database and schema (never a user or password). */
  label: string;
}

export function credentialsPath(dataDir: string): string {
  return join(dataDir, CREDENTIALS_FILE_NAME);
}

/** The file of the database `id` when the shared one is another database's. */
export function ownCredentialsPath(dataDir: string, id: string): string {
  return join(dataDir, `first-start-credentials-${id}.env`);
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

const DATABASE_LINE = /^# database id: ([0-9a-f]+)\b/m;

/**
 * The id of the database the file at `path` was written for: undefined when there is no file,
 * null when it names none (written before files named their database).
 */
export function credentialsDatabase(path: string): string | null | undefined {
  if (!existsSync(path)) return undefined;
  return DATABASE_LINE.exec(readFileSync(path, 'utf8'))?.[1] ?? null;
}

function fileText(database: DatabaseName, values: CredentialValues, now: Date): string {
  const lines = [
    `# Tollgate first-start credentials (updated ${now.toISOString()}).`,
    `# database id: ${database.id} (${database.label}); another database's keys never go to this file.`,
    '# Store the keys somewhere safe, then delete this file; Tollgate points at it until you do.',
    '# Use them from a shell with: set -a; . ./this-file; set +a',
    '# TOLLGATE_HOST and TOLLGATE_PORT are where the gateway at TOLLGATE_URL listens: serve and config check then agree with it.',
    ...(['TOLLGATE_URL', 'TOLLGATE_HOST', 'TOLLGATE_PORT', 'TOLLGATE_PUBLIC_URL', 'TOLLGATE_ADMIN_KEY', 'TOLLGATE_API_KEY', 'TOLLGATE_ORGANIZATION', 'TOLLGATE_CONSOLE_SETUP_URL'] as const).filter((k) => values[k] !== undefined).map((k) => `${k}=${values[k]}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes the file through a temporary file created 0600 and renamed over, so that the keys are never readable by others, not even for a moment. */
function replaceFile(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask cannot widen it, but an existing tmp file keeps its mode
  renameSync(tmp, path);
}

/** The console setup link's shape (console/setup.ts): `<public_url>/setup#token=…`. */
const SETUP_LINK = /^.*(\/setup#token=.*)$/;

/**
 * The first-start credentials file of one database in a data directory: the shared name
 * (`first-start-credentials.env`, the README's) unless that holds another database's file, then
 * `first-start-credentials-<id>.env`. Which one is decided when first needed and kept.
 */
export class CredentialsFile {
  private chosen: string | undefined;
  private dirPath: string | undefined;

  /** `dataDir` is called once, when a path is first needed (an in-memory database's makes a temporary directory). */
  constructor(
    private readonly dataDir: () => string,
    readonly database: DatabaseName,
  ) {}

  private dir(): string {
    return (this.dirPath ??= this.dataDir());
  }

  /** The shared name, `<data dir>/first-start-credentials.env`. */
  sharedPath(): string {
    return credentialsPath(this.dir());
  }

  /** The name of this database's own file, used when the shared one is another database's. */
  ownPath(): string {
    return ownCredentialsPath(this.dir(), this.database.id);
  }

  /**
   * This database's file: the shared one when it is this database's or does not exist, unless
   * this database already has a file of its own.
   */
  path(): string {
    if (this.chosen !== undefined) return this.chosen;
    const shared = this.sharedPath();
    const owner = credentialsDatabase(shared);
    this.chosen = owner === this.database.id || (owner === undefined && !existsSync(this.ownPath())) ? shared : this.ownPath();
    return this.chosen;
  }

  /** Whether the shared file exists and is another database's (or names none), so that this one's keys are elsewhere. */
  sharedIsAnothers(): boolean {
    return this.path() !== this.sharedPath() && existsSync(this.sharedPath());
  }

  /**
   * Merges `values` into the file (undefined removes a value). A new file is created only if the
   * name is still free (link(2)): when another database's start took it meanwhile, this database's
   * keys go to its own file instead. A file of another database is never written.
   */
  save(values: CredentialValues, now: Date = new Date()): void {
    let path = this.path();
    mkdirSync(dirname(path), { recursive: true });
    for (;;) {
      const owner = credentialsDatabase(path);
      if (owner === this.database.id) return replaceFile(path, fileText(this.database, { ...readCredentials(path), ...values }, now));
      if (owner === undefined && publishFileExclusive(path, fileText(this.database, values, now))) return;
      if (owner === undefined) continue; // created meanwhile: whose is it?
      if (path === this.ownPath()) throw new Error(`${path} does not name this database (id ${this.database.id}); move it away and start again`);
      path = this.chosen = this.ownPath();
    }
  }

  /**
   * Marks a shared file that names no database (written before files named theirs) as this
   * database's; the caller has checked that its keys are this database's.
   */
  adoptShared(now: Date = new Date()): void {
    const shared = this.sharedPath();
    if (credentialsDatabase(shared) !== null) return;
    replaceFile(shared, fileText(this.database, readCredentials(shared), now));
    this.chosen = undefined;
  }

  /**
   * Points the file at the gateway at `server`: `TOLLGATE_URL` with its host and port
   * (`serverValues`), and the console setup link, keeping the keys and the setup token. Does
   * nothing when the file does not exist or is already up to date, so a start on the same address
   * never rewrites it. Returns whether it was rewritten.
   */
  refreshServer(server: ServerAddress, now: Date = new Date()): boolean {
    const path = this.path();
    if (credentialsDatabase(path) !== this.database.id) return false;
    const current = readCredentials(path);
    const publicUrl = server.public_url;
    const update: CredentialValues = {};
    if (current.TOLLGATE_URL !== undefined) {
      for (const [k, v] of Object.entries(serverValues(server)) as [keyof Credentials, string | undefined][]) if (current[k] !== v) update[k] = v;
    }
    const link = current.TOLLGATE_CONSOLE_SETUP_URL === undefined ? null : SETUP_LINK.exec(current.TOLLGATE_CONSOLE_SETUP_URL);
    if (link && current.TOLLGATE_CONSOLE_SETUP_URL !== `${publicUrl}${link[1]}`) update.TOLLGATE_CONSOLE_SETUP_URL = `${publicUrl}${link[1]}`;
    if (Object.keys(update).length === 0) return false;
    this.save(update, now);
    return true;
  }
}

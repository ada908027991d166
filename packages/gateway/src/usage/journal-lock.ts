/**
 * The usage journal's lock: `<journal path>.lock`, holding the owning process's pid and host.
 * A gateway replays and then deletes the segments it finds at start, so a second process started
 * on the same journal (a second `tollgate serve` in the same directory, two gateways on one SQLite
 * file) would replay and delete the running one's segments. With the lock it refuses to start
 * instead, before it reads anything.
 *
 * A lock left by a process that no longer runs (kill -9, a crash, a container restarted with the
 * same pid) is taken over. A lock from another host cannot be checked and is taken over too, with
 * a warning: a container recreated after a crash gets a new host name, and refusing to start would
 * keep its journal from being replayed at all.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { publishFileExclusive } from '../files/publish.js';

/** Thrown when a live process on this host holds the journal. */
export class JournalInUseError extends Error {}

export interface JournalLockHolder {
  pid: number;
  host: string;
}

export interface JournalLock {
  /** The lock a previous process left and this one took over, if any (for a log line). */
  takenOver: JournalLockHolder | null;
  /** Removes the lock if it is still this process's. */
  release(): void;
}

/**
 * Takes the lock of the journal at `journalPath`.
 * @throws JournalInUseError naming the holder and the settings to change.
 */
export function lockJournal(journalPath: string): JournalLock {
  const lockPath = `${journalPath}.lock`;
  const mine = `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`;
  let takenOver: JournalLockHolder | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (publishFileExclusive(lockPath, mine, 0o644)) return { takenOver, release: () => releaseIfMine(lockPath, mine) };
    const found = readIfPresent(lockPath);
    if (found === null) continue; // released meanwhile
    const holder = parseHolder(found);
    if (holder !== null && isAlive(holder)) {
      throw new JournalInUseError(
        `the usage journal ${journalPath} is in use by another Tollgate process (pid ${holder.pid}). ` +
          'Each gateway process needs its own journal: set usage.journal_path (TOLLGATE_USAGE_JOURNAL) for this one, ' +
          `or start it from another data directory. If no such process runs, delete ${lockPath}.`,
      );
    }
    if (breakStale(lockPath, found)) takenOver = holder ?? { pid: 0, host: 'unknown' };
  }
  throw new JournalInUseError(`the usage journal ${journalPath}: its lock ${lockPath} kept changing while this process tried to take it`);
}

function readIfPresent(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function parseHolder(text: string): JournalLockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<JournalLockHolder>;
    return Number.isSafeInteger(v.pid) && typeof v.host === 'string' ? { pid: v.pid!, host: v.host } : null;
  } catch {
    return null; // not ours, or torn: nothing live can be named by it
  }
}

/** Whether the holder may still run: a process on this host that exists and is not this one. */
function isAlive(holder: JournalLockHolder): boolean {
  if (holder.host !== hostname() || holder.pid === process.pid || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

/**
 * Removes the stale lock whose content is `stale`. Moved aside first and compared: if another
 * starting process replaced it meanwhile with its own (live) lock, that one is put back.
 * @returns whether the stale lock was removed.
 */
function breakStale(lockPath: string, stale: string): boolean {
  const aside = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  const moved = readFileSync(aside, 'utf8');
  if (moved !== stale) {
    try {
      linkSync(aside, lockPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  unlinkSync(aside);
  return moved === stale;
}

function releaseIfMine(lockPath: string, mine: string): void {
  if (readIfPresent(lockPath) === mine) unlinkSync(lockPath);
}

/**
 * A lock file naming the process that owns something on this host (the usage journal, a SQLite
 * database whose limits are counted in memory): `<path>` holds the owner's pid and host, published
 * whole with link(2). A second live process asking for it is refused with the caller's message;
 * a lock left by a process that no longer runs (kill -9, a crash, a container restarted with the
 * same pid) is taken over. A lock from another host cannot be checked and is taken over too: a
 * container recreated after a crash gets a new host name, and refusing would keep it from
 * starting at all.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { publishFileExclusive } from './publish.js';

/** Thrown when a live process on this host holds the lock; the message says what to do. */
export class LockHeldError extends Error {}

export interface LockHolder {
  pid: number;
  host: string;
}

export interface ProcessLock {
  /** The lock a previous process left and this one took over, if any (for a log line). */
  takenOver: LockHolder | null;
  /** Removes the lock if it is still this process's. */
  release(): void;
}

/**
 * Takes the lock file `lockPath`.
 * @param inUse the message of the refusal, given the live holder.
 * @throws LockHeldError (or what `makeError` makes) when a live process on this host holds it.
 */
export function takeProcessLock(lockPath: string, inUse: (holder: LockHolder) => Error): ProcessLock {
  const mine = `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`;
  let takenOver: LockHolder | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (publishFileExclusive(lockPath, mine, 0o644)) return { takenOver, release: () => releaseIfMine(lockPath, mine) };
    const found = readIfPresent(lockPath);
    if (found === null) continue; // released meanwhile
    const holder = parseHolder(found);
    if (holder !== null && isAlive(holder)) throw inUse(holder);
    if (breakStale(lockPath, found)) takenOver = holder ?? { pid: 0, host: 'unknown' };
  }
  throw new LockHeldError(`${lockPath} kept changing while this process tried to take it`);
}

function readIfPresent(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    return Number.isSafeInteger(v.pid) && typeof v.host === 'string' ? { pid: v.pid!, host: v.host } : null;
  } catch {
    return null; // not ours, or torn: nothing live can be named by it
  }
}

/** Whether the holder may still run: a process on this host that exists and is not this one. */
function isAlive(holder: LockHolder): boolean {
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

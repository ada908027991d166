/**
 * The usage journal's lock: `<journal path>.lock` (files/process-lock.ts). A gateway replays and
 * then deletes the segments it finds at start, so a second process started on the same journal
 * (a second `tollgate serve` in the same directory) would replay and delete the running one's
 * segments. With the lock it refuses to start instead, before it reads anything. A lock left by a
 * crash is taken over.
 * @module
 */
import { LockHeldError, takeProcessLock, type LockHolder, type ProcessLock } from '../files/process-lock.js';

/** Thrown when a live process on this host holds the journal. */
export class JournalInUseError extends LockHeldError {}

export type JournalLockHolder = LockHolder;
export type JournalLock = ProcessLock;

/** The lock file of the journal at `journalPath`. */
export const journalLockPath = (journalPath: string): string => `${journalPath}.lock`;

/**
 * Takes the lock of the journal at `journalPath`.
 * @throws JournalInUseError naming the holder and the settings to change.
 */
export function lockJournal(journalPath: string): JournalLock {
  const lockPath = journalLockPath(journalPath);
  return takeProcessLock(
    lockPath,
    (holder) =>
      new JournalInUseError(
        `the usage journal ${journalPath} is in use by another Tollgate process (pid ${holder.pid}). ` +
          'Each gateway process needs its own journal: set usage.journal_path (TOLLGATE_USAGE_JOURNAL) for this one, ' +
          'or start it from another data directory; gateways that share a database also need Redis to share their limits ' +
          '(see "Scale-out" in the README).',
      ),
  );
}

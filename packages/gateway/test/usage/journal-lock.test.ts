/**
 * The usage journal's lock: a live process on the same journal is refused before anything is
 * read; a lock left by a crash (a dead pid, this process's own pid after a container restart, or
 * another host) is taken over; closing releases only the lock this process holds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageJournal } from '../../src/usage/journal.js';
import { JournalInUseError, lockJournal } from '../../src/usage/journal-lock.js';
import { track } from '../support/children.js';

function journalPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'tollgate-journal-lock-')), 'usage.jsonl');
}

/** A process that lives until killed (at the latest when the test ends: support/children.ts), standing for another gateway. */
function liveProcess(): ChildProcess {
  return track(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }));
}

function exited(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
}

const holderFile = (path: string, pid: number, host = hostname()) => writeFileSync(`${path}.lock`, `${JSON.stringify({ pid, host })}\n`);

describe('the usage journal lock', () => {
  it('a live process holding the journal: refused with its pid and the setting to change, and its segments are left as they are', () => {
    const path = journalPath();
    const other = liveProcess();
    holderFile(path, other.pid!);
    writeFileSync(`${path}.1`, '{"theirs":1}\n');
    const journal = new UsageJournal(path);
    expect(() => journal.open()).toThrow(JournalInUseError);
    expect(() => journal.open()).toThrow(`the usage journal ${path} is in use by another Tollgate process (pid ${other.pid})`);
    expect(() => journal.open()).toThrow('usage.journal_path (TOLLGATE_USAGE_JOURNAL)');
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('{"theirs":1}\n');
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toEqual({ pid: other.pid, host: hostname() });
  });

  it('the holder died (kill -9): the next start takes the journal over and replays its segments', async () => {
    const path = journalPath();
    const other = liveProcess();
    holderFile(path, other.pid!);
    writeFileSync(`${path}.1`, '{"theirs":1}\n');
    other.kill('SIGKILL');
    await exited(other);
    const journal = new UsageJournal(path);
    expect(journal.open().map((s) => s.seq)).toEqual([1]);
    expect(journal.lockTakenOver).toEqual({ pid: other.pid, host: hostname() });
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toEqual({ pid: process.pid, host: hostname() });
    journal.close();
  });

  it('a lock naming this very process (a container restarted with the same pid) or another host is taken over', () => {
    for (const [pid, host] of [
      [process.pid, hostname()],
      [1, 'a-container-gone'],
    ] as const) {
      const path = journalPath();
      holderFile(path, pid, host);
      const journal = new UsageJournal(path);
      journal.open();
      expect(journal.lockTakenOver).toEqual({ pid, host });
      journal.close();
    }
  });

  it('an unreadable lock (not JSON) names no live process: taken over', () => {
    const path = journalPath();
    writeFileSync(`${path}.lock`, 'garbage');
    const journal = new UsageJournal(path);
    journal.open();
    expect(journal.lockTakenOver).toEqual({ pid: 0, host: 'unknown' });
    journal.close();
  });

  it('close releases the lock and leaves no file behind; a clean start after it takes nothing over', () => {
    const path = journalPath();
    const first = new UsageJournal(path);
    first.open();
    expect(first.lockTakenOver).toBeNull();
    first.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(readdirSync(join(path, '..'))).toEqual([]);
    const second = new UsageJournal(path);
    second.open();
    expect(second.lockTakenOver).toBeNull();
    second.close();
  });

  it('release removes only its own lock: one another process put there since is kept', () => {
    const path = journalPath();
    const lock = lockJournal(path);
    const other = liveProcess();
    holderFile(path, other.pid!);
    lock.release();
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toEqual({ pid: other.pid, host: hostname() });
  });
});

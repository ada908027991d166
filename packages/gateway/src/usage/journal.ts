/**
 * The usage journal: an append-only local file that makes a finished request's usage event
 * survive a crash of the gateway process without putting the database on the request path.
 *
 * `append` is one `write(2)` of a JSON line on a file opened with O_APPEND (`appendLines`, one
 * `write(2)` of several). The data then sits in
 * the kernel's page cache, which outlives the process (kill -9, an uncaught exception, OOM kill);
 * only a crash of the machine itself can lose it, since there is deliberately no fsync.
 *
 * The journal is a sequence of segment files named `<path>.<seq>` (e.g. `usage-journal.jsonl.3`).
 * The ledger rotates to a new segment when it starts writing buffered events to the database
 * and deletes a segment once every event in it is committed. Segments found at start belong to
 * a previous run and are replayed (the database insert is idempotent by request id).
 * One journal path per gateway instance: two processes sharing a path would replay and delete
 * each other's segments, so `open` takes the journal's lock first (journal-lock.ts) and a second
 * live process on the same path is refused before it reads anything.
 * @module
 */
import { closeSync, createReadStream, mkdirSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseUsageEvent, type UsageEvent } from './event.js';
import { journalLockPath, lockJournal, type JournalLock, type JournalLockHolder } from './journal-lock.js';

export interface JournalSegment {
  seq: number;
  path: string;
}

/**
 * The files the journal at `path` is kept in, as `config check` names them: its segments
 * (`<path>.<n>`, `<n>` standing for each one's number) and its lock; never `path` itself.
 */
export function journalFiles(path: string): { segments: string; lock: string } {
  return { segments: `${path}.<n>`, lock: journalLockPath(path) };
}

export class UsageJournal {
  private readonly dir: string;
  private readonly name: string;
  private fd: number | undefined;
  private seq = 0;
  private count = 0;
  private lock: JournalLock | undefined;

  /** `path` names the journal, e.g. `./data/usage-journal.jsonl`; segments are `<path>.<seq>`. */
  constructor(path: string) {
    this.dir = dirname(path);
    this.name = basename(path);
  }

  /**
   * Creates the directory, takes the journal's lock, lists segments a previous run left, and opens
   * a fresh segment after them.
   * @throws JournalInUseError when a live process on this host holds the journal.
   */
  open(): JournalSegment[] {
    mkdirSync(this.dir, { recursive: true });
    this.lock = lockJournal(join(this.dir, this.name));
    const found = this.segments();
    this.seq = found.length ? found[found.length - 1]!.seq : 0;
    this.openNext();
    return found;
  }

  /** The segments on disk, oldest first. */
  segments(): JournalSegment[] {
    const re = new RegExp(`^${escapeRegExp(this.name)}\\.(\\d+)$`);
    const out: JournalSegment[] = [];
    for (const name of readdirSync(this.dir)) {
      const m = re.exec(name);
      if (m) out.push({ seq: Number(m[1]), path: join(this.dir, name) });
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** The process whose lock `open` found stale and took over (it did not release it: a crash). */
  get lockTakenOver(): JournalLockHolder | null {
    return this.lock?.takenOver ?? null;
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** The segment `append` writes to now. */
  get currentSeq(): number {
    return this.seq;
  }

  /** Appends one line (no newline in it) to the current segment; throws on an I/O error. */
  append(line: string): number {
    return this.appendLines([line]);
  }

  /**
   * Appends lines (no newline in any) to the current segment with one `write(2)` (a group
   * commit: one system call for every request that finished in the same turn of the event loop).
   * Returns the segment's number; throws on an I/O error.
   */
  appendLines(lines: readonly string[]): number {
    if (this.fd === undefined) throw new Error('usage journal is closed');
    const buf = Buffer.from(lines.join('\n') + '\n', 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.count += lines.length;
    return this.seq;
  }

  /**
   * Closes the current segment and starts the next, so that the closed one receives no more
   * lines and can be deleted once its events are committed. Returns the closed segment's number,
   * or undefined when the current segment is still empty (then nothing changes).
   */
  rotate(): number | undefined {
    if (this.fd === undefined || this.count === 0) return undefined;
    const closed = this.seq;
    closeSync(this.fd);
    this.fd = undefined;
    this.openNext();
    return closed;
  }

  pathOf(seq: number): string {
    return join(this.dir, `${this.name}.${seq}`);
  }

  /** Deletes a closed segment (never the current one). */
  remove(seq: number): void {
    if (seq === this.seq && this.fd !== undefined) throw new Error('cannot remove the open journal segment');
    try {
      unlinkSync(this.pathOf(seq));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  /** Closes the current segment, deleting it if nothing was written to it, and releases the lock. */
  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
      if (this.count === 0) this.remove(this.seq);
    }
    this.lock?.release();
    this.lock = undefined;
  }

  private openNext(): void {
    // Exclusive create: a file already holding this number (another process misconfigured onto
    // the same path) is never appended to or deleted as "empty"; the next number is taken.
    for (;;) {
      this.seq++;
      try {
        this.fd = openSync(this.pathOf(this.seq), 'ax');
        this.count = 0;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  }
}

/**
 * Reads a segment in batches. Lines that do not parse (a line torn by a machine crash, or a
 * foreign line) are counted in `invalid` and skipped.
 */
export async function* readSegment(path: string, batchSize: number): AsyncGenerator<{ events: UsageEvent[]; invalid: number }> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let events: UsageEvent[] = [];
  let invalid = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let parsed: UsageEvent | string;
    try {
      parsed = parseUsageEvent(JSON.parse(line));
    } catch {
      parsed = 'not JSON';
    }
    if (typeof parsed === 'string') invalid++;
    else events.push(parsed);
    if (events.length >= batchSize) {
      yield { events, invalid };
      events = [];
      invalid = 0;
    }
  }
  if (events.length > 0 || invalid > 0) yield { events, invalid };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

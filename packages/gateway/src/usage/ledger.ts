/**
 * The usage ledger: the durable record of every request, written off the request path.
 *
 * `record(event)` is synchronous and O(1): it appends one JSON line to the local journal (one
 * write(2), no fsync, see journal.ts) and pushes the event to an in-memory buffer. It never
 * awaits the database. `recordGrouped(event)` is the request path's form: the events of one turn
 * of the event loop share one write(2) (a group commit), and its promise resolves once that
 * write is done. A background flusher writes the buffer to the database in batches, one
 * transaction per batch (`writeUsageBatch`: idempotent by request id, rollups in the same
 * transaction), every `flushIntervalMs` or as soon as `flushBatch` events are waiting.
 *
 * Durability: the request path records, and awaits the group commit, before the response's last
 * byte is written, so once a client has its response the event is in the journal (page cache)
 * and survives kill -9; it is replayed into the database at the next start. Without a journal
 * (journalPath null) a crash loses what was not yet flushed; a graceful `close()` loses nothing
 * either way.
 *
 * Database down, the policy: the flusher retries with exponential backoff (flushIntervalMs × 2ⁿ,
 * capped at maxBackoffMs, 1 s by default so that writing resumes within about a second of the
 * database answering again; each attempt is cheap and bounded by the pool's timeouts) and
 * requests never wait for it. The memory buffer is bounded by
 * `maxBuffered`; beyond it an event is kept only in the journal ("spilled", counted) and its
 * segment is replayed from disk once the database answers again. Only when there is no journal
 * (or writing it fails) is an event past the bound dropped, and `stats().dropped` counts it.
 * @module
 */
import type { Logger } from 'pino';
import type { BillingStore } from '../store/billing-tables.js';
import type { Clock } from '../clock.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';
import type { Metrics } from '../status/metrics.js';
import { parseUsageEvent, serializeUsageEvent, type UsageEvent } from './event.js';
import { UsageJournal, readSegment } from './journal.js';
import { writeUsageBatch, type BatchResult } from './ledger-writer.js';

export interface UsageLedgerOptions {
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** `config.usage`: flush every flush_interval_ms, or at once when flush_batch events wait (also the events per transaction). */
  config: { flush_interval_ms: number; flush_batch: number };
  /** The journal file (one per instance), e.g. `./data/usage-journal.jsonl`; null runs without one. */
  journalPath: string | null;
  /** Events held in memory at most (default 100 000, about 50 MB). */
  maxBuffered?: number;
  /** Longest wait between retries while the database fails (default 1 s). */
  maxBackoffMs?: number;
  /**
   * Writes one batch (`writeUsageBatch`'s contract: one transaction, idempotent by request id);
   * default `writeUsageBatch` on `store`, in this thread. A SQLite file gets a worker thread's
   * (worker-writer.ts), so that its synchronous writes stay off the event loop.
   */
  write?: (events: readonly UsageEvent[]) => Promise<BatchResult>;
  /**
   * Writes one batch given as the events' journal lines (serializeUsageEvent) joined with `\n`,
   * with `write`'s contract. When given, the buffer holds each event as its line only: one flat
   * string in the main heap instead of an object graph, which the garbage collector copies while
   * the event waits for its flush, and which crosses to a writer thread as one string.
   */
  writeLines?: (lines: string) => Promise<BatchResult>;
}

const RESOLVED: Promise<void> = Promise.resolve();

export interface LedgerStats {
  /** Events accepted by `record`. */
  recorded: number;
  /** Events newly written to the database (journal replays included). */
  committed: number;
  /** Events skipped because their request id was already stored. */
  duplicates: number;
  /** Events waiting in memory. */
  buffered: number;
  /** Events kept only in the journal because the memory buffer was full (not lost). */
  spilled: number;
  /** Events lost: memory buffer full and no journal, malformed, or recorded after close. */
  dropped: number;
  /** Failed database flush attempts. */
  flushFailures: number;
  /** Journal appends that failed (the event was still buffered in memory). */
  journalErrors: number;
  /** Unreadable journal lines skipped on replay (a line torn by a machine crash). */
  invalidJournalLines: number;
}

/** A recorded event waiting for the database. */
interface Buffered {
  /** Its journal line when the writer takes lines (`writeLines`), else the event. */
  entry: UsageEvent | string;
  /** The journal segment holding this event's line, if it was journaled. */
  seq: number | undefined;
}

export class UsageLedger {
  private readonly clock: Clock;
  private readonly journal: UsageJournal | undefined;
  private readonly interval: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly maxBackoff: number;
  private readonly log: UsageLedgerOptions['log'];
  private readonly write: (events: readonly UsageEvent[]) => Promise<BatchResult>;
  private readonly writeLines: ((lines: string) => Promise<BatchResult>) | undefined;

  private buffer: Buffered[] = [];
  /** Events recorded by `recordGrouped` in this turn of the event loop, and their journal lines. */
  private group: UsageEvent[] = [];
  private groupLines: string[] = [];
  /** Resolves when the current group is written; undefined while no group is waiting. */
  private groupDone: Promise<void> | undefined;
  private groupResolve: (() => void) | undefined;
  /** Buffered (uncommitted) events per journal segment: a closed segment at 0 can be deleted. */
  private readonly uncommitted = new Map<number, number>();
  /** Segments holding events that are not in memory: replayed from disk. */
  private readonly spilled = new Set<number>();
  private readonly counts = { recorded: 0, committed: 0, duplicates: 0, spilled: 0, dropped: 0, flushFailures: 0, journalErrors: 0, invalidJournalLines: 0 };

  private started = false;
  private closed = false;
  /** Failed flushes in a row (the backoff). */
  private failures = 0;
  private readonly flushFailures: RepeatingFailureLog;
  private chain: Promise<unknown> = Promise.resolve();
  private wakeRequested = false;
  private wakeup: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();

  constructor(store: BillingStore, o: UsageLedgerOptions) {
    const { flush_batch: batch, flush_interval_ms: interval } = o.config;
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError('flush_batch must be a whole number >= 1');
    if (!(interval > 0)) throw new RangeError('flush_interval_ms must be > 0');
    this.clock = o.clock;
    this.interval = interval;
    this.batchSize = batch;
    this.maxBuffered = o.maxBuffered ?? 100_000;
    this.maxBackoff = o.maxBackoffMs ?? 1000;
    this.log = o.log;
    this.flushFailures = new RepeatingFailureLog(o.log, o.clock, { job: 'usage ledger flush', message: 'usage ledger flush failed; retrying with backoff', recovered: 'usage ledger flushing again' });
    this.write = o.write ?? ((events) => writeUsageBatch(store, events));
    this.writeLines = o.writeLines;
    this.journal = o.journalPath === null ? undefined : new UsageJournal(o.journalPath);
  }

  /**
   * Opens the journal, replays what a previous run left in it (idempotently), and starts the
   * flusher. If the database is unreachable the replay is retried by the flusher; starting does
   * not fail for that. Await it before rebuilding spend, so the rebuild sees replayed events.
   * Events recorded before `start` are buffered in memory only.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.journal) {
      const left = this.journal.open();
      const crashed = this.journal.lockTakenOver;
      if (crashed !== null) this.log.warn({ pid: crashed.pid, host: crashed.host }, 'took over the usage journal of a process that did not stop cleanly');
      for (const s of left) this.spilled.add(s.seq);
      if (left.length > 0) this.log.info({ segments: left.length }, 'replaying the usage journal of a previous run');
    }
    try {
      await this.flush();
    } catch (e) {
      this.failures = 1;
      this.log.warn({ err: e }, 'usage journal replay failed; the flusher retries it');
    }
    this.loopDone = this.loop();
  }

  /**
   * Records one finished request: journaled (one write) when this returns. Synchronous, never
   * throws, never waits for the database.
   */
  record(event: UsageEvent): void {
    const e = this.accept(event);
    if (!e) return;
    let seq: number | undefined;
    let line: string | undefined;
    if (this.journal?.isOpen) {
      line = serializeUsageEvent(e);
      try {
        seq = this.journal.append(line);
      } catch (err) {
        this.journalFailed(err);
      }
    }
    this.keep(e, seq, line);
  }

  /**
   * Records one finished request with a group commit: the events recorded in the same turn of the
   * event loop are journaled together by one write (setImmediate, after the turn's I/O callbacks),
   * and the promise resolves once that write is done. A response must await it before its last
   * byte. Never rejects (a failed journal write keeps the events in memory, as `record` does) and
   * never waits for the database. The event may be kept as given (not copied): do not change it
   * afterwards.
   */
  recordGrouped(event: UsageEvent): Promise<void> {
    const e = this.accept(event);
    if (!e) return RESOLVED;
    if (!this.journal?.isOpen) {
      this.keep(e, undefined, undefined);
      return RESOLVED;
    }
    this.group.push(e);
    this.groupLines.push(serializeUsageEvent(e));
    if (!this.groupDone) {
      this.groupDone = new Promise((resolve) => (this.groupResolve = resolve));
      setImmediate(() => this.commitGroup());
    }
    return this.groupDone;
  }

  /** Writes the events waiting for the group commit, with one journal write, and buffers them. */
  private commitGroup(): void {
    const events = this.group;
    const lines = this.groupLines;
    const resolve = this.groupResolve;
    this.group = [];
    this.groupLines = [];
    this.groupDone = undefined;
    this.groupResolve = undefined;
    if (events.length > 0) {
      let seq: number | undefined;
      try {
        if (this.journal?.isOpen) seq = this.journal.appendLines(lines);
      } catch (err) {
        this.journalFailed(err);
      }
      for (let i = 0; i < events.length; i++) this.keep(events[i]!, seq, lines[i]);
    }
    resolve?.();
  }

  /** The event, validated and counted; undefined (counted as dropped) when it cannot be kept. */
  private accept(event: UsageEvent): UsageEvent | undefined {
    const e = parseUsageEvent(event);
    if (typeof e === 'string' || this.closed) {
      this.counts.dropped++;
      this.log.error({ request_id: event?.request_id, reason: typeof e === 'string' ? e : 'ledger closed' }, 'usage event dropped');
      return undefined;
    }
    this.counts.recorded++;
    return e;
  }

  private journalFailed(err: unknown): void {
    if (this.counts.journalErrors++ % 1000 === 0) this.log.error({ err }, 'usage journal write failed; events are held in memory only');
  }

  /** Buffers a recorded event; `seq` is the journal segment holding its line, if it was journaled. */
  private keep(e: UsageEvent, seq: number | undefined, line: string | undefined): void {
    if (this.buffer.length >= this.maxBuffered) {
      if (seq === undefined) {
        if (this.counts.dropped++ % 1000 === 0) this.log.error({ buffered: this.buffer.length }, 'usage buffer full and no journal: events dropped');
      } else {
        this.spilled.add(seq);
        if (this.counts.spilled++ % 1000 === 0) this.log.warn({ buffered: this.buffer.length }, 'usage buffer full: events kept in the journal only');
      }
      return;
    }
    this.buffer.push({ entry: this.writeLines ? (line ?? serializeUsageEvent(e)) : e, seq });
    if (seq !== undefined) this.uncommitted.set(seq, (this.uncommitted.get(seq) ?? 0) + 1);
    // A full batch flushes now, unless the database is failing (then the backoff decides).
    if (this.buffer.length >= this.batchSize && this.failures === 0) this.wake();
  }

  /**
   * Writes everything recorded before this call (memory and spilled journal segments) to the
   * database. Rejects if the database does; nothing is lost then, it stays queued.
   */
  flush(): Promise<void> {
    this.commitGroup();
    return this.exclusive(() => this.drain(this.buffer.length));
  }

  /**
   * Stops the flusher and writes everything left. Call it after the HTTP server has drained
   * (a record after close is dropped). If the database fails now, the events stay in the
   * journal for the next start and `unflushed` says how many were in memory.
   */
  async close(): Promise<{ unflushed: number }> {
    if (this.closed) return { unflushed: this.buffer.length };
    this.commitGroup(); // recorded before close: journaled and flushed with the rest
    this.closed = true;
    this.wakeup?.();
    await this.loopDone;
    try {
      await this.flush();
    } catch (e) {
      this.log.error({ err: e, unflushed: this.buffer.length }, 'usage ledger could not flush at shutdown; the journal keeps the events for the next start');
    }
    if (this.journal) {
      if (this.journal.isOpen) this.rotate();
      this.journal.close(); // releases the lock even after a journal write failure closed the file
    }
    return { unflushed: this.buffer.length };
  }

  stats(): LedgerStats {
    return { ...this.counts, buffered: this.buffer.length };
  }

  /** Events waiting in memory for the database (a gauge). */
  pending(): number {
    return this.buffer.length;
  }

  registerMetrics(metrics: Metrics): void {
    metrics.gauge('tollgate_usage_buffered', 'Usage events not yet written to the store.', [], () => [[{}, this.pending()]]);
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      const delay = this.failures === 0 ? this.interval : Math.min(this.interval * 2 ** this.failures, this.maxBackoff);
      await this.sleep(delay);
      if (this.closed) return;
      try {
        await this.exclusive(() => this.drain(this.buffer.length));
        this.flushFailures.ok();
        this.failures = 0;
      } catch (e) {
        this.counts.flushFailures++;
        this.failures++;
        this.flushFailures.failed(e, { buffered: this.buffer.length });
      }
    }
  }

  /** Writes the first `count` buffered events, then every spilled journal segment. */
  private async drain(count: number): Promise<void> {
    // Events buffered so far now all sit in closed segments, which can be deleted once committed.
    this.rotate();
    let left = count;
    while (left > 0 && this.buffer.length > 0) {
      const batch = this.buffer.slice(0, Math.min(left, this.batchSize));
      const r = this.writeLines ? await this.writeLines(batch.map((b) => b.entry).join('\n')) : await this.write(batch.map((b) => b.entry as UsageEvent));
      // Only this (exclusive) drain removes from the front; `record` only appends.
      this.buffer.splice(0, batch.length);
      left -= batch.length;
      this.counts.committed += r.inserted;
      this.counts.duplicates += r.duplicates;
      for (const b of batch) if (b.seq !== undefined) this.release(b.seq);
    }
    await this.replaySpilled();
  }

  private async replaySpilled(): Promise<void> {
    const journal = this.journal;
    if (!journal || this.spilled.size === 0) return;
    if (this.spilled.has(journal.currentSeq)) this.rotate();
    for (const seq of [...this.spilled].sort((a, b) => a - b)) {
      if (seq === journal.currentSeq) continue; // spilled into while replaying: next round
      for await (const { events, invalid } of readSegment(journal.pathOf(seq), this.batchSize)) {
        const r = await this.write(events);
        this.counts.committed += r.inserted;
        this.counts.duplicates += r.duplicates;
        if (invalid > 0) {
          this.counts.invalidJournalLines += invalid;
          this.log.warn({ segment: journal.pathOf(seq), invalid }, 'skipped unreadable usage journal lines');
        }
      }
      this.spilled.delete(seq);
      if (!this.uncommitted.has(seq)) this.removeSegment(seq);
    }
  }

  /** One buffered event of segment `seq` is committed; delete the segment when it was the last. */
  private release(seq: number): void {
    const n = (this.uncommitted.get(seq) ?? 1) - 1;
    if (n > 0) {
      this.uncommitted.set(seq, n);
      return;
    }
    this.uncommitted.delete(seq);
    if (this.journal && seq !== this.journal.currentSeq && !this.spilled.has(seq)) this.removeSegment(seq);
  }

  /** A segment whose events are all committed. Failing to delete it only costs a replay later. */
  private removeSegment(seq: number): void {
    try {
      this.journal?.remove(seq);
    } catch (err) {
      this.counts.journalErrors++;
      this.log.error({ err, seq }, 'could not delete a committed usage journal segment');
    }
  }

  /** Starts a new journal segment; the closed one goes at once if nothing in it is pending. */
  private rotate(): void {
    const journal = this.journal;
    if (!journal) return;
    let closed: number | undefined;
    try {
      closed = journal.rotate();
    } catch (err) {
      this.counts.journalErrors++;
      this.log.error({ err }, 'usage journal rotation failed');
      return;
    }
    if (closed !== undefined && !this.uncommitted.has(closed) && !this.spilled.has(closed)) this.removeSegment(closed);
  }

  private wake(): void {
    this.wakeRequested = true;
    this.wakeup?.();
  }

  /** Sleeps on the injected clock; `wake` (a full batch) or `close` ends it early. */
  private async sleep(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return;
    }
    const ac = new AbortController();
    const woken = new Promise<void>((resolve) => ac.signal.addEventListener('abort', () => resolve(), { once: true }));
    this.wakeup = () => ac.abort();
    await Promise.race([this.clock.sleep(ms, ac.signal).catch(() => undefined), woken]);
    this.wakeup = undefined;
    ac.abort(); // cancels a real timer that is still pending
    this.wakeRequested = false;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

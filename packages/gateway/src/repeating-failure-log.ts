import type { Logger } from 'pino';
import type { Clock } from './clock.js';

/** How often a failure that goes on is summarised, by default. */
export const SUMMARY_EVERY_MS = 60_000;

/** What one more failure calls for: the streak's first line, a summary, or nothing. */
export type StreakStep = { line: 'first' } | { line: 'summary'; failures: number; failingMs: number } | { line: 'none' };

/**
 * One streak of failures of one thing, counted on an injected clock: the first failure starts it,
 * a failure `summaryEveryMs` or more after the last line calls for a summary (of the failures
 * since that line, this one included), and the first success ends it with how long it lasted
 * and how many failures it had. With `endAfterQuietMs`, for users that never see a success, a
 * failure that long after the previous one starts a new streak. It only counts; what is logged is
 * its users' (RepeatingFailureLog for background jobs, OutageLog for the request path,
 * DispatchOutageLog for routes without an outage policy).
 */
export class FailureStreak {
  private since: number | undefined;
  private total = 0;
  private sinceLine = 0;
  private lastLine = 0;
  private lastFailure = 0;

  constructor(
    private readonly clock: Clock,
    private readonly summaryEveryMs = SUMMARY_EVERY_MS,
    private readonly endAfterQuietMs = Infinity,
  ) {}

  get failing(): boolean {
    return this.since !== undefined;
  }

  failed(): StreakStep {
    const now = this.clock.now();
    if (this.since !== undefined && now - this.lastFailure >= this.endAfterQuietMs) this.ended();
    this.lastFailure = now;
    this.total++;
    if (this.since === undefined) {
      this.since = now;
      this.lastLine = now;
      this.sinceLine = 0;
      return { line: 'first' };
    }
    this.sinceLine++;
    if (now - this.lastLine < this.summaryEveryMs) return { line: 'none' };
    const step = { line: 'summary' as const, failures: this.sinceLine, failingMs: now - this.since };
    this.lastLine = now;
    this.sinceLine = 0;
    return step;
  }

  /** Ends the streak under way: how long it lasted and how many failures it had (undefined: none). */
  ended(): { failingMs: number; failures: number } | undefined {
    if (this.since === undefined) return undefined;
    const end = { failingMs: this.clock.now() - this.since, failures: this.total };
    this.since = undefined;
    this.total = 0;
    this.sinceLine = 0;
    return end;
  }
}

export interface RepeatingFailureLogOptions {
  /** Names the job: the `job` field of every line, and the summary's and recovery's message. */
  job: string;
  /** The first failure's message, word for word (operators' alerts match it). */
  message: string;
  /** Fields every line of this job carries besides `job` (which target it is, say). */
  fields?: Record<string, unknown>;
  /** The recovery's message; default `<job> working again`. */
  recovered?: string;
  /**
   * The level of the first line and the summaries: `warn` (default), or `error` for a failure
   * that leaves something wrong until it is corrected (a settlement abandoned, an answer not stored).
   */
  level?: 'warn' | 'error';
  summaryEveryMs?: number;
}

/**
 * The log of a periodic background job (a flush, an evaluation, a sweep) by state changes, not
 * one line per failed run: during an outage of Redis or the database a job that runs every few
 * seconds would otherwise bury the log in identical lines. The first failure is a warning (or an
 * error, `level`) with its cause (`err`, through the logger's serializer), further failures are counted and
 * summarised at most once per `summaryEveryMs` (`<job> still failing`, with the failures since
 * the last line), and the first success after them is one info line with how long the job failed
 * (`failing_ms`) and how many times (`failures`). One instance per job.
 */
export class RepeatingFailureLog {
  private readonly streak: FailureStreak;

  constructor(
    private readonly log: (Pick<Logger, 'info' | 'warn'> & Partial<Pick<Logger, 'error'>>) | undefined,
    clock: Clock,
    private readonly o: RepeatingFailureLogOptions,
  ) {
    this.streak = new FailureStreak(clock, o.summaryEveryMs);
  }

  get failing(): boolean {
    return this.streak.failing;
  }

  /** A run failed; `fields` go into the line, if this failure makes one. */
  failed(err: unknown, fields: Record<string, unknown> = {}): void {
    const step = this.streak.failed();
    // A logger without `error` (a job's narrowed one) gets the line as a warning.
    const level = this.o.level === 'error' && this.log?.error ? 'error' : 'warn';
    if (step.line === 'first') this.log?.[level]!({ ...this.o.fields, ...fields, job: this.o.job, err }, this.o.message);
    else if (step.line === 'summary') this.log?.[level]!({ ...this.o.fields, ...fields, job: this.o.job, failures: step.failures, failing_ms: step.failingMs, err }, `${this.o.job} still failing`);
  }

  /** A run succeeded: ends a streak of failures, if one was under way. */
  ok(fields?: Record<string, unknown>): void {
    // Runs after every success (a settlement per request): nothing is made unless a streak ends.
    const end = this.streak.ended();
    if (end) this.log?.info({ ...this.o.fields, ...fields, job: this.o.job, failing_ms: end.failingMs, failures: end.failures }, this.o.recovered ?? `${this.o.job} working again`);
  }

  /** Runs the job once and logs how it went; never rejects. Resolves whether the run succeeded. */
  async attempt(run: () => unknown): Promise<boolean> {
    try {
      await run();
    } catch (e) {
      this.failed(e);
      return false;
    }
    this.ok();
    return true;
  }
}

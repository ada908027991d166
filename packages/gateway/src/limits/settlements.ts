/**
 * Settlement of the shared counters, off the request path. A request's answer and its ledger
 * record never wait on the counters: once the response is decided the pipeline records the usage
 * event (the durable truth) and hands the true-up to this queue, which runs it at once and, when
 * the counter store fails (Redis stopped, restarting, timing out), retries it with capped
 * exponential backoff until it lands or its reservation's lease has run out.
 *
 * Retrying is safe because a settlement is idempotent by request id: the store settles a
 * reservation at most once and answers "unknown" afterwards (also when its lease was swept, or
 * the counters were lost with Redis). What a settlement cannot fix — a lease swept first, counters
 * lost — the periodic reconciliation with the ledger repairs (see usage/spend-reconcile.ts).
 *
 * The log gets state changes (first failure, recovery, give-ups), never one line per attempt.
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Metrics } from '../status/metrics.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';

export interface SettlementQueueOptions {
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** First retry delay (doubles per attempt); default 100 ms. */
  retryMs?: number;
  /** Longest retry delay; default 2000 ms, so settlements land within ~2 s of Redis returning. */
  maxRetryMs?: number;
}

export interface SettlementStats {
  /** Settlements not yet landed (in their first attempt or waiting to retry). */
  pending: number;
  settled: number;
  /** Attempts that failed and were retried. */
  retries: number;
  /** Settlements abandoned because their lease ran out (the reconciliation repairs them). */
  abandoned: number;
}

/** Called as methods (`job.run()`): a job may be an object with its own `run`, not only closures. */
export interface Job {
  run(): Promise<void>;
  /** Epoch ms after which the reservation is swept anyway: retrying further is pointless. */
  readonly giveUpAt: number;
  onSettled?(): void;
}

export class SettlementQueue {
  private readonly clock: Clock;
  private readonly log: SettlementQueueOptions['log'];
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  /**
   * Settlements submitted and not yet landed or abandoned. A count, not a set of their promises:
   * a set entry and a `finally` per settlement were a measurable part of a request's settling.
   */
  private pending = 0;
  /** Who waits in `idle()` for `pending` to reach 0. */
  private idleWaiters: Array<() => void> = [];
  private readonly counts = { settled: 0, retries: 0, abandoned: 0 };
  /** Jobs currently failing: > 0 means the store is failing (logged once per streak). */
  private failing = 0;
  /** Give-ups: during a long outage every request's settlement is abandoned; logged by state changes. */
  private readonly abandonments: RepeatingFailureLog;
  private closed = false;
  private readonly stop = new AbortController();

  constructor(o: SettlementQueueOptions) {
    this.clock = o.clock;
    this.log = o.log;
    this.abandonments = new RepeatingFailureLog(o.log, o.clock, {
      job: 'counter settlements',
      message: 'counter settlement abandoned; the lease sweep and the reconciliation with the ledger will correct it',
      recovered: 'counter settlements no longer abandoned',
      level: 'error',
    });
    this.retryMs = o.retryMs ?? 100;
    this.maxRetryMs = o.maxRetryMs ?? 2000;
    // Every retrying settlement sleeps on this one signal: during an outage there is one listener
    // per request in flight, not a leak, so Node's warning past 10 listeners would be noise.
    setMaxListeners(0, this.stop.signal);
  }

  /** Starts the settlement now and keeps retrying it in the background; never throws. */
  submit(job: Job): void {
    this.pending++;
    void this.drive(job).then(this.landed, (err: unknown) => {
      this.landed();
      throw err; // onSettled threw (it must not): surfaced as an unhandled rejection, as before
    });
  }

  stats(): SettlementStats {
    return { pending: this.pending, ...this.counts };
  }

  registerMetrics(metrics: Metrics): void {
    metrics.gauge('tollgate_settlements_pending', 'Counter settlements not yet landed (running or retrying in the background).', [], () => [[{}, this.stats().pending]]);
  }

  /** Resolves once every settlement submitted so far has landed or been abandoned. */
  async idle(): Promise<void> {
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Waits up to `graceMs` for pending settlements, then stops retrying. What is left is charged
   * in full by the lease sweep and repaired by the reconciliation, never lost from the ledger.
   */
  async close(graceMs = 2000): Promise<void> {
    if (this.closed) return;
    const timer = new AbortController();
    await Promise.race([this.idle(), this.clock.sleep(graceMs, timer.signal).catch(() => undefined)]);
    timer.abort();
    this.closed = true;
    this.stop.abort();
    await this.idle();
  }

  private readonly landed = (): void => {
    if (--this.pending > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  };

  private async drive(job: Job): Promise<void> {
    let delay = this.retryMs;
    let failed = false;
    for (;;) {
      try {
        await job.run();
        this.counts.settled++;
        this.abandonments.ok();
        if (failed && --this.failing === 0) this.log.info({ pending: this.pending - 1 }, 'counter settlements landing again');
        job.onSettled?.();
        return;
      } catch (err) {
        if (!failed) {
          failed = true;
          if (this.failing++ === 0) this.log.warn({ err }, 'counter settlement failed; retrying in the background');
        }
        if (this.closed || this.clock.now() + delay > job.giveUpAt) {
          this.counts.abandoned++;
          this.failing--;
          this.abandonments.failed(err);
          return;
        }
        this.counts.retries++;
        try {
          await this.clock.sleep(delay, this.stop.signal);
        } catch {
          // closing: one last attempt happens on the next loop turn, then it is abandoned
        }
        delay = Math.min(delay * 2, this.maxRetryMs);
      }
    }
  }
}

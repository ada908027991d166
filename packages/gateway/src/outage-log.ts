import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { ApiError } from './errors/api-error.js';
import { errorText } from './logger.js';
import { isDependencyOutage } from './store/outage.js';
import { FailureStreak, SUMMARY_EVERY_MS } from './repeating-failure-log.js';

/**
 * Logs a dependency outage (Redis, the database) by its state changes and counts, not one line
 * per failed request: thousands of requests refused during an outage would otherwise bury the
 * log. The first failure logs an error (with its cause), then one summary per `summaryEveryMs`
 * while it lasts (requests failed since the last line), and the first success after it logs how
 * long it lasted and how many requests failed in all.
 */
export class OutageLog {
  private readonly streak: FailureStreak;

  /** What a refused caller is told could not be reached (`{store}` of `store_unavailable`). */
  private readonly store: string;

  /**
   * `dependency` names it in the log, and its first word says which store it is: `database (…)`,
   * `redis (…)` (told as "Redis server"), or `counter store`.
   */
  constructor(
    private readonly log: Logger | undefined,
    private readonly dependency: string,
    clock: Clock,
    summaryEveryMs = SUMMARY_EVERY_MS,
  ) {
    this.streak = new FailureStreak(clock, summaryEveryMs);
    this.store = /^redis\b/i.test(dependency) ? 'Redis server' : /^database\b/.test(dependency) ? 'database' : dependency;
  }

  get down(): boolean {
    return this.streak.failing;
  }

  /**
   * Runs a request's call to the dependency. An outage of it (store/outage.ts) becomes 503
   * `store_unavailable` (retryable, no retry hint: the gateway cannot know when it is back, so
   * clients back off) and is counted here; any other exception is a fault of ours and propagates
   * (a 500). An answer, including a refusal the caller gets as an ApiError (a limit's 429), ends
   * an outage under way.
   */
  async guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      const result = await op();
      this.ok();
      return result;
    } catch (e) {
      throw this.refusal(e);
    }
  }

  /**
   * What `guard` throws for what its call threw: for a caller on the hot path that runs the call
   * in its own try (`ok()` after it answered), without a closure and a promise more per request.
   */
  refusal(e: unknown): unknown {
    if (e instanceof ApiError) this.ok();
    if (e instanceof ApiError || !isDependencyOutage(e)) return e;
    this.failed(e);
    return new ApiError('store_unavailable', { store: this.store }, { cause: e });
  }

  /** A request failed because the dependency did not answer. */
  failed(err: unknown): void {
    const step = this.streak.failed();
    if (step.line === 'first') {
      this.log?.error({ err, dependency: this.dependency }, `${this.dependency} unavailable: requests that need it get 503 until it is back`);
    } else if (step.line === 'summary') {
      this.log?.warn({ dependency: this.dependency, failed_requests: step.failures, down_ms: step.failingMs, err: errorText(err) }, `${this.dependency} still unavailable`);
    }
  }

  /** A request got its answer from the dependency: ends an outage, if one was under way. */
  ok(): void {
    const end = this.streak.ended();
    if (end) this.log?.info({ dependency: this.dependency, down_ms: end.failingMs, failed_requests: end.failures }, `${this.dependency} available again`);
  }
}

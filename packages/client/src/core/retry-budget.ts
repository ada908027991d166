/**
 * A retry budget: a token bucket of retries shared by every request of a client (or of several
 * clients, if they are given the same one). Each request earns `ratio` of a retry, time earns
 * `minPerSecond`, and each retry spends one; with the bucket empty, errors are thrown instead of
 * retried. So while a server is failing, the retries add at most `ratio` (10 %) to the load plus
 * a small floor, instead of multiplying it by `maxRetries + 1` (Google SRE book, "Handling
 * Overload": per-client retries kept under 10 % of requests; Finagle's RetryBudget).
 * @module
 */

export interface RetryBudgetOptions {
  /** Retries earned per request. Default 0.1. */
  ratio?: number;
  /** Retries earned per second regardless of traffic, so a quiet client can still retry. Default 0.1. */
  minPerSecond?: number;
  /** Most retries that can be saved up, and the starting balance. Default 10. */
  burst?: number;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
}

export class RetryBudget {
  private readonly ratio: number;
  private readonly minPerSecond: number;
  private readonly burst: number;
  private readonly now: () => number;
  private balance: number;
  private at: number;

  constructor(opts: RetryBudgetOptions = {}) {
    this.ratio = opts.ratio ?? 0.1;
    this.minPerSecond = opts.minPerSecond ?? 0.1;
    this.burst = opts.burst ?? 10;
    this.now = opts.now ?? Date.now;
    this.balance = this.burst;
    this.at = this.now();
  }

  private refill(): void {
    const t = this.now();
    this.balance = Math.min(this.burst, this.balance + (Math.max(0, t - this.at) / 1000) * this.minPerSecond);
    this.at = t;
  }

  /** Called once per request (not per attempt). */
  recordRequest(): void {
    this.refill();
    this.balance = Math.min(this.burst, this.balance + this.ratio);
  }

  /** Spends one retry if the budget has one. */
  tryRetry(): boolean {
    this.refill();
    // The epsilon keeps ten deposits of 0.1 worth one retry despite binary fractions.
    if (this.balance < 1 - 1e-9) return false;
    this.balance = Math.max(0, this.balance - 1);
    return true;
  }

  /** Retries currently available (fractional). */
  available(): number {
    this.refill();
    return this.balance;
  }
}

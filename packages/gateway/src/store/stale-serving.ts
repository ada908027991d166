/**
 * Stale-while-revalidate for the request path's caches of database state (API keys, rate-limit
 * overrides, organization spend limits). Past its TTL an entry is still served, at once, for up to
 * `maxStaleMs` after it was loaded, while one refresh per entry runs in the background; only an
 * entry older than that (or never loaded) makes a request wait for the database, whose waits are
 * bounded by the pool's timeouts, and a failure there is a retryable 503.
 *
 * So a database that is down or stalled costs warm keys nothing for `maxStaleMs`, and no request
 * waits seconds on it. While refreshes fail, a new one starts at most every `retryMs` (the
 * database is not hammered), and the log gets the first failure and the recovery, not every try.
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { isDependencyOutage } from './outage.js';

export class StaleServing {
  private readonly running = new Map<string, Promise<void>>();
  /** When the last refresh failed (any failure throttles the next tries), until one succeeds. */
  private failedAt: number | undefined;
  /** The last failure was a database outage: logged at its start and at its end. */
  private down = false;

  constructor(
    private readonly clock: Clock,
    readonly maxStaleMs: number,
    private readonly what: string,
    private readonly log?: Pick<Logger, 'info' | 'warn' | 'error'>,
    private readonly retryMs = 1000,
  ) {}

  /** Whether an entry loaded at `loadedAt` may still be served. */
  usable(loadedAt: number): boolean {
    return this.clock.now() - loadedAt < this.maxStaleMs;
  }

  /** Starts `load` in the background for `key` unless one runs or one failed within retryMs. */
  refresh(key: string, load: () => Promise<unknown>): void {
    if (this.running.has(key)) return;
    if (this.failedAt !== undefined && this.clock.now() - this.failedAt < this.retryMs) return;
    const p = load().then(
      () => {
        if (this.down) this.log?.info({ cache: this.what }, 'database answering again; cache refreshed');
        this.down = false;
        this.failedAt = undefined;
      },
      (err: unknown) => {
        this.failedAt = this.clock.now();
        // Only an outage is reported as one (store/outage.ts); a fault of ours is logged as such.
        if (!isDependencyOutage(err)) this.log?.error({ err, cache: this.what }, 'refreshing a cached entry failed (not a database outage)');
        else if (!this.down) {
          this.down = true;
          this.log?.warn({ err, cache: this.what, max_stale_ms: this.maxStaleMs }, 'database unavailable; serving cached entries while they are fresh enough');
        }
      },
    );
    const tracked = p.finally(() => this.running.delete(key));
    this.running.set(key, tracked);
  }

  /** Resolves when no refresh runs (tests, close). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }
}

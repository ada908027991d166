/**
 * What the once-per-period notifiers (the soft limit, spend alerts) share: the memory of what has
 * fired here, so later settlements skip the database, and the deliveries in progress, so that
 * shutdown and tests can wait for them. "Once" itself is the notifier's database row.
 * @module
 */
import type { Logger } from 'pino';
import type { Attempt } from '../http/webhook-delivery.js';

const MEMO_CAP = 100_000;

export class NotificationBook {
  private readonly fired = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly log: Pick<Logger, 'warn'>,
    /** Names the notifier in the warning when its bookkeeping fails. */
    private readonly what: string,
  ) {}

  has(key: string): boolean {
    return this.fired.has(key);
  }

  remember(key: string): void {
    // Bounded: entries of past periods are only an optimization, so forgetting them is safe.
    if (this.fired.size >= MEMO_CAP) this.fired.clear();
    this.fired.add(key);
  }

  /** Counts `p` as work in progress until it settles: `idle()` waits for it. */
  track(p: Promise<void>): void {
    const t = p.catch((e: unknown) => this.log.warn({ err: e }, `${this.what} delivery bookkeeping failed`)).finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }

  /** Resolves when nothing tracked is in progress. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }
}

/** The columns a notification row takes after a delivery attempt made at `now`. */
export function attemptColumns(a: Attempt, now: number) {
  return a.delivered
    ? { status: 'delivered' as const, attempts: a.attempt, last_error: null, delivered_at: now }
    : { status: a.last ? ('failed' as const) : ('pending' as const), attempts: a.attempt, last_error: a.error!.slice(0, 500) };
}

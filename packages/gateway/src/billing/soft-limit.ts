/**
 * Soft-limit notifications: when an organization's spend in a period reaches its soft limit, one
 * webhook is sent (config.billing.soft_limit_webhook_url) and the attempt is recorded.
 *
 * Once per (organization, period), across instances: the notification is a row whose primary key
 * is (org_id, period), inserted with ON CONFLICT DO NOTHING; only the instance whose insert
 * created the row delivers (http/webhook-delivery.ts: retried with exponential backoff on the
 * injected clock); each attempt updates the row (status, attempts, last_error, delivered_at).
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { CounterStore } from '../limits/counter-store.js';
import { periodOf, spendKey } from './period.js';
import { picoToUsd, toPico } from './pricing.js';
import { billingDb, type BillingStore, type SoftLimitStatus } from '../store/billing-tables.js';
import { moneyText } from './money-column.js';
import { DEFAULT_RETRY, deliverWebhook, retryWindowMs } from '../http/webhook-delivery.js';
import { attemptColumns, NotificationBook } from './notification-book.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';

export interface SoftLimitNotifierOptions {
  clock: Clock;
  fetch: typeof fetch;
  /** Null: crossings are still recorded (status `no_webhook`) but nothing is sent. */
  webhookUrl: string | null;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Delivery attempts in all (default 6). */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt (default 1 s). */
  baseDelayMs?: number;
  /** Longest retry delay (default 60 s). */
  maxDelayMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
}

export interface SoftLimitPayload {
  object: 'organization.soft_limit_notification';
  type: 'soft_limit.reached';
  id: string;
  organization_id: string;
  period: string;
  spend_usd: number;
  soft_limit_usd: number;
  /** Unix seconds when the crossing was detected. */
  created_at: number;
}

export class SoftLimitNotifier {
  private readonly o: Required<Omit<SoftLimitNotifierOptions, 'webhookUrl'>> & { webhookUrl: string | null; store: BillingStore };
  /** (org, period) pairs known to have a row (later settlements skip the database); deliveries in progress. */
  private readonly book: NotificationBook;

  constructor(store: BillingStore, o: SoftLimitNotifierOptions) {
    this.o = { ...DEFAULT_RETRY, ...o, store };
    this.book = new NotificationBook(o.log, 'soft limit');
  }

  /** True when this (organization, period) is already known to have fired here. */
  alreadyFired(orgId: string, period: string): boolean {
    return this.book.has(memoKey(orgId, period));
  }

  /**
   * Called after settlement with the organization's spend. Resolves true when this call detected
   * the crossing (and started the delivery), false otherwise. Delivery continues in background;
   * `idle()` waits for it.
   */
  async check(orgId: string, spentPico: bigint, softLimitPico: bigint | null, period: string): Promise<boolean> {
    if (softLimitPico === null || spentPico < softLimitPico) return false;
    const key = memoKey(orgId, period);
    if (this.book.has(key)) return false;
    const now = this.o.clock.now();
    const status: SoftLimitStatus = this.o.webhookUrl === null ? 'no_webhook' : 'pending';
    const created = await billingDb(this.o.store)
      .insertInto('soft_limit_notifications')
      .values({ org_id: orgId, period, spend_pico: spentPico, limit_pico: softLimitPico, status, attempts: 0, last_error: null, created_at: now, delivered_at: null })
      .onConflict((oc) => oc.columns(['org_id', 'period']).doNothing())
      .returning('org_id')
      .execute();
    this.book.remember(key);
    if (created.length === 0) return false;
    this.o.log.info({ org_id: orgId, period, spend_usd: picoToUsd(spentPico), soft_limit_usd: picoToUsd(softLimitPico) }, 'soft limit reached');
    if (this.o.webhookUrl !== null) this.track(this.deliver(orgId, period, spentPico, softLimitPico, now, 0));
    return true;
  }

  /**
   * Resumes deliveries left pending by a process that stopped mid-retry. Only rows older than a
   * whole retry schedule are taken, so a delivery another live instance is still retrying is not
   * sent twice. Returns how many were resumed.
   */
  async resumePending(): Promise<number> {
    if (this.o.webhookUrl === null) return 0;
    const cutoff = this.o.clock.now() - retryWindowMs(this.o);
    const rows = await billingDb(this.o.store)
      .selectFrom('soft_limit_notifications')
      .select(['org_id', 'period', 'created_at', 'attempts', moneyText('spend_pico').as('spend'), moneyText('limit_pico').as('limit')])
      .where('status', '=', 'pending')
      .where('created_at', '<', cutoff)
      .execute();
    for (const r of rows) {
      this.book.remember(memoKey(r.org_id, r.period));
      this.track(this.deliver(r.org_id, r.period, toPico(r.spend), toPico(r.limit), Number(r.created_at), r.attempts));
    }
    return rows.length;
  }

  /** Resolves when no check (from the settlement hook) or delivery is in progress. */
  idle(): Promise<void> {
    return this.book.idle();
  }

  private async deliver(orgId: string, period: string, spent: bigint, limit: bigint, createdAt: number, attemptsSoFar: number): Promise<void> {
    const url = this.o.webhookUrl!;
    const payload: SoftLimitPayload = {
      object: 'organization.soft_limit_notification',
      type: 'soft_limit.reached',
      id: `${orgId}:${period}`,
      organization_id: orgId,
      period,
      spend_usd: picoToUsd(spent),
      soft_limit_usd: picoToUsd(limit),
      created_at: Math.floor(createdAt / 1000),
    };
    const body = JSON.stringify(payload);
    const row = () => billingDb(this.o.store).updateTable('soft_limit_notifications').where('org_id', '=', orgId).where('period', '=', period);
    const final = await deliverWebhook(this.o, { url, body, headers: () => notificationHeaders(payload.id) }, attemptsSoFar, async (a) => {
      await row().set(attemptColumns(a, this.o.clock.now())).execute();
    });
    if (final?.delivered) this.o.log.info({ org_id: orgId, period, attempts: final.attempt }, 'soft limit webhook delivered');
    else if (final) this.o.log.warn({ org_id: orgId, period, attempts: final.attempt, error: final.error }, 'soft limit webhook failed');
  }

  /** Counts `p` as work in progress until it settles: `idle()` waits for it. */
  track(p: Promise<void>): void {
    this.book.track(p);
  }
}

/**
 * The request path's `afterSettle(orgId)`: reads the organization's soft limit (from the
 * caller's cache) and, only when there is one not yet fired, its spend, then checks. Never
 * throws and never delays the response.
 */
export function createSoftLimitHook(d: {
  notifier: SoftLimitNotifier;
  counters: Pick<CounterStore, 'spendOf'>;
  clock: Clock;
  softLimitOf: (orgId: string) => bigint | null | undefined | Promise<bigint | null | undefined>;
  log: Pick<Logger, 'info' | 'warn'>;
}): (orgId: string) => void {
  // One per hook (one per process): during an outage every settlement's check fails, so the log
  // gets the first failure, a summary a minute and the recovery, not a line per request.
  const failures = new RepeatingFailureLog(d.log, d.clock, { job: 'soft limit checks', message: 'soft limit check failed' });
  return (orgId) => {
    // Tracked by the notifier, so a caller (shutdown, a test) can wait until the check is done.
    d.notifier.track((async () => {
      const soft = await d.softLimitOf(orgId);
      if (soft === null || soft === undefined) return;
      const period = periodOf(d.clock.now());
      if (d.notifier.alreadyFired(orgId, period.key)) return;
      const spend = await d.counters.spendOf(orgId, spendKey(orgId, period.startMs));
      await d.notifier.check(orgId, spend.spent, soft, period.key);
      // Only a check that read the spend ends a streak: one that stopped early (no soft limit, or
      // fired already) read nothing but caches, and proves nothing about the counters.
      failures.ok();
    })().catch((err: unknown) => failures.failed(err, { org_id: orgId })));
  };
}

/** The headers of a billing notification webhook. */
export function notificationHeaders(id: string): Record<string, string> {
  return { 'content-type': 'application/json', 'user-agent': 'tollgate', 'x-tollgate-notification-id': id };
}

function memoKey(orgId: string, period: string): string {
  return `${period}\u0000${orgId}`;
}

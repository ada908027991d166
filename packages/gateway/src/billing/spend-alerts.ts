/**
 * Spend-alert notifications: when the month's spend of an organization, or of one of its projects,
 * reaches one of its spend alerts' thresholds, one notification is sent for that alert and month,
 * the way the soft limit notifies (soft-limit.ts): a log event (`spend alert reached`) and a POST of
 * the payload below to the billing webhook (`billing.soft_limit_webhook_url`), whose receiver
 * e-mails the alert's recipients; Tollgate itself sends no e-mail.
 *
 * Once per (alert, period), across instances and under concurrency: the notification is a row of
 * `spend_alert_notifications` whose primary key is (alert_id, period), inserted with ON CONFLICT
 * DO NOTHING; only the caller whose insert created the row delivers (retried with backoff on the
 * injected clock), and each attempt updates the row. A changed threshold re-arms the alert for
 * the month (the update forgets the month's row; the memory here keys on the threshold too).
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { CounterStore } from '../limits/counter-store.js';
import { DEFAULT_RETRY, deliverWebhook, retryWindowMs } from '../http/webhook-delivery.js';
import type { SpendAlert, Store } from '../store/index.js';
import { attemptColumns, NotificationBook } from './notification-book.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';
import { periodOf, projectSpendKey, spendKey } from './period.js';
import { PICO_PER_CENT, picoToUsd } from './pricing.js';
import { notificationHeaders, type SoftLimitNotifierOptions } from './soft-limit.js';

/** The same delivery options as the soft limit's (one billing webhook). */
export type SpendAlertNotifierOptions = SoftLimitNotifierOptions;

/** What the webhook receives (JSON), one per alert and month. */
export interface SpendAlertPayload {
  object: 'spend_alert.notification';
  type: 'spend_alert.reached';
  /** `<alert id>:<YYYY-MM>`, also in the `x-tollgate-notification-id` header. */
  id: string;
  organization_id: string;
  /** null: the organization's spend. */
  project_id: string | null;
  period: string;
  /** The alert as the Administration API shows it: who to e-mail and what to prefix the subject with. */
  alert: {
    object: 'organization.spend_alert' | 'project.spend_alert';
    id: string;
    threshold_amount: number;
    currency: 'USD';
    interval: 'month';
    notification_channel: { type: 'email'; recipients: string[]; subject_prefix: string | null };
  };
  /** The month's spend when the crossing was seen, in USD. */
  spend_usd: number;
  /** Unix seconds when the crossing was detected. */
  created_at: number;
}

export class SpendAlertNotifier {
  private readonly o: Required<Omit<SpendAlertNotifierOptions, 'webhookUrl'>> & { webhookUrl: string | null };
  /** (alert, threshold, period) known to have a row here; deliveries in progress. */
  private readonly book: NotificationBook;

  constructor(
    private readonly store: Store,
    o: SpendAlertNotifierOptions,
  ) {
    this.o = { ...DEFAULT_RETRY, ...o };
    this.book = new NotificationBook(o.log, 'spend alert');
  }

  /** True when this alert (at its threshold) is known to have fired here in `period`. */
  alreadyFired(a: SpendAlert, period: string): boolean {
    return this.book.has(memoKey(a, period));
  }

  /**
   * Called after a settlement with the spend the alert watches. Resolves true when this call
   * detected the crossing (and started the delivery), false otherwise.
   */
  async check(a: SpendAlert, spentPico: bigint, period: string): Promise<boolean> {
    if (spentPico < a.thresholdPico) return false;
    const key = memoKey(a, period);
    if (this.book.has(key)) return false;
    const now = this.o.clock.now();
    const created = await this.store.db
      .insertInto('spend_alert_notifications')
      .values({ alert_id: a.id, period, spend_pico: spentPico, threshold_pico: a.thresholdPico, status: this.o.webhookUrl === null ? 'no_webhook' : 'pending', attempts: 0, last_error: null, created_at: now, delivered_at: null })
      .onConflict((oc) => oc.columns(['alert_id', 'period']).doNothing())
      .returning('alert_id')
      .execute();
    this.book.remember(key);
    if (created.length === 0) return false;
    const payload = payloadOf(a, period, spentPico, now);
    this.o.log.info({ org_id: a.orgId, project_id: a.projectId, alert_id: a.id, period, spend_usd: payload.spend_usd, threshold_amount: payload.alert.threshold_amount, recipients: a.recipients.length }, 'spend alert reached');
    if (this.o.webhookUrl !== null) this.track(this.deliver(payload, 0));
    return true;
  }

  /**
   * Resumes deliveries left pending by a process that stopped mid-retry (rows older than a whole
   * retry schedule, so a delivery another live instance is retrying is not sent twice).
   */
  async resumePending(): Promise<number> {
    if (this.o.webhookUrl === null) return 0;
    const rows = await this.store.db
      .selectFrom('spend_alert_notifications as n')
      .innerJoin('spend_alerts as a', 'a.id', 'n.alert_id')
      .select(['n.alert_id', 'n.period', 'n.attempts', 'n.created_at', 'a.org_id', 'a.project_id', 'a.recipients', 'a.subject_prefix', 'a.created_at as alert_created_at'])
      .select((eb) => [eb.cast<string>('n.spend_pico', 'text').as('spend'), eb.cast<string>('a.threshold_pico', 'text').as('threshold')])
      .where('n.status', '=', 'pending')
      .where('n.created_at', '<', this.o.clock.now() - retryWindowMs(this.o))
      .execute();
    for (const r of rows) {
      const alert: SpendAlert = { id: r.alert_id, orgId: r.org_id, projectId: r.project_id, thresholdPico: BigInt(r.threshold), recipients: JSON.parse(r.recipients) as string[], subjectPrefix: r.subject_prefix, createdAt: Number(r.alert_created_at) };
      this.book.remember(memoKey(alert, r.period));
      this.track(this.deliver(payloadOf(alert, r.period, BigInt(r.spend), Number(r.created_at)), r.attempts));
    }
    return rows.length;
  }

  /** Resolves when no check (from the settlement hook) or delivery is in progress. */
  idle(): Promise<void> {
    return this.book.idle();
  }

  track(p: Promise<void>): void {
    this.book.track(p);
  }

  private async deliver(payload: SpendAlertPayload, attemptsSoFar: number): Promise<void> {
    const row = () => this.store.db.updateTable('spend_alert_notifications').where('alert_id', '=', payload.alert.id).where('period', '=', payload.period);
    const final = await deliverWebhook(this.o, { url: this.o.webhookUrl!, body: JSON.stringify(payload), headers: () => notificationHeaders(payload.id) }, attemptsSoFar, async (a) => {
      await row().set(attemptColumns(a, this.o.clock.now())).execute();
    });
    const fields = { alert_id: payload.alert.id, period: payload.period, attempts: final?.attempt };
    if (final?.delivered) this.o.log.info(fields, 'spend alert webhook delivered');
    else if (final) this.o.log.warn({ ...fields, error: final.error }, 'spend alert webhook failed');
  }
}

function payloadOf(a: SpendAlert, period: string, spentPico: bigint, detectedAt: number): SpendAlertPayload {
  return {
    object: 'spend_alert.notification',
    type: 'spend_alert.reached',
    id: `${a.id}:${period}`,
    organization_id: a.orgId,
    project_id: a.projectId,
    period,
    alert: {
      object: a.projectId === null ? 'organization.spend_alert' : 'project.spend_alert',
      id: a.id,
      threshold_amount: Number(a.thresholdPico / PICO_PER_CENT),
      currency: 'USD',
      interval: 'month',
      notification_channel: { type: 'email', recipients: a.recipients, subject_prefix: a.subjectPrefix },
    },
    spend_usd: picoToUsd(spentPico),
    created_at: Math.floor(detectedAt / 1000),
  };
}

/**
 * The request path's after-settlement step for spend alerts: the alerts of the organization and
 * of the request's project (from the caller's cache), and, only when one has not fired yet this
 * month, the spend it watches, read from the counters. Never throws and never delays the response.
 */
export function createSpendAlertHook(d: {
  notifier: SpendAlertNotifier;
  counters: Pick<CounterStore, 'spendOf'>;
  clock: Clock;
  alertsOf: (orgId: string) => Promise<readonly SpendAlert[]>;
  log: Pick<Logger, 'info' | 'warn'>;
}): (orgId: string, projectId?: string) => void {
  // One per hook (one per process): logged by state changes, as the soft limit's checks are.
  const failures = new RepeatingFailureLog(d.log, d.clock, { job: 'spend alert checks', message: 'spend alert check failed' });
  return (orgId, projectId) => {
    d.notifier.track((async () => {
      const alerts = await d.alertsOf(orgId);
      if (alerts.length === 0) return;
      const period = periodOf(d.clock.now());
      const due = alerts.filter((a) => (a.projectId === null || a.projectId === projectId) && !d.notifier.alreadyFired(a, period.key));
      if (due.length === 0) return;
      const org = due.some((a) => a.projectId === null) ? (await d.counters.spendOf(orgId, spendKey(orgId, period.startMs))).spent : 0n;
      const project = projectId !== undefined && due.some((a) => a.projectId !== null) ? (await d.counters.spendOf(orgId, projectSpendKey(projectId, period.startMs))).spent : 0n;
      for (const a of due) await d.notifier.check(a, a.projectId === null ? org : project, period.key);
      // Only a check that read the spend ends a streak (an early return read nothing but caches).
      failures.ok();
    })().catch((err: unknown) => failures.failed(err, { org_id: orgId })));
  };
}

function memoKey(a: SpendAlert, period: string): string {
  return `${period}\u0000${a.id}\u0000${a.thresholdPico}`;
}

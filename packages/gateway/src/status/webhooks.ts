/**
 * Signed webhooks on every incident change, in Statuspage's payload shape
 * (`{meta, page: {id, status_indicator, status_description}, incident}`).
 *
 * Each delivery is a row (pending → delivered | failed) and is retried with exponential backoff
 * on the injected clock by the delivery loop the soft-limit webhook uses (http/webhook-delivery.ts). The signature lets the receiver check the
 * sender and reject replays: `x-tollgate-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>" with the shared secret>`.
 * @module
 */
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { webhookSecretProblems } from '../config/needed-env.js';
import { webhookLabel } from '../config/redact-url.js';
import type { Config } from '../config/types.js';
import { ConfigError } from '../config/validate.js';
import { DEFAULT_RETRY, deliverWebhook } from '../http/webhook-delivery.js';
import { webhookSecretEnv } from './config.js';
import { newIncidentId } from './incidents.js';
import { statusDb, type StatusStore } from './tables.js';

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface WebhookOptions {
  clock: Clock;
  fetch: typeof fetch;
  log: Pick<Logger, 'info' | 'warn'>;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
}

/**
 * The configured `status.webhooks` with their signing secrets read from the environment (each
 * target's `secret_env`, default TOLLGATE_STATUS_WEBHOOK_SECRET). A missing secret is found when
 * the config is loaded (config/needed-env.ts); given an `env` without it, this throws the same
 * ConfigError: an unsigned webhook is never sent.
 */
export function webhookTargetsFrom(config: Pick<Config, 'status'>, env: Record<string, string | undefined>): WebhookTarget[] {
  const missing = webhookSecretProblems(config, env);
  if (missing.length > 0) throw new ConfigError(missing);
  return config.status.webhooks.map((w) => ({ url: w.url, secret: env[webhookSecretEnv(w)]! }));
}

export function signature(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export class StatusWebhooks {
  private readonly inflight = new Set<Promise<void>>();
  private readonly o: Required<WebhookOptions>;

  constructor(
    private readonly store: StatusStore,
    private readonly targets: readonly WebhookTarget[],
    o: WebhookOptions,
  ) {
    this.o = { ...DEFAULT_RETRY, ...o };
  }

  /** Queues one delivery per target; returns at once (deliveries continue in background). */
  async send(event: string, payload: unknown): Promise<void> {
    const now = this.o.clock.now();
    for (const t of this.targets) {
      const id = `whd_${newIncidentId()}`;
      const body = JSON.stringify(payload);
      await statusDb(this.store).insertInto('status_webhook_deliveries').values({ id, url: webhookLabel(t.url), payload: body, status: 'pending', attempts: 0, last_error: null, created_at: now, delivered_at: null }).execute();
      this.track(this.deliver(id, t, event, body));
    }
  }

  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private async deliver(id: string, t: WebhookTarget, event: string, body: string): Promise<void> {
    const row = () => statusDb(this.store).updateTable('status_webhook_deliveries').where('id', '=', id);
    const headers = () => ({ 'content-type': 'application/json', 'user-agent': 'tollgate', 'x-tollgate-event': event, 'x-tollgate-delivery': id, 'x-tollgate-signature': signature(t.secret, Math.floor(this.o.clock.now() / 1000), body) });
    const final = await deliverWebhook(this.o, { url: t.url, body, headers }, 0, async (a) => {
      await (a.delivered
        ? row().set({ status: 'delivered', attempts: a.attempt, last_error: null, delivered_at: this.o.clock.now() })
        : row().set({ status: a.last ? 'failed' : 'pending', attempts: a.attempt, last_error: a.error!.slice(0, 500) })
      ).execute();
    });
    if (final && !final.delivered) this.o.log.warn({ delivery: id, url: webhookLabel(t.url), attempts: final.attempt, error: final.error }, 'status webhook failed');
  }

  private track(p: Promise<void>): void {
    const t = p.catch((e: unknown) => this.o.log.warn({ err: e }, 'status webhook bookkeeping failed')).finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }
}

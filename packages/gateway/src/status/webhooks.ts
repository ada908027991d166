/**
 * Signed webhooks on every incident change, in Statuspage's payload shape
 * (`{meta, page: {id, status_indicator, status_description}, incident}`).
 *
 * Each delivery is a row (pending → delivered | failed) and is retried with exponential backoff
 * on the injected clock, like the soft-limit webhook. The signature lets the receiver check the
 * sender and reject replays: `x-tollgate-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>" with the shared secret>`.
 * @module
 */
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
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
    this.o = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: 10_000, ...o };
  }

  /** Queues one delivery per target; returns at once (deliveries continue in background). */
  async send(event: string, payload: unknown): Promise<void> {
    const now = this.o.clock.now();
    for (const t of this.targets) {
      const id = `whd_${newIncidentId()}`;
      const body = JSON.stringify(payload);
      await statusDb(this.store).insertInto('status_webhook_deliveries').values({ id, url: t.url, payload: body, status: 'pending', attempts: 0, last_error: null, created_at: now, delivered_at: null }).execute();
      this.track(this.deliver(id, t, event, body));
    }
  }

  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private async deliver(id: string, t: WebhookTarget, event: string, body: string): Promise<void> {
    const db = statusDb(this.store);
    for (let attempt = 1; attempt <= this.o.maxAttempts; attempt++) {
      let error: string;
      let permanent = false;
      try {
        const ts = Math.floor(this.o.clock.now() / 1000);
        const res = await this.o.fetch(t.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'tollgate', 'x-tollgate-event': event, 'x-tollgate-delivery': id, 'x-tollgate-signature': signature(t.secret, ts, body) },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        await res.body?.cancel().catch(() => undefined);
        if (res.ok) {
          await db.updateTable('status_webhook_deliveries').set({ status: 'delivered', attempts: attempt, last_error: null, delivered_at: this.o.clock.now() }).where('id', '=', id).execute();
          return;
        }
        error = `HTTP ${res.status}`;
        permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      const last = permanent || attempt === this.o.maxAttempts;
      await db.updateTable('status_webhook_deliveries').set({ status: last ? 'failed' : 'pending', attempts: attempt, last_error: error.slice(0, 500) }).where('id', '=', id).execute();
      if (last) {
        this.o.log.warn({ delivery: id, url: t.url, attempts: attempt, error }, 'status webhook failed');
        return;
      }
      await this.o.clock.sleep(Math.min(this.o.baseDelayMs * 2 ** (attempt - 1), this.o.maxDelayMs));
    }
  }

  private track(p: Promise<void>): void {
    const t = p.catch((e: unknown) => this.o.log.warn({ err: e }, 'status webhook bookkeeping failed')).finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }
}

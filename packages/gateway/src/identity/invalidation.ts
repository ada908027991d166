import { randomUUID } from 'node:crypto';
import { subscriberOf, type RedisClient } from '../redis-client.js';

/**
 * What changed: one key, everything about one organization (with `projectId`: also that a project
 * of it was created, so an instance that remembered the id as unknown forgets it), or anything.
 */
export type Invalidation = { kind: 'key'; keyId: string } | { kind: 'org'; orgId: string; projectId?: string } | { kind: 'all' };

const PUBLISH_TIMEOUT_MS = 1000;

/**
 * Carries invalidations between gateway instances over Redis pub/sub. The local cache is always
 * invalidated first by the caller; this only tells the other instances. A subscriber connection
 * that reconnects may have missed events, so a reconnect is treated as "invalidate everything".
 * Without Redis it does nothing (one instance has nobody to tell).
 */
export class InvalidationBus {
  private readonly origin = randomUUID();
  private sub: RedisClient | undefined;
  private started: Promise<void> = Promise.resolve();
  /** Events received from other instances (for tests and metrics). */
  received = 0;

  constructor(
    private readonly redis: RedisClient | undefined,
    private readonly channel: string,
    private readonly apply: (e: Invalidation) => void,
    private readonly onError: (e: unknown) => void,
  ) {
    if (!redis) return;
    // The gateway's client fails commands fast while disconnected (no offline queue, one retry),
    // and a duplicate inherits that: SUBSCRIBE sent before the new connection is up would fail
    // and the instance would never hear of another's changes.
    const sub = subscriberOf(redis);
    this.sub = sub;
    let readies = 0;
    // ioredis reports every failed reconnect attempt (about one a second while Redis is down):
    // only the first error of an outage is reported, as the main connection does (redis-client.ts).
    let failing = false;
    sub.on('ready', () => {
      failing = false;
      if (readies++ > 0) this.apply({ kind: 'all' });
    });
    sub.on('error', (e) => {
      if (failing) return;
      failing = true;
      this.onError(e);
    });
    sub.on('message', (ch: string, text: string) => {
      if (ch !== this.channel) return;
      const msg = parse(text);
      if (!msg || msg.origin === this.origin) return;
      this.received++;
      this.apply(msg.event);
    });
    this.started = sub.subscribe(channel).then(
      () => undefined,
      (e) => this.onError(e),
    );
  }

  /** Resolves once the subscription is in place (instances started together can await it). */
  ready(): Promise<void> {
    return this.started;
  }

  /** Tells the other instances; waits at most a second and never throws (their TTL is the backstop). */
  async publish(event: Invalidation): Promise<void> {
    if (!this.redis) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.redis.publish(this.channel, JSON.stringify({ origin: this.origin, event })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('identity invalidation: publish timed out')), PUBLISH_TIMEOUT_MS);
        }),
      ]);
    } catch (e) {
      this.onError(e);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const sub = this.sub;
    this.sub = undefined;
    if (!sub) return;
    // The subscriber queues commands while disconnected: a QUIT sent while Redis is down would
    // wait for it forever and hold the gateway's shutdown. Not connected: drop it at once.
    if (sub.status !== 'ready') {
      sub.disconnect();
      return;
    }
    try {
      await sub.quit();
    } catch {
      sub.disconnect();
    }
  }
}

function parse(text: string): { origin: string; event: Invalidation } | undefined {
  try {
    const m = JSON.parse(text) as { origin?: unknown; event?: { kind?: unknown; keyId?: unknown; orgId?: unknown; projectId?: unknown } };
    const e = m.event;
    if (typeof m.origin !== 'string' || !e) return undefined;
    if (e.kind === 'key' && typeof e.keyId === 'string') return { origin: m.origin, event: { kind: 'key', keyId: e.keyId } };
    if (e.kind === 'org' && typeof e.orgId === 'string') {
      return { origin: m.origin, event: { kind: 'org', orgId: e.orgId, ...(typeof e.projectId === 'string' && { projectId: e.projectId }) } };
    }
    if (e.kind === 'all') return { origin: m.origin, event: { kind: 'all' } };
  } catch {
    // not ours
  }
  return undefined;
}

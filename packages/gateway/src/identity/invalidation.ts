import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { subscriberOf, type RedisClient } from '../redis-client.js';

/**
 * What changed: one key, everything about one organization (with `projectId`: also that a project
 * of it was created, so an instance that remembered the id as unknown forgets it), or anything.
 */
export type Invalidation = { kind: 'key'; keyId: string } | { kind: 'org'; orgId: string; projectId?: string } | { kind: 'all' };

/** How long a publish waits for every other instance to confirm; TTL is the backstop after it. */
const CONFIRM_TIMEOUT_MS = 1000;

/** One publish waiting for its confirmations: who has applied it, and how many must. */
interface Pending {
  readonly confirmed: Set<string>;
  expected: number | undefined;
  readonly done: () => void;
}

/**
 * Carries invalidations between gateway instances over Redis pub/sub. The local cache is always
 * invalidated first by the caller; `publish` then tells the other instances and resolves only once
 * each of them has APPLIED the event, so that an admin call that awaits it binds on every instance
 * before it returns (a client's next request, to any instance, cannot be served from a stale
 * cache). A subscriber connection that reconnects may have missed events, so a reconnect is
 * treated as "invalidate everything". Without Redis it does nothing (one instance has nobody to
 * tell).
 *
 * The protocol, on one channel: an invalidation `{origin, id, event}`; each receiver applies it,
 * then publishes `{origin, ack: id}` (an acknowledgement, never applied as an invalidation). The
 * publisher counts the subscriber connections the message reached — PUBLISH's reply on one
 * server; on a Redis Cluster, where PUBLISH counts only the node it was sent to, the sum of
 * `PUBSUB NUMSUB` over every node, asked after the PUBLISH — and waits until that many have
 * confirmed, its own subscriber's receipt included (so a publisher whose own subscription is down
 * is not miscounted). Bounded by `confirmTimeoutMs`; after it one error is reported and the
 * publish returns (the cache TTL covers an instance that never applied it).
 */
export class InvalidationBus {
  private readonly origin = randomUUID();
  private sub: RedisClient | undefined;
  private started: Promise<void> = Promise.resolve();
  private readonly pending = new Map<string, Pending>();
  private readonly confirmTimeoutMs: number;
  /** Events received from other instances (for tests and metrics). */
  received = 0;

  constructor(
    private readonly redis: RedisClient | undefined,
    private readonly channel: string,
    private readonly apply: (e: Invalidation) => void,
    private readonly onError: (e: unknown) => void,
    opts: { confirmTimeoutMs?: number } = {},
  ) {
    this.confirmTimeoutMs = opts.confirmTimeoutMs ?? CONFIRM_TIMEOUT_MS;
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
      if (ch === this.channel) this.receive(text);
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

  /**
   * Tells the other instances and waits until every one subscribed has applied the event, at most
   * `confirmTimeoutMs` (a second); never throws (their TTL is the backstop).
   */
  async publish(event: Invalidation): Promise<void> {
    const redis = this.redis;
    if (!redis || !this.sub) return;
    const id = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const confirmed = new Promise<void>((resolve) => this.pending.set(id, { confirmed: new Set(), expected: undefined, done: resolve }));
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, this.confirmTimeoutMs, 'timeout')));
    const sent = (async () => {
      const reached = await redis.publish(this.channel, JSON.stringify({ origin: this.origin, id, event }));
      const p = this.pending.get(id);
      if (!p) return;
      p.expected = redis instanceof Cluster ? await subscribersOf(redis, this.channel) : reached;
      this.settle(id, p);
    })();
    try {
      // `confirmed` alone: close() ends the wait, even before PUBLISH has answered.
      const outcome = await Promise.race([confirmed, sent.then(() => confirmed), timedOut]);
      if (outcome === 'timeout') {
        const p = this.pending.get(id);
        const missing = p?.expected === undefined ? 'the publish was not answered' : `${p.expected - p.confirmed.size} of ${p.expected} subscribers did not confirm`;
        this.onError(new Error(`identity invalidation: ${missing} within ${this.confirmTimeoutMs} ms`));
      }
    } catch (e) {
      this.onError(e);
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  async close(): Promise<void> {
    const sub = this.sub;
    this.sub = undefined;
    // Publishes still waiting for confirmations return now: shutdown does not wait for them.
    for (const p of this.pending.values()) p.done();
    this.pending.clear();
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

  /** A message on the channel: an acknowledgement of one of ours, or an event to apply and confirm. */
  private receive(text: string): void {
    const msg = parse(text);
    if (!msg) return;
    if ('ack' in msg) {
      const p = this.pending.get(msg.ack);
      if (p) this.confirm(msg.ack, p, msg.origin);
      return;
    }
    if (msg.origin === this.origin) {
      // Our own event, applied before it was published: our subscriber's receipt is its confirmation.
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (p) this.confirm(msg.id!, p, msg.origin);
      return;
    }
    this.received++;
    this.apply(msg.event);
    // Applied (synchronously): only now may the publisher's admin call return. An instance of an
    // older version sends events without an id and waits for nobody.
    if (msg.id === undefined || !this.redis) return;
    this.redis.publish(this.channel, JSON.stringify({ origin: this.origin, ack: msg.id })).catch((e: unknown) => this.onError(e));
  }

  private confirm(id: string, p: Pending, origin: string): void {
    p.confirmed.add(origin);
    this.settle(id, p);
  }

  private settle(id: string, p: Pending): void {
    if (p.expected === undefined || p.confirmed.size < p.expected) return;
    this.pending.delete(id);
    p.done();
  }
}

/**
 * The subscriber connections to `channel` across a cluster. Its nodes keep pub/sub state each for
 * their own clients (PUBLISH's count and PUBSUB NUMSUB alike), and an instance's subscriber
 * connects to any one node, masters or replicas: every node is asked. A node that does not answer
 * counts none (its subscribers, if any, are cut off from the message as well).
 */
async function subscribersOf(cluster: Cluster, channel: string): Promise<number> {
  const counts = await Promise.allSettled(cluster.nodes('all').map((node) => node.pubsub('NUMSUB', channel)));
  return counts.reduce((sum, c) => sum + (c.status === 'fulfilled' ? Number(c.value[1] ?? 0) : 0), 0);
}

type Message = { origin: string; id?: string; event: Invalidation } | { origin: string; ack: string };

function parse(text: string): Message | undefined {
  try {
    const m = JSON.parse(text) as { origin?: unknown; id?: unknown; ack?: unknown; event?: { kind?: unknown; keyId?: unknown; orgId?: unknown; projectId?: unknown } };
    if (typeof m.origin !== 'string') return undefined;
    if (typeof m.ack === 'string') return { origin: m.origin, ack: m.ack };
    const event = eventOf(m.event);
    if (!event) return undefined;
    return { origin: m.origin, ...(typeof m.id === 'string' && { id: m.id }), event };
  } catch {
    return undefined; // not ours
  }
}

function eventOf(e: { kind?: unknown; keyId?: unknown; orgId?: unknown; projectId?: unknown } | undefined): Invalidation | undefined {
  if (!e) return undefined;
  if (e.kind === 'key' && typeof e.keyId === 'string') return { kind: 'key', keyId: e.keyId };
  if (e.kind === 'org' && typeof e.orgId === 'string') return { kind: 'org', orgId: e.orgId, ...(typeof e.projectId === 'string' && { projectId: e.projectId }) };
  if (e.kind === 'all') return { kind: 'all' };
  return undefined;
}

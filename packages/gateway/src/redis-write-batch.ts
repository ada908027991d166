/**
 * One socket write per event-loop turn for the gateway's Redis scripts, instead of one per
 * command. Every request sends its reserve and its settlement script; under load each of them
 * was its own write(2) on the loopback socket, the largest single item of the Redis gateway's
 * CPU profile. The first script call of a turn corks the client's sockets and a `setImmediate`
 * uncorks them: the commands of every request handled in that turn leave together, in order
 * (ioredis keeps its reply queue in send order, so nothing else changes).
 *
 * Replies could not be read before the next turn anyway, so holding a command until the end of
 * the current one costs no round trip.
 * @module
 */
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './redis-client.js';

const corked = new WeakSet<RedisClient>();

/** Holds `client`'s writes until the end of this event-loop turn (a no-op when already held). */
export function batchWrites(client: RedisClient): void {
  if (corked.has(client)) return;
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  const sockets: NonNullable<Redis['stream']>[] = [];
  for (const n of nodes) {
    const s = (n as Partial<Redis>).stream;
    if (s && s.writable && !s.writableCorked) sockets.push(s);
  }
  if (sockets.length === 0) return;
  corked.add(client);
  for (const s of sockets) s.cork();
  setImmediate(() => {
    corked.delete(client);
    for (const s of sockets) s.uncork();
  });
}

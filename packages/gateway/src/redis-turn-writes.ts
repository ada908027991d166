/**
 * One socket write per event-loop turn for a standalone Redis client, without ioredis's
 * auto-pipelining. The first command sent in a turn corks the connection's socket; `setImmediate`
 * uncorks it, so every command of the turn (the reserve and settlement scripts of all requests
 * handled in it, as they come from several I/O callbacks of one poll phase) leaves in one
 * `writev(2)`. Each command still goes through `sendCommand` at once: it is in the client's
 * reply queue and its `commandTimeout` runs from then, in the order it was sent.
 *
 * Why not auto-pipelining: it builds a Pipeline per turn, a second promise and callback per
 * command and a `process.nextTick` per reply, and sends the next turn's pipeline only once the
 * previous one has been answered in full — work on the gateway's CPU, and latency, for what the
 * socket's own buffer does here.
 * @module
 */
import type { Redis } from 'ioredis';

type Send = (...args: unknown[]) => unknown;

/** Makes `client` send the commands of each event-loop turn in one socket write. */
export function oneWritePerTurn(client: Redis): void {
  const target = client as unknown as { sendCommand: Send; stream?: NodeJS.WritableStream & { cork(): void; uncork(): void; writable: boolean } };
  const send = target.sendCommand.bind(client) as Send;
  let corked: { uncork(): void } | undefined;
  const uncork = () => {
    const stream = corked;
    corked = undefined;
    stream?.uncork();
  };
  target.sendCommand = (...args: unknown[]) => {
    // Only a connected socket is corked: a command refused or queued offline writes nothing.
    const stream = target.stream;
    if (corked === undefined && stream?.writable === true && client.status === 'ready') {
      stream.cork();
      corked = stream;
      setImmediate(uncork);
    }
    return send(...args);
  };
}

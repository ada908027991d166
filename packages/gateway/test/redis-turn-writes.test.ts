/**
 * The gateway's standalone Redis client sends the commands of one event-loop turn in one socket
 * write, and a turn's commands leave without waiting for the replies to an earlier turn's.
 */
import type { Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectRedis, type RedisClient } from '../src/redis-client.js';
import { captureLog } from './support/log-capture.js';
import { TEST_REDIS } from './support/services.js';
import { TcpProxy } from './support/tcp-proxy.js';

/** Each write the socket makes (one write(2) or writev(2)): the RESP text it carried. */
function socketWrites(client: RedisClient): string[] {
  type Writes = { _write: (chunk: unknown, ...rest: unknown[]) => void; _writev: (chunks: { chunk: unknown }[], ...rest: unknown[]) => void };
  const stream = (client as unknown as { stream: Socket & Writes }).stream;
  const writes: string[] = [];
  const text = (chunk: unknown) => (Buffer.isBuffer(chunk) ? chunk.toString('latin1') : String(chunk));
  const write = stream._write.bind(stream);
  const writev = stream._writev.bind(stream);
  stream._write = (chunk: unknown, ...rest: unknown[]) => {
    writes.push(text(chunk));
    return write(chunk, ...rest);
  };
  stream._writev = (chunks: { chunk: unknown }[], ...rest: unknown[]) => {
    writes.push(chunks.map((c) => text(c.chunk)).join(''));
    return writev(chunks, ...rest);
  };
  return writes;
}

describe('the standalone Redis client', () => {
  let proxy: TcpProxy;
  let client: RedisClient;
  beforeEach(async () => {
    proxy = new TcpProxy(TEST_REDIS.port, TEST_REDIS.host);
    await proxy.listen();
    client = await connectRedis({ url: `redis://127.0.0.1:${proxy.port}`, cluster_nodes: [], key_prefix: 'x:' } as Parameters<typeof connectRedis>[0], captureLog().log);
  });
  afterEach(async () => {
    client.disconnect();
    await proxy.close();
  });

  it('sends the commands of one turn in one socket write, in order, each answered', async () => {
    const writes = socketWrites(client);
    const replies = Promise.all([client.echo('one'), client.echo('two'), client.call('echo', 'three')]);
    expect(writes).toEqual([]); // not before the turn ends
    await nextTurn();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.match(/one|two|three/g)).toEqual(['one', 'two', 'three']);
    expect(await replies).toEqual(['one', 'two', 'three']);
  });

  it("sends a turn's commands while an earlier turn's are still unanswered", async () => {
    proxy.delayReplies(1_000);
    const writes = socketWrites(client);
    const first = client.echo('first');
    await nextTurn();
    const second = client.echo('second');
    await nextTurn();
    expect(writes.map((w) => w.match(/first|second/g))).toEqual([['first'], ['second']]);
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
  });
});

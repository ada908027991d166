/**
 * A streamed exchange through undici's dispatch handler (streamed-exchange.ts) reads as
 * `request()`'s body did: chunks in order, then the end; the socket paused while too much is
 * unread; the attempt's abort failing the pending and later reads with its reason; an unread
 * answer cut by `destroy()`, a complete one left to its pool.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortLatch } from '../../src/http/abort-latch.js';
import { exchangeStreamed, type StreamedExchange } from '../../src/upstream/openai-compatible/streamed-exchange.js';

let server: Server;
let pool: Pool;
let handler: (res: ServerResponse) => void = () => {};
let closed: Promise<void>;

beforeAll(async () => {
  server = createServer((req, res) => {
    closed = new Promise((r) => res.on('close', () => r()));
    req.resume();
    handler(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = new Pool(origin);
});
afterEach(() => {
  handler = () => {};
});
afterAll(async () => {
  await pool.close();
  await new Promise((r) => server.close(r));
});

let origin = '';
const call = (signal = new AbortLatch()) => exchangeStreamed(pool, { origin, path: '/', method: 'POST', body: '{}', headersTimeout: 0, bodyTimeout: 0 }, signal);

async function readAll(x: StreamedExchange): Promise<string> {
  let out = '';
  for await (const c of x.body) out += c.toString();
  return out;
}

describe('exchangeStreamed', () => {
  it('the head, then every chunk in order and the end', async () => {
    handler = (res) => {
      res.writeHead(201, { 'x-request-id': 'up-1', 'content-type': 'text/event-stream' });
      res.write('a');
      setTimeout(() => res.end('bc'), 5);
    };
    const x = await call();
    expect(x.statusCode).toBe(201);
    expect(x.headers['x-request-id']).toBe('up-1');
    expect(await readAll(x)).toBe('abc');
  });

  it('pauses the upstream while more than 64 KiB is unread, and resumes as it is read', async () => {
    let written = 0;
    let blocked = false;
    handler = (res) => {
      res.writeHead(200);
      const piece = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (written < 4 * 1024 * 1024) {
          written += piece.length;
          if (!res.write(piece)) {
            blocked = true;
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    };
    const x = await call();
    await expect.poll(() => blocked).toBe(true);
    const before = written;
    await new Promise((r) => setTimeout(r, 50));
    // Nothing read: the upstream stays blocked well short of the whole answer.
    expect(written).toBe(before);
    expect(written).toBeLessThan(4 * 1024 * 1024);
    expect((await readAll(x)).length).toBe(4 * 1024 * 1024);
  });

  it('an abort fails the pending read and every later one with its reason, and closes the upstream', async () => {
    handler = (res) => {
      res.writeHead(200);
      res.write('a');
    };
    const signal = new AbortLatch();
    const x = await call(signal);
    const it = x.body[Symbol.asyncIterator]();
    expect((await it.next()).value.toString()).toBe('a');
    const pending = it.next();
    const reason = new Error('client gone');
    signal.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(it.next()).rejects.toBe(reason);
    await closed;
  });

  it('an abort before the head rejects the exchange with its reason', async () => {
    handler = () => {};
    const signal = new AbortLatch();
    const x = call(signal);
    const reason = new Error('deadline');
    setTimeout(() => signal.abort(reason), 10);
    await expect(x).rejects.toBe(reason);
  });

  it('destroy() cuts an answer not read to its end; a complete one is left alone', async () => {
    handler = (res) => {
      res.writeHead(200);
      res.write('a');
    };
    const open = await call();
    open.body.destroy();
    await closed;
    await expect(open.body[Symbol.asyncIterator]().next()).rejects.toThrow();

    let connections = 0;
    server.on('connection', () => connections++);
    handler = (res) => {
      res.writeHead(200);
      res.end('abc');
    };
    const complete = await call();
    expect(await readAll(complete)).toBe('abc');
    const before = connections;
    complete.body.destroy();
    expect(await readAll(await call())).toBe('abc');
    // Its connection went back to the pool, and the next exchange took it.
    expect(connections).toBe(before);
  });
});

/**
 * A request that fails after its stream started (something thrown past the relay, e.g. while
 * settling) is told in the stream's own format: a Chat Completions stream gets the
 * `data: {"error": ...}` frame, a Responses stream an `event: error` frame, flat and nested, which
 * the official SDK throws as an APIError (not a chat frame in the middle of typed events).
 */
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { ApiError } from '../../src/errors/api-error.js';
import { createContext } from '../../src/http/context.js';
import { DispatchOutageLog, fail } from '../../src/http/dispatch.js';
import { createLogger } from '../../src/logger.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** The body of a POST to `path` whose handler starts a stream, writes one frame, then fails. */
async function failAfterStart(path: string): Promise<string> {
  const log = createLogger('info', new Writable({ write: (_c: Buffer, _e, done) => done() }));
  server = createServer((req, res) => {
    const ctx = createContext(req, res, 0, systemClock);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    res.write('data: {"first":true}\n\n');
    fail(ctx, new ApiError('server_error'), { publicUrl: 'http://gw', log, outages: new DispatchOutageLog(systemClock) });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return (await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: '{}' })).text();
}

const MESSAGE = 'The server had an error while processing your request. Sorry about that!';

describe('a failure after the stream started', () => {
  it('ends a Chat Completions stream with the data: {"error": ...} frame', async () => {
    const body = await failAfterStart('/v1/chat/completions');
    expect(body.split('\n\n').at(-2)).toBe(`data: {"error":{"message":"${MESSAGE}","type":"server_error","param":null,"code":null}}`);
  });

  it('ends a Responses stream with an event: error frame, flat and nested', async () => {
    const body = await failAfterStart('/v1/responses');
    const last = body.split('\n\n').at(-2)!.split('\n');
    expect(last[0]).toBe('event: error');
    expect(JSON.parse(last[1]!.slice('data: '.length))).toEqual({
      type: 'error',
      code: 'server_error',
      message: MESSAGE,
      param: null,
      error: { type: 'server_error', code: 'server_error', message: MESSAGE, param: null },
    });
  });
});

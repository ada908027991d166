/**
 * Slow clients cannot hold the gateway: a connection that sends half a request and stalls is
 * answered 408 request_timeout (OpenAI envelope) and closed after server.request_timeout_ms
 * (headers after server.headers_timeout_ms). Before, requestTimeout was 0 and such connections
 * stayed open indefinitely.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from 'tollgate';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const REQUEST_TIMEOUT_MS = 600;
const HEADERS_TIMEOUT_MS = 400;

interface Outcome {
  /** Everything the server sent before closing. */
  received: string;
  closed: boolean;
}

/** Opens a connection, writes `bytes`, then waits (at most `waitMs`) for the server to close it. */
function stall(url: string, bytes: string, waitMs: number): Promise<Outcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), hostname, () => socket.write(bytes));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', () => {});
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received, closed: false });
    }, waitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received, closed: true });
    });
  });
}

/** A request with a valid key whose body stops half way (the handler waits for the rest). */
function halfBody(apiKey: string): string {
  const body = JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hello there, a long enough message' }] });
  const half = body.slice(0, Math.floor(body.length / 2));
  return `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${apiKey}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${half}`;
}

function jsonOf(response: string): { error: { code: string; type: string; message: string } } {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}

describe('slow clients', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      server: { host: '127.0.0.1', port: 0, public_url: 'http://gateway.test', shutdown_grace_ms: 2000, request_timeout_ms: REQUEST_TIMEOUT_MS, headers_timeout_ms: HEADERS_TIMEOUT_MS },
    });
  });
  afterAll(() => gw.close());

  it('closes every connection holding half a JSON body with a 408 after request_timeout_ms', async () => {
    // 50 at once: each is cut on its own, none waits for the others. The wait allowed here is
    // generous (10x the bound); today's code (requestTimeout 0) never closes them at all.
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => stall(gw.url, halfBody(gw.apiKey), REQUEST_TIMEOUT_MS * 10)));
    for (const o of outcomes) {
      expect(o.closed).toBe(true);
      expect(o.received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(o.received).toMatch(/\r\nx-request-id: req_[0-9a-f]{32}\r\n/);
      expect(o.received).toMatch(/\r\nconnection: close\r\n/);
      const body = jsonOf(o.received);
      expect(body.error).toEqual({ message: 'Request timeout: the whole request was not received within 600ms.', type: 'invalid_request_error', param: null, code: 'request_timeout' });
    }
  });

  it('answers headers that never finish with a 408, not a 400', async () => {
    const o = await stall(gw.url, 'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: appl', HEADERS_TIMEOUT_MS * 10);
    expect(o.closed).toBe(true);
    expect(o.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(jsonOf(o.received).error.code).toBe('request_timeout');
  });

  it('still serves a request that arrives in time', async () => {
    const r = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
    });
    expect(r.status).toBe(200);
  });
});

describe('server timeouts in the config', () => {
  it('defaults to bounded values', () => {
    const c = parseConfig({});
    expect(c.server.request_timeout_ms).toBe(60_000);
    expect(c.server.headers_timeout_ms).toBe(20_000);
  });

  it('refuses a header timeout longer than the request timeout', () => {
    expect(() => parseConfig({ server: { request_timeout_ms: 1000, headers_timeout_ms: 2000 } })).toThrow(/server\.headers_timeout_ms/);
  });
});

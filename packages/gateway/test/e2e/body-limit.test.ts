/**
 * A body over `server.max_body_bytes` gets its 413 in the OpenAI envelope, and the client can
 * read it: the gateway reads and discards the rest of the body before answering, so the official
 * SDK sees an APIError with status 413 (not a broken pipe reported as APIConnectionError after
 * three uploads). The default limit accepts the image requests OpenAI accepts.
 */
import { request } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from 'tollgate';
import { countingFetch, expectErrorEnvelope, rejection, sdk } from '../acceptance/helpers.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const FOUR_MIB = 4 * 1024 * 1024;

/**
 * A fetch whose upload runs at network speed rather than at loopback speed (64 KiB every 5 ms),
 * as it does for a real client: an answer sent before the upload ends, on a connection the
 * server then closes, reaches such a client as a broken pipe.
 */
function slowUploadFetch(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const body = init?.body;
    if (typeof body !== 'string') return inner(input, init);
    const bytes = Buffer.from(body);
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (at >= bytes.length) return controller.close();
        await new Promise((r) => setTimeout(r, 5));
        controller.enqueue(bytes.subarray(at, at + 64 * 1024));
        at += 64 * 1024;
      },
    });
    const headers = new Headers(init?.headers);
    headers.set('content-length', String(bytes.length));
    return inner(input, { ...init, headers, body: stream, duplex: 'half' } as RequestInit);
  };
}

/** A chat request carrying one inline image of `imageBytes` bytes (base64 in a data URL). */
function imageChat(imageBytes: number) {
  const data = Buffer.alloc(imageBytes, 7).toString('base64');
  return {
    model: 'sim-small',
    max_tokens: 5,
    messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'What is in this image?' }, { type: 'image_url' as const, image_url: { url: `data:image/png;base64,${data}` } }] }],
  };
}

describe('a body over the limit (server.max_body_bytes: 4 MiB)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ server: { host: '127.0.0.1', port: 0, public_url: 'http://gateway.test', shutdown_grace_ms: 2000, max_body_bytes: FOUR_MIB } });
  });
  afterAll(() => gw.close());

  it('the official SDK gets the 413 as an APIError with status 413, once, for a 4.4 MB image request', async () => {
    const counted = countingFetch();
    const client = sdk(gw, { maxRetries: 2, fetch: slowUploadFetch(counted.fetch) });
    const body = imageChat(3_300_000); // 4.4 MB of base64
    expect(JSON.stringify(body).length).toBeGreaterThan(4_400_000);
    const err = await rejection(client.chat.completions.create(body));
    expect(err).not.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(413);
    expect(e.code).toBe('body_too_large');
    expectErrorEnvelope({ error: e.error });
    expect((e.error as { message: string }).message).toBe(`Request body too large: the limit is ${FOUR_MIB} bytes (server.max_body_bytes).`);
    expect(counted.sent.map((s) => s.status)).toEqual([413]); // not uploaded three times
    // The same client goes on working.
    expect((await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3 })).choices).toHaveLength(1);
  });

  it('a chunked body (no content-length) that grows past the limit gets the readable 413, and the connection stays usable', async () => {
    const url = new URL(`${gw.url}/v1/chat/completions`);
    const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 });
    const send = (chunks: string[]) =>
      new Promise<{ status: number; body: string; connection: string | undefined; socket: unknown }>((resolve, reject) => {
        const req = request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, body: text, connection: res.headers.connection, socket: req.socket }));
        });
        req.on('error', reject);
        for (const c of chunks) req.write(c);
        req.end();
      });
    const big = JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'x'.repeat(FOUR_MIB + 100_000) }] });
    const chunks: string[] = [];
    for (let i = 0; i < big.length; i += 256 * 1024) chunks.push(big.slice(i, i + 256 * 1024));
    const first = await send(chunks);
    expect(first.status).toBe(413);
    expect(JSON.parse(first.body).error.code).toBe('body_too_large');
    expect(first.connection).not.toBe('close');
    const second = await send([JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3 })]);
    expect(second.status).toBe(200);
    expect(second.socket).toBe(first.socket); // the same keep-alive connection
    agent.destroy();
  });
});

describe('the default limit', () => {
  it('covers what OpenAI accepts: 50 MB of image bytes per request, base64-encoded, plus the messages', () => {
    const limit = parseConfig({}, {}).server.max_body_bytes;
    const fiftyMbOfImagesAsBase64 = Math.ceil(50_000_000 / 3) * 4;
    expect(limit).toBeGreaterThan(fiftyMbOfImagesAsBase64 + 4 * 1024 * 1024);
  });

  it('accepts a request with a 20 MB image (OpenAI’s per-image maximum) through the official SDK', async () => {
    const gw = await startTestGateway();
    try {
      const r = await sdk(gw).chat.completions.create(imageChat(20_000_000));
      expect(r.choices).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });
});

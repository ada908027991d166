/**
 * The streaming relay sends the events of one upstream read as one HTTP chunk (http/frame-batch.ts)
 * instead of one chunk per event, and holds no event back: an event the engine sent alone reaches
 * the client before the engine sends the next. Only the events read with the upstream's end wait,
 * for the usage record, and leave with `[DONE]`.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { chunks, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { upstreamModel } from './harness.js';

const WORDS = Array.from({ length: 30 }, (_, i) => ` w${i}`);
const FRAMES = chunks(WORDS).map((c) => `data: ${JSON.stringify(c)}\n\n`);

let up: FakeUpstream;
let gw: TestGateway;
/** Set by the paced test: the upstream writes frame i once this resolves for i. */
let pace: ((i: number) => Promise<void>) | undefined;

beforeAll(async () => {
  up = await startFakeUpstream(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (!pace) {
      // Every event in one write: the gateway reads them together.
      res.end(FRAMES.join('') + 'data: [DONE]\n\n');
      return;
    }
    for (let i = 0; i < FRAMES.length; i++) {
      await pace(i);
      res.write(FRAMES[i]);
    }
    res.end('data: [DONE]\n\n');
  });
  gw = await startTestGateway({ models: [upstreamModel('chat-up', [{ base_url: up.baseUrl }])] });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

/** A streamed chat request over a raw socket: the response's bytes exactly as sent. */
function rawStream(): { socket: Socket; text: () => string } {
  const body = JSON.stringify({ model: 'chat-up', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const { port } = new URL(gw.url);
  const socket = connect(Number(port), '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8').on('data', (d: string) => (text += d));
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${gw.apiKey}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  return { socket, text: () => text };
}

/** Waits for the body's last chunk (the response keeps its connection open), then closes it. */
async function ended(s: { socket: Socket; text: () => string }): Promise<void> {
  await expect.poll(() => s.text().endsWith('\r\n0\r\n\r\n'), { timeout: 10_000 }).toBe(true);
  s.socket.destroy();
}

/** The chunks of a chunked HTTP/1.1 body, in order (the terminating empty chunk left out). */
function httpChunks(response: string): string[] {
  let rest = response.slice(response.indexOf('\r\n\r\n') + 4);
  const out: string[] = [];
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    const start = eol + 2;
    // Sizes count bytes; the frames here are ASCII.
    out.push(rest.slice(start, start + size));
    rest = rest.slice(start + size + 2);
  }
}

describe('streamed answers', () => {
  it('events read together leave together: far fewer HTTP chunks than events, every event in order', async () => {
    pace = undefined;
    const s = rawStream();
    await ended(s);
    const parts = httpChunks(s.text());
    const body = parts.join('');
    const words = [...body.matchAll(/"content":"( w\d+)"/g)].map((m) => m[1]);
    expect(words).toEqual(WORDS);
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    // 32 data events and [DONE]: one chunk per event before; one per upstream read now (the
    // engine's single write may arrive in a few reads).
    expect(parts.length).toBeLessThanOrEqual(5);
    // The last read's frames wait for the usage record and leave with [DONE]: the last word
    // and [DONE] share the body's last chunk (one write, not one more after the settlement).
    const lastChunk = parts[parts.length - 1]!;
    expect(lastChunk).toContain(`"content":"${WORDS[WORDS.length - 1]}"`);
    expect(lastChunk.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('holds no event back: each reaches the client before the engine sends the next', async () => {
    const s0 = { text: () => '' };
    let current = s0;
    pace = async (i) => {
      if (i < 2) return;
      // The previous frame's word (frame 1 is the first word) must have arrived already.
      const word = WORDS[i - 2]!;
      const deadline = Date.now() + 5000;
      while (!current.text().includes(`"content":"${word}"`)) {
        if (Date.now() > deadline) throw new Error(`"${word}" did not reach the client before the next event was due`);
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const s = rawStream();
    current = s;
    await ended(s);
    pace = undefined;
    const words = [...httpChunks(s.text()).join('').matchAll(/"content":"( w\d+)"/g)].map((m) => m[1]);
    expect(words).toEqual(WORDS);
  });
});

/**
 * Server-sent events: the decoder on its own (line endings, split chunks, comments, multi-line
 * data), and streamed completions end to end against a real server: `[DONE]`, CRLF separators,
 * error frames, errors before the stream starts, breaking out early, and aborting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entry } from '@tollgate/protocol';
import { APIUserAbortError, EngineOverloadedError, RateLimitError, SSEDecoder, Tollgate, TollgateError, type SSEEvent } from '@tollgate/client';
import { newRequestId, sendCatalogError, startServer, type TestServer } from './helpers/server.js';

const KEY = 'sk-test-0123456789abcdef';
const chunk = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'sim-small', choices: [{ index: 0, delta: { content }, finish_reason: null }], ...extra });

function decodeAll(pieces: string[]): SSEEvent[] {
  const d = new SSEDecoder();
  return [...pieces.flatMap((p) => d.push(p)), ...d.end()];
}

describe('SSE decoder', () => {
  it('splits events on LF, CRLF and CR alike', () => {
    for (const nl of ['\n', '\r\n', '\r']) {
      const events = decodeAll([`data: a${nl}${nl}data: b${nl}${nl}data: [DONE]${nl}${nl}`]);
      expect(events.map((e) => e.data)).toEqual(['a', 'b', '[DONE]']);
    }
  });

  it('keeps a CRLF split across two chunks as one line ending', () => {
    const events = decodeAll(['data: a\r', '\n\r', '\ndata: b\r\n\r\n']);
    expect(events.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('survives any split of the input', () => {
    const text = 'event: x\r\ndata: {"a":1}\r\n\r\n: comment\r\ndata: line1\r\ndata: line2\r\n\r\ndata:nospace\n\n';
    for (let i = 0; i <= text.length; i++) {
      const events = decodeAll([text.slice(0, i), text.slice(i)]);
      expect(events).toEqual([
        { event: 'x', data: '{"a":1}', id: undefined },
        { event: undefined, data: 'line1\nline2', id: undefined },
        { event: undefined, data: 'nospace', id: undefined },
      ]);
    }
  });

  it('delivers a last event that lacks its blank line', () => {
    expect(decodeAll(['data: tail']).map((e) => e.data)).toEqual(['tail']);
  });
});

let server: TestServer;
let aborted = 0;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const mode = req.headers['x-test-mode'];
    const headers = { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': newRequestId() };
    if (mode === 'crlf') {
      res.writeHead(200, headers);
      // Byte by byte-ish: a CRLF may be split between two TCP writes.
      const text = `data: ${chunk('Hel')}\r\n\r\ndata: ${chunk('lo')}\r\n\r\ndata: ${chunk('', { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })}\r\n\r\ndata: [DONE]\r\n\r\n`;
      const parts = text.match(/[\s\S]{1,7}/g) ?? [];
      let i = 0;
      const next = () => {
        if (i < parts.length) res.write(parts[i++], next);
        else res.end();
      };
      return next();
    }
    if (mode === 'error-frame') {
      res.writeHead(200, headers);
      res.write(`data: ${chunk('a')}\n\n`);
      res.end(`data: ${JSON.stringify({ error: { message: 'The engine is currently overloaded, please try again later', type: 'server_error', param: null, code: 'engine_overloaded' } })}\n\n`);
      return;
    }
    if (mode === 'event-error') {
      res.writeHead(200, headers);
      res.end(`event: error\ndata: ${JSON.stringify({ message: 'boom', type: 'server_error', param: null, code: 'server_error' })}\n\n`);
      return;
    }
    if (mode === 'endless') {
      res.writeHead(200, headers);
      const timer = setInterval(() => res.write(`data: ${chunk('x')}\n\n`), 5);
      res.on('close', () => {
        clearInterval(timer);
        aborted++;
      });
      return;
    }
    if (mode === 'rate-limited') return void sendCatalogError(res, entry('rate_limit_tokens'), { retryMs: 1 });
    res.writeHead(200, headers);
    res.end(`data: ${chunk('Hi')}\n\ndata: ${chunk('!')}\n\ndata: [DONE]\n\ndata: ${chunk('after done')}\n\n`);
  });
});
afterAll(() => server.close());

const client = () => new Tollgate({ apiKey: KEY, baseURL: server.baseURL, retryBudget: false, backoff: { initialMs: 1, maxMs: 1 } });
const params = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'hi' }], stream: true as const };

async function collect(headers: Record<string, string>, signal?: AbortSignal): Promise<{ text: string; chunks: number; err?: TollgateError }> {
  const stream = await client().chat.completions.create(params, { headers, signal });
  let text = '';
  let chunks = 0;
  try {
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.delta.content ?? '';
    }
  } catch (e) {
    return { text, chunks, err: e as TollgateError };
  }
  return { text, chunks };
}

describe('streamed completions', () => {
  it('stops at data: [DONE]', async () => {
    const r = await collect({});
    expect(r).toEqual({ text: 'Hi!', chunks: 2 });
  });

  it('parses CRLF separators split across writes, including the usage chunk', async () => {
    const r = await collect({ 'x-test-mode': 'crlf' });
    expect(r).toEqual({ text: 'Hello', chunks: 3 });
  });

  it('throws an error frame as its class, with status undefined', async () => {
    const r = await collect({ 'x-test-mode': 'error-frame' });
    expect(r.text).toBe('a');
    expect(r.err).toBeInstanceOf(EngineOverloadedError);
    expect(r.err?.status).toBeUndefined();
    expect(r.err?.entry?.id).toBe('engine_overloaded');
    expect(r.err?.retryable).toBe(true);
  });

  it('throws an `event: error` frame too', async () => {
    const r = await collect({ 'x-test-mode': 'event-error' });
    expect(r.err?.message).toBe('boom');
    expect(r.err?.status).toBeUndefined();
    expect(r.err?.code).toBe('server_error');
  });

  it('an error before the stream starts is a normal, retried HTTP error', async () => {
    const err = await client()
      .chat.completions.create(params, { headers: { 'x-test-mode': 'rate-limited' }, maxRetries: 1 })
      .then(() => undefined, (e: TollgateError) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err?.status).toBe(429);
    expect(err?.attempts).toBe(2);
  });

  it('breaking out of the loop closes the connection', async () => {
    const before = aborted;
    const stream = await client().chat.completions.create(params, { headers: { 'x-test-mode': 'endless' } });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    while (aborted === before) await new Promise((r) => setTimeout(r, 5));
    expect(aborted).toBe(before + 1);
    expect(stream.requestID).toMatch(/^req_/);
  });

  it("the caller's abort ends the stream with an abort error", async () => {
    const ac = new AbortController();
    const stream = await client().chat.completions.create(params, { headers: { 'x-test-mode': 'endless' }, signal: ac.signal });
    let n = 0;
    const err = await (async () => {
      try {
        for await (const _ of stream) if (++n === 2) ac.abort();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(APIUserAbortError);
  });

  it('stream.abort() ends the iteration quietly', async () => {
    const stream = await client().chat.completions.create(params, { headers: { 'x-test-mode': 'endless' } });
    let n = 0;
    for await (const _ of stream) if (++n === 2) stream.abort();
    expect(n).toBeGreaterThanOrEqual(2);
  });
});

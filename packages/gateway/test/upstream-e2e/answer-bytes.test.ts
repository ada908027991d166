/**
 * An answer reaches the caller as the engine wrote it: the gateway reads it (usage, errors) but
 * does not serialize it again, so number spellings (`1.0`, `1e-05`), escapes and key order
 * survive, and a large embeddings answer costs no second pass on the event loop. Usage is still
 * read from it and billed. Streamed chunks too, each as its data line came; the only change is
 * the `"usage":null` the gateway asked the engine for, dropped when the client did not ask.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startFakeUpstream, text, type FakeUpstream } from '../upstream/fake-upstream.js';
import { upstreamModel } from './harness.js';

let up: FakeUpstream;
let gw: TestGateway;

/** Spellings JSON.stringify would change: `1.0`, `1e-05`, `\u00e9`, `\/`, spaces, key order. */
const CHAT =
  '{ "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},\n' +
  '  "id": "chatcmpl-bytes", "object": "chat.completion", "created": 1700000000, "model": "upstream-model",\n' +
  '  "choices": [{"index": 0, "message": {"role": "assistant", "content": "caf\\u00e9 \\/ 1.0"}, "logprobs": null, "finish_reason": "stop", "score": 1.0}]}';
const EMBEDDINGS =
  '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0123400,-1e-05,1.0,2.50E+2]}],' + '"model":"upstream-embed","usage":{"prompt_tokens":4,"total_tokens":4}}';

/** Chunks of a stream, with spellings JSON.stringify would change; each engine chunk carries `"usage":null`. */
const STREAM_CHUNKS = [
  '{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1700000000,"model":"upstream-model","choices":[{"index":0,"delta":{"role":"assistant","content":"caf\\u00e9"},"logprobs":null,"finish_reason":null,"score":1.0}],"usage":null}',
  '{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1700000000,"model":"upstream-model","choices":[{"index":0,"delta":{"content":" \\/ 2.50E+2"},"logprobs":null,"finish_reason":null}],"usage":null}',
  '{"choices":[{"index":0,"delta":{},"finish_reason":"stop","score":-1e-05}],"id":"chatcmpl-s","object":"chat.completion.chunk","created":1700000000,"model":"upstream-model","usage":null}',
];
const STREAM_USAGE = '{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1700000000,"model":"upstream-model","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}';
const STREAM = [...STREAM_CHUNKS, STREAM_USAGE].map((c) => `data: ${c}\n\n`).join('') + 'data: [DONE]\n\n';

beforeAll(async () => {
  up = await startFakeUpstream((req, res) => {
    if (req.path.endsWith('/embeddings')) return text(res, 200, EMBEDDINGS, { 'content-type': 'application/json' });
    if ((req.body as { stream?: boolean }).stream) return text(res, 200, STREAM, { 'content-type': 'text/event-stream' });
    text(res, 200, CHAT, { 'content-type': 'application/json' });
  });
  gw = await startTestGateway({
    models: [upstreamModel('chat-up', [{ base_url: up.baseUrl }]), upstreamModel('embed-up', [{ base_url: up.baseUrl }], { type: 'embedding' })],
  });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; text: string; requestId: string | null }> {
  const r = await fetch(`${gw.baseURL}${path}`, { method: 'POST', headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, text: await r.text(), requestId: r.headers.get('x-request-id') };
}

/** The request's row in the usage ledger, once written. */
async function billed(requestId: string) {
  await gw.gateway.services.ledger.flush();
  const rows = await billingDb(gw.gateway.services.store).selectFrom('usage_events').select(['prompt_tokens', 'completion_tokens', 'estimated', 'status_code']).where('request_id', '=', requestId).execute();
  return rows[0];
}

describe('non-streamed answers', () => {
  it('a chat completion arrives byte for byte as the engine wrote it, and its usage is billed', async () => {
    const r = await post('/chat/completions', { model: 'chat-up', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status).toBe(200);
    expect(r.text).toBe(CHAT);
    await expect.poll(() => billed(r.requestId!)).toEqual({ prompt_tokens: 12, completion_tokens: 3, estimated: expect.anything(), status_code: 200 });
    expect(Boolean((await billed(r.requestId!))!.estimated)).toBe(false);
  });

  it('an embeddings answer too, its float spellings kept', async () => {
    const r = await post('/embeddings', { model: 'embed-up', input: 'four token input' });
    expect(r.status).toBe(200);
    expect(r.text).toBe(EMBEDDINGS);
    await expect.poll(() => billed(r.requestId!)).toEqual({ prompt_tokens: 4, completion_tokens: 0, estimated: expect.anything(), status_code: 200 });
  });
});

describe('streamed answers', () => {
  /** The data lines of an SSE body, in order. */
  const dataLines = (body: string) => body.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice('data: '.length));

  it('a client that asked for usage gets every chunk byte for byte as the engine wrote it, usage chunk included, and that usage is billed', async () => {
    const r = await post('/chat/completions', { model: 'chat-up', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status).toBe(200);
    expect(dataLines(r.text)).toEqual([...STREAM_CHUNKS, STREAM_USAGE, '[DONE]']);
    await expect.poll(() => billed(r.requestId!)).toEqual({ prompt_tokens: 12, completion_tokens: 3, estimated: expect.anything(), status_code: 200 });
    expect(Boolean((await billed(r.requestId!))!.estimated)).toBe(false);
  });

  it('a client that did not ask gets the same chunks without the usage the gateway asked for, and is billed the same', async () => {
    const r = await post('/chat/completions', { model: 'chat-up', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status).toBe(200);
    expect(dataLines(r.text)).toEqual([...STREAM_CHUNKS.map((c) => c.replace(',"usage":null}', '}')), '[DONE]']);
    await expect.poll(() => billed(r.requestId!)).toEqual({ prompt_tokens: 12, completion_tokens: 3, estimated: expect.anything(), status_code: 200 });
  });
});

/**
 * A chat stream's plain chunks (one unfinished choice, text only) are relayed as the engine wrote
 * them without being parsed (upstream/openai-compatible/chunk-template.ts); what the client reads
 * and what is billed stay what they were when every chunk was parsed: `"usage":null` dropped only
 * for a client that did not ask for usage, escapes as the engine wrote them, and a stream the
 * client leaves billed for the text relayed up to then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingDb } from '../../src/store/billing-tables.js';
import { countText } from '../../src/tokens/count.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { chunks, sse, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { upstreamModel } from './harness.js';

/** Words with what an engine escapes: quotes, a backslash, a newline, a non-ASCII letter. */
const WORDS = [' Hello', ' "quoted"', ' back\\slash', '\nnew line', ' café', ' end.'];
/** The engine's texts; it writes é as \u00e9 (as Python's json.dumps does), which JSON.stringify does not. */
const FRAMES = chunks(WORDS).map((c) => JSON.stringify(c).replaceAll('é', '\\u00e9'));
/** Frames sent before the cancelled stream stops and waits for its client to leave: the role chunk and 3 words. */
const BEFORE_LEAVING = 4;

let up: FakeUpstream;
let gw: TestGateway;
let leaving = false;

beforeAll(async () => {
  up = await startFakeUpstream(async (_req, res) => {
    if (!leaving) return sse(res, FRAMES);
    // Nothing after the first words until the gateway cuts this request (its client left).
    await sse(res, FRAMES.slice(0, BEFORE_LEAVING), { stallAfter: BEFORE_LEAVING });
  });
  gw = await startTestGateway({ models: [upstreamModel('plain-up', [{ base_url: up.baseUrl }])], default_tier: 'unlimited', usage: { flush_interval_ms: 20 } });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

function post(apiKey: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'plain-up', stream: true, messages: [{ role: 'user', content: 'hi' }], ...body }),
    signal,
  });
}

/** The `data:` payloads of an SSE body. */
const dataLines = (body: string) => body.split('\n\n').filter((f) => f.startsWith('data: ')).map((f) => f.slice(6));

describe('plain chunks', () => {
  it('reach a client that asked for no usage as the engine wrote them, without "usage":null', async () => {
    leaving = false;
    const t = await gw.newTenant('plain-nousage');
    const got = dataLines(await (await post(t.apiKey, {})).text());
    // The engine's usage chunk (the last frame) is not the client's.
    expect(got).toEqual([...FRAMES.slice(0, -1).map((f) => f.replace(',"usage":null}', '}')), '[DONE]']);
  });

  it('reach a client that asked for usage exactly as the engine wrote them, usage chunk included', async () => {
    leaving = false;
    const t = await gw.newTenant('plain-usage');
    const got = dataLines(await (await post(t.apiKey, { stream_options: { include_usage: true } })).text());
    expect(got).toEqual([...FRAMES, '[DONE]']);
  });

  it('a client that leaves mid-stream is billed for the text relayed until then, counted by the gateway', async () => {
    leaving = true;
    const t = await gw.newTenant('plain-leaves');
    const abort = new AbortController();
    const res = await post(t.apiKey, {}, abort.signal);
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    while (dataLines(text).length < BEFORE_LEAVING) text += decoder.decode((await reader.read()).value, { stream: true });
    const cut = up.nextCutShort();
    abort.abort();
    await cut;
    await expect
      .poll(async () => {
        await gw.gateway.services.ledger.flush();
        return billingDb(gw.gateway.services.store).selectFrom('usage_events').select(['completion_tokens', 'estimated', 'status_code', 'error_code']).where('org_id', '=', t.orgId).execute();
      })
      .toEqual([{ completion_tokens: countText(WORDS.slice(0, BEFORE_LEAVING - 1).join('')), estimated: 1, status_code: 499, error_code: 'client_disconnected' }]);
  });
});

/**
 * Issue 10, items 3–6: streams as real upstreams send them, through the real gateway and the
 * official SDK, against a scripted upstream.
 *
 *   3  usage on the last chunk that still has a choice is the usage billed and shown
 *   4  reasoning deltas are the first byte, relayed as they arrive, and counted as output
 *   5  a complete answer that ends without `data: [DONE]` is a success
 *   6  a non-streamed call is bounded by total_ms, not first_byte_ms
 */
import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countText } from '../../src/tokens/count.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { completion, json, sleep, sse, startFakeUpstream, type FakeUpstream } from '../upstream/fake-upstream.js';
import { ask, countingFetch, ledgerOf, readStream, rejection, sdk, upstreamModel, type SdkError } from './harness.js';

let up: FakeUpstream;
let gw: TestGateway;
const wire = countingFetch();

beforeAll(async () => {
  up = await startFakeUpstream();
  gw = await startTestGateway({
    usage: { flush_interval_ms: 20 },
    models: [
      upstreamModel('up', [{ base_url: up.baseUrl }]),
      // Item 4's figures: a 2.5 s first-byte deadline and a model that thinks for 3.5 s.
      upstreamModel('thinker', [{ base_url: up.baseUrl, timeouts: { first_byte_ms: 2500, idle_ms: 2000 } }]),
      // Item 6: a first-byte deadline well below the time the answer takes.
      upstreamModel('slow-json', [{ base_url: up.baseUrl, timeouts: { first_byte_ms: 100, total_ms: 5000 } }]),
      upstreamModel('short-total', [{ base_url: up.baseUrl, timeouts: { first_byte_ms: 5000, total_ms: 300 } }]),
    ],
  });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

const BASE = { id: 'chatcmpl-shape', object: 'chat.completion.chunk', created: 1_767_225_600, model: 'upstream-model' };
const delta = (d: Record<string, unknown>, finish: string | null = null, usage: unknown = undefined) => ({
  ...BASE,
  choices: [{ index: 0, delta: d, finish_reason: finish }],
  ...(usage === undefined ? {} : { usage }),
});
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;
type ReasoningDelta = { reasoning_content?: string; reasoning?: string; content?: string | null };
const deltaOf = (c: Chunk) => (c.choices[0]?.delta ?? {}) as ReasoningDelta;

/** Raw SSE text of a streamed call, to see the frames exactly as the gateway wrote them. */
async function rawStream(apiKey: string, body: Record<string, unknown>): Promise<string> {
  const r = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  expect(r.status).toBe(200);
  return r.text();
}

describe('item 3: usage is read from whichever chunk carries it', () => {
  // llama.cpp / some vLLM builds: usage rides on the finish chunk, no separate `choices: []` chunk.
  const frames = [
    delta({ role: 'assistant', content: '' }),
    delta({ content: 'Hello' }),
    delta({ content: ' world' }),
    delta({}, 'stop', { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }),
  ];

  it('billed 1000/500 (not an estimate) whether or not the client asked for usage; a client that asked sees the same figures', async () => {
    up.handle((_, res) => sse(res, frames));
    for (const includeUsage of [false, true]) {
      const tenant = await gw.newTenant(`usage-on-last-${includeUsage}`);
      const stream = await sdk(gw, wire.fetch, 0, tenant.apiKey).chat.completions.create({
        ...ask('up'),
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const { chunks, error } = await readStream(stream);
      expect(error).toBeUndefined();
      const seen = chunks.filter((c) => c.usage).map((c) => c.usage);
      expect(seen).toEqual(includeUsage ? [{ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }] : []);
      const { report, events } = await ledgerOf(gw, tenant.orgId);
      expect([report.input_tokens, report.output_tokens]).toEqual([1000, 500]);
      expect(Boolean(events[0]!.estimated)).toBe(false);
    }
  });
});

describe('item 4: reasoning output is output', () => {
  it('a model thinking 3.5 s (a reasoning chunk every 350 ms) under first_byte_ms 2500 succeeds, each chunk reaching the client before the next is sent', async () => {
    const REASONING = 10;
    const order: string[] = [];
    // The upstream sends reasoning chunk i+1 only once the client holds chunk i: a gateway that
    // held reasoning back (waiting for content) would never release chunk 0, and the first-byte
    // deadline would fail the call.
    const received: (() => void)[] = [];
    const gotChunk = Array.from({ length: REASONING }, (_, i) => new Promise<void>((r) => (received[i] = r)));
    up.handle(async (_, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(delta({ role: 'assistant', content: '' }))}\n\n`);
      for (let i = 0; i < REASONING; i++) {
        if (i > 0) await sleep(350);
        const field = i % 2 === 0 ? 'reasoning_content' : 'reasoning';
        order.push(`sent ${i}`);
        res.write(`data: ${JSON.stringify(delta({ [field]: `thought ${i}. ` }))}\n\n`);
        await gotChunk[i];
      }
      res.write(`data: ${JSON.stringify(delta({ content: 'Answer.' }))}\n\n`);
      res.write(`data: ${JSON.stringify(delta({}, 'stop'))}\n\n`);
      res.end(`data: ${JSON.stringify({ ...BASE, choices: [], usage: { prompt_tokens: 9, completion_tokens: 41, total_tokens: 50 } })}\n\ndata: [DONE]\n\n`);
    });
    const tenant = await gw.newTenant('thinker');
    const stream = await sdk(gw, wire.fetch, 0, tenant.apiKey).chat.completions.create({ ...ask('thinker'), stream: true });
    let reasoningSeen = 0;
    let content = '';
    for await (const c of stream) {
      const d = deltaOf(c);
      const thought = d.reasoning_content ?? d.reasoning;
      if (thought) {
        order.push(`client ${reasoningSeen}`);
        expect(thought).toBe(`thought ${reasoningSeen}. `);
        received[reasoningSeen++]!();
      }
      content += d.content ?? '';
    }
    expect(reasoningSeen).toBe(REASONING);
    expect(content).toBe('Answer.');
    expect(order).toEqual(Array.from({ length: REASONING }, (_, i) => [`sent ${i}`, `client ${i}`]).flat());
    const { report } = await ledgerOf(gw, tenant.orgId);
    expect(report.output_tokens).toBe(41);
  }, 20_000);

  it('without usage from the engine, n = 10 interleaved choices are counted chunk by chunk, never merged across choices', async () => {
    // Even choices say "the", odd ones "re": joined in arrival order they would read "there" and
    // count half the tokens sent.
    const pieces = Array.from({ length: 10 }, (_, c) => (c % 2 === 0 ? 'the' : 're'));
    const chunk = (c: number, d: Record<string, unknown>, finish: string | null = null) => ({ ...BASE, choices: [{ index: c, delta: d, finish_reason: finish }] });
    up.handle((_req, res) =>
      sse(res, [
        ...pieces.map((_, c) => chunk(c, { role: 'assistant', content: '' })),
        ...pieces.map((p, c) => chunk(c, { content: p })),
        ...pieces.map((_, c) => chunk(c, {}, 'stop')),
      ]),
    );
    const tenant = await gw.newTenant('interleaved-estimate');
    const client = sdk(gw, wire.fetch, 0, tenant.apiKey);
    expect((await readStream(await client.chat.completions.create({ ...ask('up'), n: 10, stream: true }))).error).toBeUndefined();
    const { report, events } = await ledgerOf(gw, tenant.orgId);
    expect(Boolean(events[0]!.estimated)).toBe(true);
    const sent = pieces.reduce((n, p) => n + countText(p), 0);
    expect(sent).toBeGreaterThan(countText(pieces.join('')));
    expect(report.output_tokens).toBe(sent);
  });

  it('without usage from the engine, reasoning is counted in the estimated output (stream and JSON)', async () => {
    const thought = 'Let me think about gateways, tokens and the price of each one carefully. ';
    const answer = 'A short answer.';
    up.handle((req, res) =>
      req.body.stream
        ? sse(res, [delta({ role: 'assistant', content: '' }), delta({ reasoning_content: thought }), delta({ content: answer }), delta({}, 'stop')])
        : json(res, 200, { ...completion(answer), choices: [{ index: 0, message: { role: 'assistant', content: answer, reasoning_content: thought }, finish_reason: 'stop' }], usage: undefined }),
    );
    for (const stream of [true, false]) {
      const tenant = await gw.newTenant(`reasoning-estimate-${stream}`);
      const client = sdk(gw, wire.fetch, 0, tenant.apiKey);
      if (stream) expect((await readStream(await client.chat.completions.create({ ...ask('up'), stream: true }))).error).toBeUndefined();
      else await client.chat.completions.create(ask('up'));
      const { report, events } = await ledgerOf(gw, tenant.orgId);
      expect(Boolean(events[0]!.estimated)).toBe(true);
      // Each piece counted on its own (reasoning and answer are separate output), as usage-count.ts does.
      expect(report.output_tokens).toBe(countText(thought) + countText(answer));
    }
  });
});

describe('item 5: a complete answer without data: [DONE]', () => {
  const finished = [
    delta({ role: 'assistant', content: '' }),
    delta({ content: 'All' }),
    delta({ content: ' done.' }),
    delta({}, 'stop'),
    { ...BASE, choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } },
  ];

  it('every choice finished and usage sent, then the connection closes: a success, the client gets [DONE]', async () => {
    up.handle((_, res) => sse(res, finished, { done: false }));
    const tenant = await gw.newTenant('no-done');
    const { chunks, error } = await readStream(await sdk(gw, wire.fetch, 0, tenant.apiKey).chat.completions.create({ ...ask('up'), stream: true }));
    expect(error).toBeUndefined();
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('All done.');
    const raw = await rawStream(tenant.apiKey, ask('up'));
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(raw).not.toContain('"error"');
    const { report, events } = await ledgerOf(gw, tenant.orgId, 2);
    expect(report.output_tokens).toBe(6);
    expect(events.map((e) => [e.status_code, e.error_code])).toEqual([
      [200, null],
      [200, null],
    ]);
  });

  it('still cut short when the answer is not complete: no finish_reason, or the usage that was asked for never came', async () => {
    for (const frames of [finished.slice(0, 3), finished.slice(0, 4)]) {
      up.handle((_, res) => sse(res, frames, { done: false }));
      const raw = await rawStream(gw.apiKey, ask('up'));
      expect(raw).not.toContain('[DONE]');
      expect(raw).toContain('"code":"upstream_invalid_response"');
    }
  });
});

describe('item 6: a non-streamed call is bounded by total_ms, not first_byte_ms', () => {
  it('an answer that takes longer than first_byte_ms (100 ms) but less than total_ms succeeds, sent upstream once', async () => {
    const before = up.requests.length;
    up.handle(async (_, res) => {
      await sleep(400);
      json(res, 200, completion('Worth the wait.'));
    });
    const r = await sdk(gw, wire.fetch, 2).chat.completions.create(ask('slow-json'));
    expect(r.choices[0]!.message.content).toBe('Worth the wait.');
    expect(up.requests.length - before).toBe(1);
  });

  it('an answer that never comes ends at total_ms: 504 upstream_total_timeout', async () => {
    up.handle(() => {});
    const err = (await rejection(sdk(gw, wire.fetch, 0).chat.completions.create(ask('short-total')))) as SdkError;
    expect(err.status).toBe(504);
    expect(err.code).toBe('upstream_total_timeout');
  });
});

describe('wire invariant', () => {
  it('no 200 JSON body held an error', () => {
    expect(wire.okWithError).toEqual([]);
  });
});

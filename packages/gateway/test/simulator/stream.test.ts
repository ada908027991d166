import { describe, expect, it } from 'vitest';
import { FakeClock, ApiError } from 'tollgate';
import { countText } from '../../src/tokens/count.js';
import { SimulatorEngine, TOKENS_PER_CHUNK } from '../../src/upstream/simulator/index.js';
import { call, chatBody, chunksOf, collect, json, simModel } from './helpers.js';

const engine = () => new SimulatorEngine(simModel(), { clock: new FakeClock() });
const streamBody = (content: string, extra: Record<string, unknown> = {}) => chatBody(content, { stream: true, ...extra });
const contentOf = (chunks: Record<string, any>[]) =>
  chunks.flatMap((c) => c.choices.map((x: any) => x.delta?.content ?? x.text ?? '')).join('');

describe('simulator: chat streams', () => {
  it('sends role, content, finish, then the usage chunk with choices [] when include_usage is set', async () => {
    const e = engine();
    const plain = json(await e.call(call('chat.completions', chatBody('stream me'))));
    const chunks = await collect(await e.call(call('chat.completions', streamBody('stream me', { stream_options: { include_usage: true } }))));

    for (const c of chunks) {
      expect(Object.keys(c)).toEqual(['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint', 'choices', 'usage']);
      expect(c).toMatchObject({ id: chunks[0]!.id, object: 'chat.completion.chunk', model: 'sim-test', service_tier: 'default', system_fingerprint: plain.system_fingerprint });
    }
    expect(chunks[0]!.id).toMatch(/^chatcmpl-/);
    expect(chunks[0]!.choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
    const content = chunks.slice(1, -2);
    expect(content.length).toBe(Math.ceil(plain.usage.completion_tokens / TOKENS_PER_CHUNK));
    for (const c of content) {
      expect(Object.keys(c.choices[0].delta)).toEqual(['content']);
      expect(c.choices[0].finish_reason).toBeNull();
      expect(countText(c.choices[0].delta.content)).toBeLessThanOrEqual(TOKENS_PER_CHUNK);
    }
    expect(chunks.at(-2)!.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(plain.usage);
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
    // Streamed and non-streamed answers carry the same text.
    expect(contentOf(chunks)).toBe(plain.choices[0].message.content);
  });

  it('sends no usage chunk without include_usage; the finish chunk is last', async () => {
    const chunks = await collect(await engine().call(call('chat.completions', streamBody('no usage'))));
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(chunks.every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
  });

  it('honours max_tokens (finish length) and n (interleaved choices) on a stream', async () => {
    const e = engine();
    const chunks = await collect(await e.call(call('chat.completions', streamBody('two', { n: 2, max_tokens: 7, stream_options: { include_usage: true } }))));
    const byChoice = [0, 1].map((i) => chunks.filter((c) => c.choices[0]?.index === i));
    for (const cs of byChoice) {
      expect(cs[0]!.choices[0].delta.role).toBe('assistant');
      expect(cs.at(-1)!.choices[0].finish_reason).toBe('length');
      expect(countText(contentOf(cs))).toBe(7);
    }
    expect(chunks[0]!.choices[0].index).toBe(0);
    expect(chunks[1]!.choices[0].index).toBe(1);
    expect(chunks.at(-1)!.usage.completion_tokens).toBe(14);
    const plain = json(await e.call(call('chat.completions', chatBody('two', { n: 2, max_tokens: 7 }))));
    expect(byChoice.map(contentOf)).toEqual(plain.choices.map((c: any) => c.message.content));
  });

  it('streams a forced tool call as a header delta then argument deltas', async () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' }, k: { type: 'integer' } } } } }];
    const body = { tools, tool_choice: { type: 'function', function: { name: 'lookup' } } };
    const e = engine();
    const plain = json(await e.call(call('chat.completions', chatBody('find', body))));
    const chunks = await collect(await e.call(call('chat.completions', streamBody('find', body))));
    const head = chunks[0]!.choices[0].delta;
    expect(head.tool_calls[0]).toMatchObject({ index: 0, id: plain.choices[0].message.tool_calls[0].id, type: 'function', function: { name: 'lookup', arguments: '' } });
    const args = chunks
      .slice(1)
      .map((c) => c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '')
      .join('');
    expect(args).toBe(plain.choices[0].message.tool_calls[0].function.arguments);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
  });

  it('a consumer that stops early, or never reads, frees the capacity slot', async () => {
    const e = engine();
    const r = await e.call(call('chat.completions', streamBody('early')));
    for await (const _ of chunksOf(r)) break;
    const unread = await e.call(call('chat.completions', streamBody('unread')));
    expect(e.stats().inFlight).toBe(1);
    await chunksOf(unread)[Symbol.asyncIterator]().return!();
    expect(e.stats()).toMatchObject({ inFlight: 0, served: 0 });

    const ac = new AbortController();
    await e.call(call('chat.completions', streamBody('abandoned'), { signal: ac.signal }));
    expect(e.stats().inFlight).toBe(1);
    ac.abort(new Error('client gone'));
    expect(e.stats().inFlight).toBe(0);
  });
});

describe('simulator: completions streams', () => {
  it('streams text_completion chunks whose text adds up to the non-streamed answer', async () => {
    const e = engine();
    const body = { model: 'sim-test', prompt: 'Say something' };
    const plain = json(await e.call(call('completions', body)));
    const chunks = await collect(await e.call(call('completions', { ...body, stream: true, stream_options: { include_usage: true } })));
    for (const c of chunks) expect(c.object).toBe('text_completion');
    expect(chunks[0]!.choices[0]).toEqual({ text: expect.any(String), index: 0, logprobs: null, finish_reason: null });
    expect(chunks.at(-2)!.choices[0]).toEqual({ text: '', index: 0, logprobs: null, finish_reason: 'stop' });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: plain.usage });
    expect(contentOf(chunks)).toBe(plain.choices[0].text);
  });

  // Each choice's stream shows what its JSON answer does: the echo and its logprobs ride in its first content chunk.
  it.each([
    ['a stop sequence at the start', (first: string[]) => ({ stop: first })],
    ['max_tokens 0', () => ({ max_tokens: 0 })],
  ])('streams the echo (with its logprobs) of a choice that generates nothing: %s', async (_, limit) => {
    const e = engine();
    const body = { model: 'sim-test', prompt: 'Say something', echo: true, logprobs: 1, n: 2 };
    const free = json(await e.call(call('completions', body)));
    const first = free.choices.map((c: any) => c.text.slice(body.prompt.length)[0]);
    const limited = { ...body, ...limit(first) };
    const plain = json(await e.call(call('completions', limited)));
    const chunks = await collect(await e.call(call('completions', { ...limited, stream: true })));
    for (const [i, answer] of (plain.choices as any[]).entries()) {
      expect(answer.text).toBe(body.prompt);
      const own = chunks.flatMap((c) => c.choices.filter((x: any) => x.index === i));
      expect(own.map((x: any) => x.text).join('')).toBe(answer.text);
      const tokens = own.flatMap((x: any) => x.logprobs?.tokens ?? []);
      expect(tokens).toEqual(answer.logprobs.tokens);
      expect(tokens.length).toBeGreaterThan(0);
      expect(own.flatMap((x: any) => x.logprobs?.token_logprobs ?? [])).toEqual(answer.logprobs.token_logprobs);
    }
  });
});

describe('simulator: mid-stream faults', () => {
  it('<id>@<n> sends n content chunks then throws that ApiError from the iterator', async () => {
    for (const n of [0, 1, 3]) {
      const e = engine();
      const r = await e.call(call('chat.completions', streamBody('fail later'), { fault: `server_error@${n}` }));
      const got: Record<string, any>[] = [];
      let error: unknown;
      try {
        for await (const c of chunksOf(r)) got.push(c);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).entry.id).toBe('server_error');
      expect(got[0]!.choices[0].delta.role).toBe('assistant');
      expect(got.length - 1).toBe(n);
      expect(e.stats()).toMatchObject({ inFlight: 0, served: 0 });
    }
  });

  it('with fewer content chunks than n, fails before the finish chunk', async () => {
    const r = await engine().call(call('chat.completions', streamBody('short', { max_tokens: 2 }), { fault: 'upstream_idle_timeout@50' }));
    const got: Record<string, any>[] = [];
    await expect(
      (async () => {
        for await (const c of chunksOf(r)) got.push(c);
      })(),
    ).rejects.toMatchObject({ entry: { id: 'upstream_idle_timeout' } });
    expect(got.every((c) => c.choices[0].finish_reason === null)).toBe(true);
  });

  it('stall@<n> sends n content chunks and then nothing until the call is aborted', async () => {
    const e = engine();
    const ac = new AbortController();
    const r = await e.call(call('chat.completions', streamBody('stall'), { fault: 'stall@2', signal: ac.signal }));
    const it = chunksOf(r)[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) expect((await it.next()).done).toBe(false);
    let settled = false;
    const next = it.next().finally(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    expect(e.stats().inFlight).toBe(1);
    const reason = new Error('idle timeout');
    ac.abort(reason);
    await expect(next).rejects.toBe(reason);
    expect(e.stats().inFlight).toBe(0);
  });
});

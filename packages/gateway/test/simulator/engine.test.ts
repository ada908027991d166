import { describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { countChatPrompt, countCompletionPrompt, countText } from '../../src/tokens/count.js';
import { SimulatorEngine } from '../../src/upstream/simulator/index.js';
import { call, chatBody, json, simModel } from './helpers.js';

const engine = (seed = 0) => new SimulatorEngine(simModel({ seed }), { clock: new FakeClock() });
const chat = async (e: SimulatorEngine, body: Record<string, unknown>) => json(await e.call(call('chat.completions', body)));

describe('simulator: chat completions', () => {
  it('has the exact OpenAI shape', async () => {
    const r = await chat(engine(), chatBody('Hello there'));
    expect(Object.keys(r)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage', 'service_tier', 'system_fingerprint']);
    expect(r.service_tier).toBe('default');
    expect(r.id).toMatch(/^chatcmpl-[0-9a-f]{29}$/);
    expect(r.object).toBe('chat.completion');
    expect(r.created).toBe(Math.floor(Date.UTC(2026, 0, 1) / 1000));
    expect(r.model).toBe('sim-test');
    expect(r.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
    expect(r.choices).toHaveLength(1);
    const c = r.choices[0];
    expect(Object.keys(c)).toEqual(['index', 'message', 'logprobs', 'finish_reason']);
    expect(c).toMatchObject({ index: 0, logprobs: null, finish_reason: 'stop' });
    expect(c.message).toEqual({ role: 'assistant', content: expect.any(String), refusal: null });
    expect(c.message.content).toMatch(/^[A-Z][a-z ,]+\./);
    expect(Object.keys(r.usage)).toEqual(['prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_tokens_details', 'completion_tokens_details']);
    expect(r.usage.prompt_tokens_details).toEqual({ cached_tokens: 0, audio_tokens: 0 });
    expect(r.usage.completion_tokens_details).toEqual({ reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 });
  });

  it('is deterministic: same request, same answer (across engine instances); another seed, another answer', async () => {
    const body = chatBody('Tell me about rivers');
    const a = await chat(engine(), body);
    const b = await chat(engine(), body);
    expect(b.choices).toEqual(a.choices);
    expect(b.usage).toEqual(a.usage);
    const reqSeed = await chat(engine(), { ...body, seed: 42 });
    const modelSeed = await chat(engine(7), body);
    const prompt = await chat(engine(), chatBody('Tell me about bridges'));
    for (const other of [reqSeed, modelSeed, prompt]) expect(other.choices[0].message.content).not.toBe(a.choices[0].message.content);
    expect(await chat(engine(), { ...body, seed: 42 })).toMatchObject({ choices: reqSeed.choices });
  });

  it('reports usage as the tokenizer counts the prompt and the returned text, for 100 prompts', async () => {
    const e = engine();
    const lengths = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const messages = [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: `Question number ${i}: what is ${i} squared?`, name: i % 2 ? 'alice' : undefined },
      ];
      const r = await chat(e, { model: 'sim-test', messages });
      const content: string = r.choices[0].message.content;
      expect(r.usage.prompt_tokens).toBe(countChatPrompt(messages));
      expect(r.usage.completion_tokens).toBe(countText(content));
      expect(r.usage.total_tokens).toBe(r.usage.prompt_tokens + r.usage.completion_tokens);
      expect(r.usage.completion_tokens).toBeGreaterThanOrEqual(16);
      expect(r.usage.completion_tokens).toBeLessThanOrEqual(230);
      expect(content.endsWith('.')).toBe(true);
      lengths.add(r.usage.completion_tokens);
    }
    expect(lengths.size).toBeGreaterThan(30); // lengths really vary with the prompt
  });

  it('caps output at max_tokens / max_completion_tokens with finish_reason length', async () => {
    const e = engine();
    const full = await chat(e, chatBody('cap me'));
    for (const cap of [1, 5, 15]) {
      for (const key of ['max_tokens', 'max_completion_tokens']) {
        const r = await chat(e, chatBody('cap me', { [key]: cap }));
        expect(r.choices[0].finish_reason).toBe('length');
        expect(r.usage.completion_tokens).toBe(cap);
        expect(countText(r.choices[0].message.content)).toBe(cap);
        expect(full.choices[0].message.content.startsWith(r.choices[0].message.content)).toBe(true);
      }
    }
    const roomy = await chat(e, chatBody('cap me', { max_tokens: 1000 }));
    expect(roomy.choices[0]).toEqual(full.choices[0]);
    const exact = await chat(e, chatBody('cap me', { max_tokens: full.usage.completion_tokens }));
    expect(exact.choices[0].finish_reason).toBe('stop');
  });

  it('returns n different, deterministic choices and sums their usage', async () => {
    const e = engine();
    const r = await chat(e, chatBody('many', { n: 4 }));
    expect(r.choices.map((c: any) => c.index)).toEqual([0, 1, 2, 3]);
    const texts = r.choices.map((c: any) => c.message.content);
    expect(new Set(texts).size).toBe(4);
    expect(r.usage.completion_tokens).toBe(texts.reduce((s: number, t: string) => s + countText(t), 0));
    expect((await chat(e, chatBody('many', { n: 4 }))).choices).toEqual(r.choices);
    // choice 0 of n is the single answer.
    expect((await chat(e, chatBody('many'))).choices[0]).toEqual(r.choices[0]);
  });

  it('cuts before the first stop sequence (string or array) with finish_reason stop', async () => {
    const e = engine();
    const text: string = (await chat(e, chatBody('stop test'))).choices[0].message.content;
    const words = text.split(' ');
    const stopWord = ` ${words[4]}`;
    const expected = text.slice(0, text.indexOf(stopWord));
    const one = await chat(e, chatBody('stop test', { stop: stopWord }));
    expect(one.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: expected } });
    expect(one.usage.completion_tokens).toBe(countText(expected));
    const later = ` ${words[6]}`;
    const many = await chat(e, chatBody('stop test', { stop: [later, stopWord, 'zzz-never'] }));
    expect(many.choices[0].message.content).toBe(text.slice(0, Math.min(text.indexOf(later), text.indexOf(stopWord))));
    // A stop sequence inside a word splits it; usage still counts exactly what was returned.
    const mid = text.slice(3, 5);
    const split = await chat(e, chatBody('stop test', { stop: mid }));
    expect(split.choices[0].message.content).toBe(text.slice(0, text.indexOf(mid)));
    expect(split.usage.completion_tokens).toBe(countText(split.choices[0].message.content));
    // Stop sequences that never appear change nothing.
    expect((await chat(e, chatBody('stop test', { stop: ['@@', '##'] }))).choices[0].message.content).toBe(text);
  });

  it('answers a forced function with a deterministic tool call whose arguments fit the schema', async () => {
    const e = engine();
    const tools = [
      { type: 'function', function: { name: 'noop', parameters: { type: 'object', properties: {} } } },
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] }, days: { type: 'integer' }, hourly: { type: 'boolean' } },
            required: ['city'],
          },
        },
      },
    ];
    const named = await chat(e, chatBody('weather?', { tools, tool_choice: { type: 'function', function: { name: 'get_weather' } } }));
    const c = named.choices[0];
    expect(c.finish_reason).toBe('stop');
    expect(c.message.content).toBeNull();
    expect(c.message.tool_calls).toHaveLength(1);
    const tc = c.message.tool_calls[0];
    expect(tc.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(tc.type).toBe('function');
    expect(tc.function.name).toBe('get_weather');
    const args = JSON.parse(tc.function.arguments);
    expect(typeof args.city).toBe('string');
    expect(['c', 'f']).toContain(args.unit);
    expect(Number.isInteger(args.days)).toBe(true);
    expect(typeof args.hourly).toBe('boolean');
    expect(named.usage.prompt_tokens).toBe(countChatPrompt([{ role: 'user', content: 'weather?' }], tools));
    expect(named.usage.completion_tokens).toBe(countText('get_weather') + countText(tc.function.arguments));
    expect((await chat(e, chatBody('weather?', { tools, tool_choice: { type: 'function', function: { name: 'get_weather' } } }))).choices).toEqual(named.choices);

    const required = await chat(e, chatBody('weather?', { tools, tool_choice: 'required' }));
    expect(required.choices[0].finish_reason).toBe('tool_calls');
    expect(['noop', 'get_weather']).toContain(required.choices[0].message.tool_calls[0].function.name);

    const auto = await chat(e, chatBody('weather?', { tools, tool_choice: 'auto' }));
    expect(typeof auto.choices[0].message.content).toBe('string');
  });
});

describe('simulator: legacy completions', () => {
  it('has the text_completion shape and exact usage', async () => {
    const e = engine();
    const r = json(await e.call(call('completions', { model: 'sim-test', prompt: 'Once upon a time' })));
    expect(r).toMatchObject({ object: 'text_completion', model: 'sim-test' });
    expect(r.id).toMatch(/^cmpl-[0-9a-f]{29}$/);
    expect(Object.keys(r.choices[0])).toEqual(['text', 'index', 'logprobs', 'finish_reason']);
    expect(r.usage).toEqual({
      prompt_tokens: countCompletionPrompt('Once upon a time'),
      completion_tokens: countText(r.choices[0].text),
      total_tokens: countCompletionPrompt('Once upon a time') + countText(r.choices[0].text),
    });
  });

  it('answers n choices per prompt for a list of prompts (strings or token arrays)', async () => {
    const e = engine();
    const prompt = ['first prompt', 'second prompt'];
    const r = json(await e.call(call('completions', { model: 'sim-test', prompt, n: 2, max_tokens: 8 })));
    expect(r.choices.map((c: any) => c.index)).toEqual([0, 1, 2, 3]);
    expect(new Set(r.choices.map((c: any) => c.text)).size).toBe(4);
    for (const c of r.choices) expect(c.finish_reason).toBe('length');
    expect(r.usage.prompt_tokens).toBe(countCompletionPrompt(prompt));
    expect(r.usage.completion_tokens).toBe(32);
    const tokens = json(await e.call(call('completions', { model: 'sim-test', prompt: [[1, 2, 3], [4, 5]] })));
    expect(tokens.choices).toHaveLength(2);
    expect(tokens.usage.prompt_tokens).toBe(5);
  });
});

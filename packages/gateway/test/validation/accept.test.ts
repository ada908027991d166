import { describe, expect, it } from 'vitest';
import { countChatPrompt, countCompletionPrompt, countText } from '../../src/tokens/count.js';
import { KNOWN_PARAMS } from '../../src/validation/vocabulary.js';
import { TEST_MODELS, validate } from './fixtures.js';

const small = TEST_MODELS.find((m) => m.name === 'sim-small')!;

/** Every documented chat parameter at once, with every message role and content part kind. */
const maximalChat = {
  model: 'sim-small',
  messages: [
    { role: 'developer', content: 'Be brief.', name: 'dev' },
    { role: 'system', content: [{ type: 'text', text: 'You are helpful.' }] },
    {
      role: 'user',
      name: 'alice',
      content: [
        { type: 'text', text: 'What is in these?' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
        { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
        { type: 'file', file: { file_id: 'file-abc', filename: 'a.pdf' } },
        { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      refusal: null,
      audio: { id: 'audio_1' },
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'custom', custom: { name: 'sql', input: 'select 1' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '18C' }] },
    { role: 'tool', tool_call_id: 'call_2', content: '1' },
    { role: 'assistant', content: [{ type: 'text', text: 'Done.' }, { type: 'refusal', refusal: 'No.' }], name: 'bot' },
    { role: 'assistant', function_call: { name: 'old_fn', arguments: '{}' } },
    { role: 'function', name: 'old_fn', content: 'ok' },
    { role: 'user', content: 'Thanks', extra_key_openai_ignores: true },
  ],
  audio: { voice: 'alloy', format: 'mp3' },
  frequency_penalty: -1.5,
  function_call: { name: 'old_fn' },
  functions: [{ name: 'old_fn', description: 'legacy', parameters: { type: 'object', properties: {} } }],
  logit_bias: { '50256': -100, '1234': 2.5 },
  logprobs: true,
  max_completion_tokens: 100,
  max_tokens: 200,
  metadata: { team: 'search', run: '42' },
  modalities: ['text', 'audio'],
  n: 2,
  parallel_tool_calls: true,
  prediction: { type: 'content', content: [{ type: 'text', text: 'predicted' }] },
  presence_penalty: 2,
  prompt_cache_key: 'tenant-7',
  prompt_cache_retention: '24h',
  reasoning_effort: 'minimal',
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'answer', description: 'the answer', schema: { type: 'object' }, strict: true },
  },
  safety_identifier: 'user-hash-1',
  seed: -42,
  service_tier: 'flex',
  stop: ['\n\n', 'END'],
  store: false,
  stream: true,
  stream_options: { include_usage: true, include_obfuscation: false },
  temperature: 0,
  tool_choice: { type: 'function', function: { name: 'get_weather' } },
  tools: [
    { type: 'function', function: { name: 'get_weather', description: 'weather', parameters: { type: 'object' }, strict: true } },
    { type: 'custom', custom: { name: 'sql', description: 'run SQL', format: { type: 'grammar', grammar: { definition: 'start: "x"', syntax: 'lark' } } } },
    { type: 'custom', custom: { name: 'free', format: { type: 'text' } } },
  ],
  top_logprobs: 20,
  top_p: 1,
  user: 'user-1',
  verbosity: 'low',
  web_search_options: {
    search_context_size: 'high',
    user_location: { type: 'approximate', approximate: { city: 'Paris', country: 'FR', region: 'IDF', timezone: 'Europe/Paris' } },
  },
};

const maximalCompletion = {
  model: 'sim-small',
  prompt: ['Once upon a time', 'In a galaxy'],
  best_of: 3,
  echo: true,
  frequency_penalty: 0.5,
  logit_bias: { '50256': -100 },
  logprobs: 5,
  max_tokens: 16,
  n: 2,
  presence_penalty: -0.5,
  seed: 7,
  stop: 'END',
  stream: false,
  stream_options: null,
  suffix: ' The end.',
  temperature: 2,
  top_p: 0,
  user: 'user-1',
};

const maximalEmbedding = { model: 'sim-embed', input: ['first text', 'second text'], dimensions: 256, encoding_format: 'base64', user: 'u' };

describe('accepts every documented parameter', () => {
  it('the maximal bodies use every known name of their endpoint', () => {
    expect(new Set(Object.keys(maximalChat))).toEqual(KNOWN_PARAMS['chat.completions']);
    expect(new Set(Object.keys(maximalCompletion))).toEqual(KNOWN_PARAMS.completions);
    expect(new Set(Object.keys(maximalEmbedding))).toEqual(KNOWN_PARAMS.embeddings);
  });

  it('chat: maximal body', () => {
    const before = structuredClone(maximalChat);
    const r = validate('chat.completions', maximalChat);
    expect(r.body).toBe(maximalChat);
    expect(maximalChat).toEqual(before); // validation never edits the caller's body
    expect(r.endpoint).toBe('chat.completions');
    expect(r.model.name).toBe('sim-small');
    expect(r.stream).toBe(true);
    expect(r.includeUsage).toBe(true);
    expect(r.n).toBe(2);
    expect(r.promptTokens).toBe(countChatPrompt(maximalChat.messages, maximalChat.tools));
    // max_completion_tokens wins over max_tokens, times n.
    expect(r.maxOutputTokens).toBe(200);
  });

  it('completions: maximal body; a batch is budgeted per prompt and per best_of candidate', () => {
    const r = validate('completions', maximalCompletion);
    expect(r.stream).toBe(false);
    expect(r.includeUsage).toBe(false);
    expect(r.n).toBe(2);
    expect(r.promptTokens).toBe(countCompletionPrompt(maximalCompletion.prompt));
    expect(r.maxOutputTokens).toBe(16 * 2 * 3); // max_tokens x prompts x best_of
  });

  it('embeddings: maximal body', () => {
    const r = validate('embeddings', maximalEmbedding);
    expect(r.model.name).toBe('sim-embed');
    expect(r.promptTokens).toBe(countText('first text') + countText('second text'));
    expect(r.maxOutputTokens).toBe(0);
    expect([r.stream, r.includeUsage, r.n]).toEqual([false, false, 1]);
  });

  it('explicit nulls on optional parameters, as LangChain and LiteLLM send them', () => {
    const nulls = Object.fromEntries(
      [...KNOWN_PARAMS['chat.completions']].filter((k) => k !== 'model' && k !== 'messages').map((k) => [k, null]),
    );
    const r = validate('chat.completions', { model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], ...nulls });
    expect(r.stream).toBe(false);
    expect(r.n).toBe(1);
    expect(validate('completions', { model: 'sim-small', prompt: null, max_tokens: null, suffix: null }).promptTokens).toBe(0);
  });

  it('the lenient cases OpenAI accepts', () => {
    const lenient = [
      { role: 'user' }, // no content
      { role: 'assistant', content: null },
      { role: 'assistant', content: [], tool_calls: [] },
      { role: 'user', content: [] },
      { role: 'user', content: 'x', unknown_field: { anything: [1] } },
    ];
    expect(() => validate('chat.completions', { model: 'sim-small', messages: lenient })).not.toThrow();
    expect(() => validate('chat.completions', { model: 'sim-small', messages: [{ role: 'user', content: 'x' }], prompt_cache_retention: 'in-memory' })).not.toThrow();
    expect(() => validate('completions', { model: 'sim-small', prompt: '' })).not.toThrow();
  });

  it.each([
    ['a string', 'hello world'],
    ['strings', ['a', 'b c']],
    ['token ids', [1, 2, 3]],
    ['token id arrays', [[1, 2], [3]]],
  ])('prompt and input as %s', (_, value) => {
    expect(validate('completions', { model: 'sim-small', prompt: value }).promptTokens).toBe(countCompletionPrompt(value));
    expect(validate('embeddings', { model: 'sim-embed', input: value }).promptTokens).toBe(countCompletionPrompt(value));
  });

  it('without an explicit cap, output is what the model may produce in the room left, times n', () => {
    const messages = [{ role: 'user', content: 'lorem ipsum dolor sit amet '.repeat(4) }];
    const prompt = countChatPrompt(messages);
    expect(validate('chat.completions', { model: 'tiny-chat', messages, n: 2 }).maxOutputTokens).toBe(Math.min(40, 60 - prompt) * 2);
    expect(validate('chat.completions', { model: 'sim-small', messages }).maxOutputTokens).toBe(small.max_output_tokens);
  });
});

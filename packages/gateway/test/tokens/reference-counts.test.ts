/**
 * Token counts pinned to references computed OUTSIDE the project: o200k_base by js-tiktoken (an
 * independent implementation; the gateway itself uses gpt-tokenizer's ranks), and OpenAI's
 * published chat framing (the cookbook's "How to count tokens with tiktoken": 3 tokens per
 * message, 1 more per name, 3 to prime the reply), written out here rather than imported. Tokens
 * drive rate limits, context-length errors and the money reservation, so a change in the framing
 * constants or the tokenizer fails this file, at the counter and at the gateway's answer.
 */
import OpenAI from 'openai';
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countChatPrompt, countText } from '../../src/tokens/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const reference = new Tiktoken(o200k);

type Msg = { role: 'system' | 'user' | 'assistant'; content: string; name?: string };

/** OpenAI's framing for gpt-4o-family chat prompts, counted with the independent tokenizer. */
function referenceChatTokens(messages: readonly Msg[]): number {
  let n = 3; // every reply is primed with <|start|>assistant<|message|>
  for (const m of messages) {
    n += 3; // <|start|>{role}<|message|>…<|end|>
    n += reference.encode(m.role).length + reference.encode(m.content).length;
    if (m.name !== undefined) n += 1 + reference.encode(m.name).length;
  }
  return n;
}

/** `expected`: js-tiktoken's o200k_base count with the framing above, recorded when written. */
const PROMPTS: { name: string; messages: Msg[]; expected: number }[] = [
  { name: 'one short user message', messages: [{ role: 'user', content: 'Hello' }], expected: 8 },
  {
    name: 'system + user',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'What is the capital of France?' },
    ],
    expected: 24,
  },
  {
    // The cookbook's example conversation (abridged), names included.
    name: 'a conversation with names',
    messages: [
      { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
      { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
      { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
      { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
    ],
    expected: 79,
  },
  { name: 'non-Latin text and emoji', messages: [{ role: 'user', content: '你好，世界！Привет, мир! 👋🏽 café' }], expected: 21 },
];

describe('o200k_base counts with chat framing, against an independent tokenizer', () => {
  it.each(PROMPTS)('$name', ({ messages, expected }) => {
    const ref = referenceChatTokens(messages);
    expect(ref).toBe(expected); // the reference itself is pinned too
    expect(countChatPrompt(messages)).toBe(ref);
  });

  it('plain texts count as the independent tokenizer counts them', () => {
    for (const t of ['', 'Hello, world!', '  leading spaces and\ttabs\n\nnewlines', 'x'.repeat(1000), '数字 12345678901234567890', 'https://example.com/a?b=c&d=e']) {
      expect(countText(t), JSON.stringify(t.slice(0, 20))).toBe(reference.encode(t).length);
    }
  });
});

describe('the prompt_tokens a client is answered and billed with', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.close());

  it.each(PROMPTS)('$name: usage.prompt_tokens equals the reference', async ({ messages }) => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'sim-small', messages, max_tokens: 2 });
    expect(r.usage!.prompt_tokens).toBe(referenceChatTokens(messages));
  });
});

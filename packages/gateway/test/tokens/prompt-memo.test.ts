/**
 * The PromptCounter remembers the exact counts of texts it counted: a system prompt sent with every
 * request, or the earlier turns a chat client sends again each turn, is tokenized once. Counts
 * are the same as without the memo, limits included.
 */
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PromptCounter } from '../../src/tokens/prompt-counter.js';
import { chatPromptText } from '../../src/tokens/prompt-text.js';

/** Every text the tokenizer is asked to count, on this thread. */
const tokenized: string[] = [];
vi.mock('../../src/tokens/bpe.js', async (importOriginal) => {
  const bpe = await importOriginal<typeof import('../../src/tokens/bpe.js')>();
  return {
    ...bpe,
    countTextUpTo: (text: string, limit: number) => {
      tokenized.push(text);
      return bpe.countTextUpTo(text, limit);
    },
  };
});

const remembering = new PromptCounter({ workers: 0, inlineChars: Infinity });
const forgetting = new PromptCounter({ workers: 0, inlineChars: Infinity, memoTexts: 0 });
afterAll(async () => {
  await remembering.close();
  await forgetting.close();
});
beforeEach(() => {
  tokenized.length = 0;
});

const SYSTEM = 'You are a careful assistant. Answer in one short paragraph and cite your sources.';

describe('PromptCounter memo', () => {
  it('tokenizes a conversation turn by turn: only the new message each time', async () => {
    const messages: { role: string; content: string }[] = [{ role: 'system', content: SYSTEM }];
    for (let turn = 0; turn < 5; turn++) {
      messages.push({ role: 'user', content: `Question number ${turn}: what happened in year ${1900 + turn}?` });
      tokenized.length = 0;
      const [c] = await remembering.count([chatPromptText(messages)], Infinity);
      const [expected] = await forgetting.count([chatPromptText(messages)], Infinity);
      expect(c).toEqual(expected);
      expect(c!.exact).toBe(true);
      // The forgetting counter tokenized every message; the remembering one only the newest.
      expect(tokenized.filter((t) => t === SYSTEM)).toHaveLength(turn === 0 ? 2 : 1);
      messages.push({ role: 'assistant', content: `In ${1900 + turn} many things happened; here is one of them, briefly.` });
    }
  });

  it('tokenizes each chat role once, however many requests name it', async () => {
    const roles = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];
    const messages = roles.map((role, i) => ({ role, content: `Message ${i} of a conversation that names every role.` }));
    const [first] = await remembering.count([chatPromptText(messages)], Infinity);
    tokenized.length = 0;
    for (let i = 0; i < 3; i++) expect(await remembering.count([chatPromptText(messages)], Infinity)).toEqual([first]);
    expect(tokenized).toEqual([]);
    expect(first).toEqual((await forgetting.count([chatPromptText(messages)], Infinity))[0]);
    // A role name sent as content is counted as content (the same count: a text's count is its own).
    const [asContent] = await remembering.count([chatPromptText([{ role: 'user', content: 'user' }])], Infinity);
    expect(asContent).toEqual((await forgetting.count([chatPromptText([{ role: 'user', content: 'user' }])], Infinity))[0]);
  });

  it('gives the same counts as a counter without memo, for prompts sharing texts and any limit', async () => {
    const pool = ['The quick brown fox jumps over the lazy dog.', SYSTEM, '中文的句子也要一样地数清楚，不多不少。', 'short', 'x'.repeat(400), '', 'user', 'assistant', 'system'];
    const prompt = fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 6 }).map((texts) => ({ fixed: 3, texts }));
    await fc.assert(
      fc.asyncProperty(fc.array(prompt, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 300 }), async (prompts, stopAbove) => {
        const got = await remembering.count(prompts, stopAbove);
        const want = await forgetting.count(prompts, stopAbove);
        expect(got.map((c) => c.exact)).toEqual(want.map((c) => c.exact));
        // Exact counts agree; past the limit both say so (their lower bounds may differ).
        got.forEach((c, i) => {
          if (c.exact) expect(c.tokens).toBe(want[i]!.tokens);
          else expect(c.tokens).toBeGreaterThan(stopAbove);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('remembers no count that stopped at a limit', async () => {
    const long = 'word '.repeat(500);
    const [first] = await remembering.count([{ fixed: 0, texts: [long] }], 10);
    expect(first!.exact).toBe(false);
    tokenized.length = 0;
    const [whole] = await remembering.count([{ fixed: 0, texts: [long] }], Infinity);
    expect(tokenized).toEqual([long]);
    expect(whole).toEqual((await forgetting.count([{ fixed: 0, texts: [long] }], Infinity))[0]);
    expect(whole!.exact).toBe(true);
  });
});

/**
 * The PromptCounter: cheap bound first, inline for short prompts, worker threads for long ones,
 * and the same numbers whichever way a prompt was counted.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { countPromptText } from '../../src/tokens/count.js';
import { PromptCounter } from '../../src/tokens/prompt-counter.js';
import { chatPromptText } from '../../src/tokens/prompt-text.js';

const inWorkers = new PromptCounter({ inlineChars: 0, workers: 2 });
const inline = new PromptCounter({ workers: 0 });
afterAll(async () => {
  await inWorkers.close();
  await inline.close();
});

const text = fc.array(fc.constantFrom('hello', ' world', '中文', ' ', '\n', 'a'.repeat(300), '!!', '42', '😀'), { maxLength: 40 }).map((p) => p.join(''));

describe('PromptCounter', () => {
  it('gives the exact count in worker threads and inline alike', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 4 }), async (texts) => {
        const prompts = texts.map((t) => chatPromptText([{ role: 'user', content: t }]));
        const expected = prompts.map((p) => ({ tokens: countPromptText(p), exact: true }));
        expect(await inWorkers.count(prompts, Infinity)).toEqual(expected);
        expect(await inline.count(prompts, Infinity)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses from length alone what cannot fit, without tokenizing', async () => {
    const huge = 'a'.repeat(3_900_000);
    const [c] = await inline.count([{ fixed: 0, texts: [huge] }], 16_384);
    // ceil(3,900,000 / 128): the bound, not a count (a count would be 487,500).
    expect(c).toEqual({ tokens: 30_469, exact: false });
  });

  it('stops counting a long prompt once it passes the limit', async () => {
    const [c] = await inWorkers.count([{ fixed: 0, texts: ['中'.repeat(30_000)] }], 16_384);
    expect(c!.exact).toBe(false);
    expect(c!.tokens).toBeGreaterThan(16_384);
    expect(c!.tokens).toBeLessThanOrEqual(30_000);
  });

  it('serves many jobs at once from a small pool', async () => {
    const prompts = Array.from({ length: 30 }, (_, i) => ({ fixed: i, texts: [`${'word '.repeat(1000)}${i}`] }));
    const results = await Promise.all(prompts.map((p) => inWorkers.count([p], Infinity)));
    results.forEach(([c], i) => expect(c).toEqual({ tokens: countPromptText(prompts[i]!), exact: true }));
  });
});

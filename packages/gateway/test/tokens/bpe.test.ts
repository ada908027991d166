/**
 * The linear-cost counter (tokens/bpe.ts) against the tokenizer library's own exact count, on
 * generated text: mixed scripts, whitespace, digits, special-token strings, and the long runs of
 * one character that made the library's merge quadratic. Sizes stay modest because the reference
 * is the slow, quadratic one.
 */
import fc from 'fast-check';
import { countTokens } from 'gpt-tokenizer';
import { describe, expect, it } from 'vitest';
import { countTextNow, countTextUpTo, MAX_TOKEN_BYTES, minTokens } from '../../src/tokens/bpe.js';

const AS_TEXT = { disallowedSpecial: new Set<string>() };
const reference = (s: string) => countTokens(s, AS_TEXT);

const alphabet = fc.constantFrom(
  'a', 'b', 'e', 'A', 'Z', ' ', '  ', '\n', '\t', '\r\n', '1', '0', '.', ',', '!', '-', '/', "'s", '中', '文', '的', 'é', 'ü', 'ß', 'я',
  'ق', 'ह', '😀', '👍🏽', '\u0301', '<|endoftext|>', 'the', ' quick', ' brown', 'fox', 'ing', '=', '{', '"',
);
const mixed = fc.array(alphabet, { maxLength: 200 }).map((parts) => parts.join(''));
const run = fc.tuple(fc.constantFrom('a', 'A', ' ', '\n', '中', '!', '7', 'é', '😀', 'ab', ' a', 'aA'), fc.integer({ min: 1, max: 1500 })).map(([c, n]) => c.repeat(n));
const surrounded = fc.tuple(mixed, run, mixed).map(([a, b, c]) => a + b + c);

describe('the o200k counter', () => {
  it('counts like the reference on mixed text', () => {
    fc.assert(fc.property(mixed, (s) => countTextNow(s) === reference(s)), { numRuns: 400 });
  });

  it('counts like the reference on long runs of one character (the quadratic case), alone or inside text', () => {
    fc.assert(fc.property(run, (s) => countTextNow(s) === reference(s)), { numRuns: 150 });
    fc.assert(fc.property(surrounded, (s) => countTextNow(s) === reference(s)), { numRuns: 100 });
  });

  it('counts like the reference on arbitrary unicode', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => countTextNow(s) === reference(s)), { numRuns: 300 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => countTextNow(s) === reference(s)), { numRuns: 300 });
  });

  it('knows the longest token, which makes length a lower bound', () => {
    expect(MAX_TOKEN_BYTES).toBe(128);
    fc.assert(fc.property(fc.oneof(mixed, run), (s) => minTokens(s) <= countTextNow(s)), { numRuns: 200 });
  });

  it('stops counting once past the limit, with a lower bound above it', () => {
    fc.assert(
      fc.property(fc.oneof(mixed, run, surrounded), fc.integer({ min: 0, max: 400 }), (s, limit) => {
        const exact = countTextNow(s);
        const c = countTextUpTo(s, limit);
        if (exact <= limit) return c.exact && c.tokens === exact;
        return !c.exact && c.tokens > limit && c.tokens <= exact;
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a 3,000,000-character run from its length, without merging it', () => {
    // 'b' runs tokenize 4 to a token (750,000 in all); the longest token inside such a run bounds it.
    const c = countTextUpTo('b'.repeat(3_000_000), 256_000);
    expect(c.exact).toBe(false);
    expect(c.tokens).toBeGreaterThan(256_000);
    expect(c.tokens).toBeLessThanOrEqual(750_000);
    expect(countTextNow('b'.repeat(4000))).toBe(reference('b'.repeat(4000)));
  });

  it('counts 100,000 × "a" exactly (the issue\'s drill)', () => {
    expect(countTextNow('a'.repeat(100_000))).toBe(12_500);
  });
});

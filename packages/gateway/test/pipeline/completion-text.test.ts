/**
 * CompletionText collects a stream's output for counting when the engine reports no usage. A
 * chunk kept as its JSON text (a plain chunk the relay did not parse) is read only when counted,
 * and counts exactly as the parsed chunk would, in its place among the others.
 */
import { describe, expect, it } from 'vitest';
import { echoedPrompts } from '../../src/pipeline/echoed-prompts.js';
import { CompletionText } from '../../src/pipeline/usage-count.js';
import type { PromptCounter } from '../../src/tokens/prompt-counter.js';

const counter = { count: async () => [{ tokens: 0 }] } as unknown as PromptCounter;
const delta = (d: Record<string, unknown>) => ({ choices: [{ index: 0, delta: d, finish_reason: null }], usage: null });

describe('CompletionText', () => {
  it('a chunk added as text counts as the parsed chunk, in order with the others', () => {
    const chunks = [delta({ role: 'assistant', content: '' }), delta({ reasoning_content: 'Think. ' }), delta({ content: 'Hé "x"\n' }), delta({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }), delta({ content: 'end' })];
    const parsed = new CompletionText(counter);
    for (const c of chunks) parsed.addChunk(c);
    const mixed = new CompletionText(counter);
    chunks.forEach((c, i) => (i % 2 === 0 ? mixed.addChunkText(JSON.stringify(c)) : mixed.addChunk(c)));
    expect(mixed.text()).toBe(parsed.text());
    expect(parsed.text()).toBe('Think. Hé "x"\n[{"index":0,"function":{"arguments":"{\\"a\\":1}"}}]end');
  });

  it('a long stream\'s texts, read once they pass the bound it keeps, count the same', () => {
    const chunks = Array.from({ length: 3000 }, (_, i) => (i % 500 === 7 ? delta({ tool_calls: [{ index: 0, function: { arguments: `{"i":${i}}` } }] }) : delta({ content: ` w${i}` })));
    const parsed = new CompletionText(counter);
    for (const c of chunks) parsed.addChunk(c);
    const mixed = new CompletionText(counter);
    chunks.forEach((c, i) => (i % 500 === 7 ? mixed.addChunk(c) : mixed.addChunkText(JSON.stringify(c))));
    expect(mixed.text()).toBe(parsed.text());
  });

  it('reads kept texts once they pass 64 Ki characters, not at the end (a text that is not JSON shows when)', () => {
    const t = new CompletionText(counter);
    t.addChunkText('{');
    const text = JSON.stringify(delta({ content: 'x'.repeat(1000) }));
    expect(() => {
      for (let i = 0; i < 70; i++) t.addChunkText(text);
    }).toThrow(SyntaxError);
  });

  it('does not read a text that is never counted', () => {
    const t = new CompletionText(counter);
    // Not JSON: reading it would throw.
    expect(() => t.addChunkText('{')).not.toThrow();
  });

  it('an echoed completion counts without the prompt only the choices whose text starts with it', () => {
    const text = (index: number, t: string) => ({ choices: [{ index, text: t, logprobs: null, finish_reason: null }] });
    const echoes = echoedPrompts({ endpoint: 'completions', body: { echo: true, prompt: 'Say hi' }, n: 2 });
    const t = new CompletionText(counter, echoes);
    // Choice 0 echoed across two chunks (one as text); choice 1 not echoed at all.
    [text(0, 'Say'), text(1, 'Hello'), text(0, ' hi Hi'), text(1, ' you'), text(0, '!')].forEach((c, i) => (i === 1 ? t.addChunkText(JSON.stringify(c)) : t.addChunk(c)));
    expect(t.text()).toBe('Hello Hi you!');
    expect(t.text()).toBe('Hello Hi you!'); // counting twice takes nothing more off
  });

  it('takes off the prompt of each choice of a batch of string prompts; a token-array prompt is counted whole', () => {
    const answer = { choices: ['A x', 'A y', 'B z', 'B w'].map((t, index) => ({ index, text: t, logprobs: null, finish_reason: 'stop' })) };
    const count = (body: Record<string, unknown>, endpoint = 'completions') => {
      const t = new CompletionText(counter, echoedPrompts({ endpoint, body, n: 2 }));
      t.addChunk(answer);
      return t.text();
    };
    expect(count({ echo: true, prompt: ['A', 'B'] })).toBe(' x y z w');
    expect(count({ echo: true, prompt: ['A', 'C'] })).toBe(' x yB zB w');
    expect(count({ echo: true, prompt: [65] })).toBe('A xA yB zB w');
    expect(count({ echo: true, prompt: [[65], [66]] })).toBe('A xA yB zB w');
    expect(count({ prompt: 'A' })).toBe('A xA yB zB w');
    expect(count({ echo: true, prompt: 'A' }, 'chat.completions')).toBe('A xA yB zB w');
  });
});

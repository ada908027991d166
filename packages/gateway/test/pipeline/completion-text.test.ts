/**
 * CompletionText collects a stream's output for counting when the engine reports no usage. A
 * plain chunk (one the relay did not parse) is kept as its content's JSON string token only, read
 * only when counted, and counts exactly as the parsed chunk would, in its place among the others,
 * with whatever else its template outputs.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { echoedPrompts } from '../../src/pipeline/echoed-prompts.js';
import { CompletionText } from '../../src/pipeline/usage-count.js';
import type { PromptCounter } from '../../src/tokens/prompt-counter.js';
import { ChunkTemplate } from '../../src/upstream/openai-compatible/chunk-template.js';

const counter = { count: async () => [{ tokens: 0 }] } as unknown as PromptCounter;
const delta = (d: Record<string, unknown>) => ({ choices: [{ index: 0, delta: d, finish_reason: null }], usage: null });

/** Adds `chunks` to a CompletionText parsed, and to another as plain texts where a template of `delta(templateDelta)` matches them. */
function both(chunks: Record<string, unknown>[], templateDelta: Record<string, unknown> = { content: 'x' }) {
  const t = delta(templateDelta);
  const template = ChunkTemplate.of(t, JSON.stringify(t))!;
  expect(template).toBeDefined();
  const parsed = new CompletionText(counter);
  const mixed = new CompletionText(counter);
  let plain = 0;
  for (const c of chunks) {
    parsed.addChunk(c);
    const text = JSON.stringify(c);
    if (template.matches(text)) {
      mixed.addPlainChunk(template, text);
      plain++;
    } else mixed.addChunk(c);
  }
  return { parsed, mixed, plain };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CompletionText', () => {
  it('a plain chunk counts as the parsed chunk, in order with the others', () => {
    const chunks = [delta({ role: 'assistant', content: '' }), delta({ reasoning_content: 'Think. ' }), delta({ content: 'Hé "x"\n' }), delta({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }), delta({ content: 'end' })];
    const { parsed, mixed, plain } = both(chunks);
    expect(plain).toBe(2);
    expect(mixed.text()).toBe(parsed.text());
    expect(parsed.text()).toBe('Think. Hé "x"\n[{"index":0,"function":{"arguments":"{\\"a\\":1}"}}]end');
  });

  it('a plain chunk whose template outputs more than its content counts that too, in its place', () => {
    // Fields every chunk of the template repeats: reasoning (before the content) and an empty call list (after it).
    const fixed = { reasoning: 'r', tool_calls: [] };
    const chunks = [delta({ ...fixed, content: 'a' }), delta({ content: 'b' }), delta({ ...fixed, content: ' "c"' })];
    const { parsed, mixed, plain } = both(chunks, { ...fixed, content: 'x' });
    expect(plain).toBe(2);
    expect(mixed.text()).toBe(parsed.text());
    expect(parsed.text()).toBe('ra[]br "c"[]');
  });

  it('a template whose other fields hold the content\'s text counts each in its place', () => {
    const chunks = [delta({ reasoning: 'same', content: 'same' }), delta({ reasoning: 'same', content: 'other' })];
    const { parsed, mixed, plain } = both(chunks, { reasoning: 'same', content: 'same' });
    expect(plain).toBe(2);
    expect(mixed.text()).toBe('samesamesameother');
    expect(mixed.text()).toBe(parsed.text());
  });

  it('a long stream of plain chunks is never parsed unless counted, and counts the same', () => {
    const chunks = Array.from({ length: 3000 }, (_, i) => (i % 500 === 7 ? delta({ tool_calls: [{ index: 0, function: { arguments: `{"i":${i}}` } }] }) : delta({ content: ` w${i} ${'x'.repeat(i % 40)}` })));
    const parse = vi.spyOn(JSON, 'parse');
    const { parsed, mixed, plain } = both(chunks);
    expect(plain).toBe(2994);
    // The template's own JSON.parse calls (ChunkTemplate.of), none for the chunks kept.
    const parses = parse.mock.calls.length;
    expect(parses).toBeLessThan(5);
    expect(mixed.text()).toBe(parsed.text());
    expect(parse.mock.calls.length).toBe(parses + 2994);
  });

  it('an echoed completion counts without the prompt only the choices whose text starts with it', () => {
    const text = (index: number, t: string) => ({ choices: [{ index, text: t, logprobs: null, finish_reason: null }] });
    const echoes = echoedPrompts({ endpoint: 'completions', body: { echo: true, prompt: 'Say hi' }, n: 2 });
    const t = new CompletionText(counter, echoes);
    // Choice 0 echoed across two chunks; choice 1 not echoed at all.
    for (const c of [text(0, 'Say'), text(1, 'Hello'), text(0, ' hi Hi'), text(1, ' you'), text(0, '!')]) t.addChunk(c);
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

/**
 * The plain chunk of a chat stream, recognized without JSON.parse (chunk-template.ts): a text the
 * template matches must parse to the template's chunk with only `delta.content` changed, and
 * anything else must not match, whatever the engine sends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkTemplate } from '../../src/upstream/openai-compatible/chunk-template.js';

type Chunk = Record<string, unknown>;

/** A vLLM/OpenAI-style content chunk. */
const chunk = (content: unknown, over: Chunk = {}, choice: Chunk = {}): Chunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1_767_225_600,
  model: 'm',
  choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null, ...choice }],
  usage: null,
  ...over,
});
const learn = (c: Chunk, text = JSON.stringify(c)) => ChunkTemplate.of(c, text);
const template = learn(chunk(' hello'))!;

describe('ChunkTemplate', () => {
  it('matches the same chunk with any other text, written plainly or with escapes', () => {
    expect(template).toBeDefined();
    for (const s of ['', ' world', 'é😀', 'a "quoted" \\ back\nslash\t', '\u0000\u001f\u2028']) expect(template.matches(JSON.stringify(chunk(s)))).toBe(true);
    // Escapes an engine may write that JSON.stringify does not.
    expect(template.matches(JSON.stringify(chunk('x')).replace('"x"', '"\\u00e9\\/\\b\\f"'))).toBe(true);
  });

  it('hands out the slot of a text it matched: the content\'s JSON string token as sent', () => {
    const text = JSON.stringify(chunk('x')).replace('"x"', '"a \\"b\\" \\u00e9"');
    expect(template.matches(text)).toBe(true);
    expect(template.slot(text)).toBe('"a \\"b\\" \\u00e9"');
    expect(JSON.parse(template.slot(text))).toBe('a "b" é');
  });

  it('does not match what differs anywhere but the text, or is not a JSON string in its place', () => {
    const text = JSON.stringify(chunk('x'));
    const misses = [
      JSON.stringify(chunk('x', { id: 'chatcmpl-2' })),
      JSON.stringify(chunk('x', {}, { finish_reason: 'stop' })),
      JSON.stringify(chunk('x', { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })),
      JSON.stringify(chunk(7)),
      JSON.stringify(chunk(null)),
      text.replace('"x"', '"a"b"'),
      text.replace('"x"', '"a\\"'),
      text.replace('"x"', '"a\nb"'),
      text.replace('"x"', '"a\\x41"'),
      text.replace('"x"', '"\\u12g4"'),
      text.replace('"x"', '"x","content":"y"'),
      text.replace('"x"', '"x"},"delta":{"content":"y"'),
      text.replace('"x"', ''),
      text.replace('"x"', '"'),
      text.slice(0, -1),
      `${text} `,
    ];
    for (const t of misses) expect(template.matches(t), t).toBe(false);
  });

  it('is made only of a plain chunk: one unfinished choice with string content, no usage or error, one line', () => {
    expect(learn(chunk('x', {}, { finish_reason: 'stop' }))).toBeUndefined();
    expect(learn(chunk('x', { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }))).toBeUndefined();
    expect(learn(chunk('x', { error: { message: 'x' } }))).toBeUndefined();
    expect(learn(chunk(null))).toBeUndefined();
    expect(learn({ ...chunk('x'), choices: [...(chunk('x').choices as Chunk[]), { index: 1, delta: { content: 'y' }, finish_reason: null }] })).toBeUndefined();
    // `"usage":null` anywhere but at the end: a matching text's usage field would not show in its end.
    const { usage: _, ...rest } = chunk('x');
    expect(learn(chunk('x'), JSON.stringify({ usage: null, ...rest }))).toBeUndefined();
    expect(ChunkTemplate.fits(chunk('x'), JSON.stringify(chunk('x'), null, 1))).toBe(false);
    // Without a usage field at all (an engine asked for no usage) it is plain too.
    const noUsage = learn(rest)!;
    expect(noUsage.matches(JSON.stringify({ ...rest, choices: [{ index: 0, delta: { content: 'y' }, logprobs: null, finish_reason: null }] }))).toBe(true);
  });

  it('finds the content among other "content" keys (logprobs after it), and spaces after colons', () => {
    const withLogprobs = chunk('x', {}, { logprobs: { content: [{ token: 'x', logprob: -1 }] } });
    const t = learn(withLogprobs)!;
    expect(t.matches(JSON.stringify(chunk('y', {}, { logprobs: { content: [{ token: 'x', logprob: -1 }] } })))).toBe(true);
    // Python's json.dumps writes ": " and ", ".
    const spaced = (c: Chunk) => JSON.stringify(c).replaceAll('":', '": ').replaceAll(',"', ', "');
    const noUsage = (content: string) => ({ ...chunk(content), usage: undefined });
    expect(learn(noUsage('a b'), spaced(noUsage('a b')))!.matches(spaced(noUsage('zz')))).toBe(true);
    // There `"usage": null` is not the end the relay strips: not plain.
    expect(learn(chunk('a b'), spaced(chunk('a b')))).toBeUndefined();
    // A text that itself holds `"content":"` is not taken for the key.
    expect(learn(chunk('say "content":"b"'))!.matches(JSON.stringify(chunk('zz')))).toBe(true);
  });

  it('property: every text a template matches parses to its chunk with only the content changed', () => {
    const shapes = fc.record({
      id: fc.string(),
      model: fc.string(),
      extra: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
      content: fc.string(),
      usageNull: fc.boolean(),
    });
    // Edits that keep to the text's token (where a near miss is likeliest), with JSON's own characters.
    const mutate = fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ unit: fc.constantFrom('"', '\\', 'u', '0', 'F', 'n', '/', '\n', '\u0001', '}', ',', ':', 'x'), maxLength: 4 }));
    fc.assert(
      fc.property(shapes, fc.string({ unit: 'binary' }), fc.array(mutate, { maxLength: 3 }), (s, other, edits) => {
        const base: Chunk = { id: s.id, ...s.extra, object: 'chat.completion.chunk', model: s.model, choices: [{ index: 0, delta: { content: s.content }, finish_reason: null }] };
        if (s.usageNull) base.usage = null;
        else delete base.usage;
        const text = JSON.stringify(base);
        const t = ChunkTemplate.of(JSON.parse(text) as Chunk, text);
        if (!t) return;
        const expected = (content: unknown) => ({ ...(JSON.parse(text) as Chunk), choices: [{ index: 0, delta: { content }, finish_reason: null }] });
        const candidate = JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: other }, finish_reason: null }] });
        expect(t.matches(candidate)).toBe(true);
        expect(JSON.parse(candidate)).toEqual(expected(other));
        // Random edits of a matching text: whatever still matches is valid JSON of the same shape.
        const suffix = `},"finish_reason":null}]${s.usageNull ? ',"usage":null' : ''}}`;
        let edited = candidate;
        for (const [at, cut, insert] of edits) {
          const end = edited.length - suffix.length;
          const i = end - (at % (JSON.stringify(other).length + 1));
          edited = edited.slice(0, i) + insert + edited.slice(Math.min(i + cut, end));
        }
        if (!t.matches(edited)) return;
        const parsed = JSON.parse(edited) as Chunk;
        const content = (parsed.choices as { delta: { content: unknown } }[])[0]!.delta.content;
        expect(typeof content).toBe('string');
        expect(parsed).toEqual(expected(content));
      }),
      { numRuns: 5000 },
    );
  });
});

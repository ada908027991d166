import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SSE_DONE, SseDecoder, SseEventTooLarge, sseFrame } from '@tollgate/protocol';

function decode(text: string, pieceSize = Infinity): ReturnType<SseDecoder['end']> {
  const d = new SseDecoder();
  const out = [];
  for (let i = 0; i < text.length; i += Math.min(pieceSize, text.length)) out.push(...d.push(text.slice(i, i + pieceSize)));
  return [...out, ...d.end()];
}

describe('SSE frames', () => {
  it('writes data frames, named frames and the [DONE] frame', () => {
    expect(sseFrame({ a: 1 })).toBe('data: {"a":1}\n\n');
    expect(sseFrame({ type: 'response.created' }, 'response.created')).toBe('event: response.created\ndata: {"type":"response.created"}\n\n');
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
  });

  it('decodes what it encodes, line breaks inside strings included, whatever the split', () => {
    const values = [{ text: 'two\nlines\r\n', n: 1 }, { type: 'error', message: 'é中' }];
    const text = sseFrame(values[0]) + sseFrame(values[1], 'error') + SSE_DONE;
    for (const size of [1, 2, 5, Infinity]) {
      const events = decode(text, size);
      expect(events.map((e) => e.event)).toEqual([undefined, 'error', undefined]);
      expect(events.slice(0, 2).map((e) => JSON.parse(e.data))).toEqual(values);
      expect(events[2]!.data).toBe('[DONE]');
    }
  });

  it('skips an event with no data line, keeps the last id, and bounds one event when asked', () => {
    expect(decode('event: ping\n\nid: 4\ndata: x\n\ndata: y\n\n')).toEqual([
      { event: undefined, data: 'x', id: '4' },
      { event: undefined, data: 'y', id: '4' },
    ]);
    const d = new SseDecoder({ maxEventChars: 100 });
    expect(() => d.push(`data: ${'x'.repeat(200)}`)).toThrow(SseEventTooLarge);
  });

  it('splits lines on LF, CR and CRLF like the WHATWG rules, however the text is cut', () => {
    // The rules read naively: the whole text at once, one line at a time.
    const reference = (text: string) => {
      const out: { event: string | undefined; data: string; id: string | undefined }[] = [];
      let data: string[] = [];
      let event: string | undefined;
      let id: string | undefined;
      const lines = text.split(/\r\n|\r|\n/);
      for (const line of [...lines, '']) {
        if (line === '') {
          if (data.length > 0) out.push({ event, data: data.join('\n'), id });
          data = [];
          event = undefined;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
        else if (field === 'id') id = value;
      }
      return out;
    };
    const line = fc.constantFrom('data: a', 'data:b', 'data', 'data: {"x":"中"}', 'event: e', 'id: 7', ': comment', 'retry: 5', 'other: z', '');
    const eol = fc.constantFrom('\n', '\r', '\r\n');
    const doc = fc.array(fc.tuple(line, eol), { maxLength: 30 }).map((ls) => ls.map(([l, e]) => l + e).join(''));
    fc.assert(
      fc.property(doc, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const d = new SseDecoder();
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const got = [];
        let at = 0;
        for (const p of [...points, text.length]) {
          got.push(...d.push(text.slice(at, p)));
          at = p;
        }
        got.push(...d.end());
        expect(got).toEqual(reference(text));
      }),
      { numRuns: 500 },
    );
  });
});

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
});

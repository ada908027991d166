import { describe, expect, it } from 'vitest';
import { SseEventTooLarge, SseParser, type SseEvent } from '../../src/upstream/openai-compatible/sse.js';

/** Feeds `text` to a parser cut into pieces of `size` bytes and returns every event. */
function parse(text: string, size = Number.MAX_SAFE_INTEGER): SseEvent[] {
  const bytes = Buffer.from(text, 'utf8');
  const p = new SseParser();
  const out: SseEvent[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...p.push(bytes.subarray(i, i + size)));
  out.push(...p.end());
  return out;
}

const data = (events: SseEvent[]) => events.map((e) => e.data);

describe('SSE parser', () => {
  const stream = 'data: {"a":1}\n\ndata: {"b":"é中"}\n\ndata: [DONE]\n\n';
  const expected = ['{"a":1}', '{"b":"é中"}', '[DONE]'];

  it('parses \\n\\n, \\r\\n\\r\\n and \\r\\r separated frames alike', () => {
    expect(data(parse(stream))).toEqual(expected);
    expect(data(parse(stream.replaceAll('\n', '\r\n')))).toEqual(expected);
    expect(data(parse(stream.replaceAll('\n', '\r')))).toEqual(expected);
  });

  it('gives the same events whatever the chunk boundaries, including a \\r\\n and a UTF-8 character split in two', () => {
    for (const text of [stream, stream.replaceAll('\n', '\r\n')]) {
      for (const size of [1, 2, 3, 5, 7, 13]) expect(data(parse(text, size))).toEqual(expected);
    }
  });

  it('joins multi-line data with \\n, ignores comments, id and retry, and reads event names', () => {
    const text = ': keep-alive\nid: 7\nretry: 100\nevent: error\ndata: {"error":\ndata:  {"message":"x"}}\n\ndata:no-space\n\n';
    expect(parse(text)).toEqual([
      { event: 'error', data: '{"error":\n {"message":"x"}}' },
      { event: 'message', data: 'no-space' },
    ]);
  });

  it('an event with no data lines is not dispatched', () => {
    expect(parse('event: ping\n\n: comment\n\n')).toEqual([]);
  });

  it('delivers a last event that the stream ended without a blank line after', () => {
    expect(data(parse('data: {"a":1}\n\ndata: [DONE]'))).toEqual(['{"a":1}', '[DONE]']);
    expect(data(parse('data: [DONE]\r'))).toEqual(['[DONE]']);
  });

  it('refuses an event that grows past the limit without ending', () => {
    const p = new SseParser(1000);
    expect(() => p.push(Buffer.from(`data: ${'x'.repeat(2000)}`))).toThrow(SseEventTooLarge);
    const q = new SseParser(1000);
    expect(() => {
      for (let i = 0; i < 50; i++) q.push(Buffer.from(`data: ${'y'.repeat(40)}\n`));
    }).toThrow(SseEventTooLarge);
  });
});

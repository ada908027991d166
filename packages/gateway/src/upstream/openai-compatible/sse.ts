/**
 * An incremental Server-Sent Events parser for upstream streams: bytes in, events out, whatever
 * way the network splits them. Lines end in `\n`, `\r\n` or `\r` (a `\r` at the end of a chunk
 * waits for the next one, which may start with `\n`); a blank line ends an event; `data:` lines
 * of one event are joined with `\n`; comments (`:`) and the `id` / `retry` fields are ignored.
 * UTF-8 characters split across chunks are decoded whole.
 */
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** `message` unless an `event:` field named it. */
  event: string;
  data: string;
}

/** Thrown when one event grows past the limit without ending: a broken or hostile upstream. */
export class SseEventTooLarge extends Error {
  constructor(limit: number) {
    super(`an SSE event exceeded ${limit} characters`);
    this.name = 'SseEventTooLarge';
  }
}

const LF = 10;
const CR = 13;

export class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private data: string[] = [];
  private dataChars = 0;
  private event = '';

  constructor(private readonly maxEventChars = 16 * 1024 * 1024) {}

  /** Feeds bytes; returns the events they completed. */
  push(chunk: Buffer): SseEvent[] {
    const out: SseEvent[] = [];
    this.scan(this.pending + this.decoder.write(chunk), false, out);
    return out;
  }

  /**
   * The stream ended: returns what is left. A last event without its blank line is still
   * delivered (some servers end with `data: [DONE]` and no separator).
   */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.scan(this.pending + this.decoder.end(), true, out);
    if (this.pending.length > 0) this.line(this.pending, out);
    this.pending = '';
    this.line('', out);
    return out;
  }

  private scan(text: string, final: boolean, out: SseEvent[]): void {
    let start = 0;
    // `pending` was scanned already and holds no line end, except perhaps a trailing `\r`.
    for (let i = Math.max(0, this.pending.length - 1); i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      // `\r` as the last character may be the first half of `\r\n`: decide on the next chunk.
      if (c === CR && i + 1 === text.length && !final) break;
      this.line(text.slice(start, i), out);
      if (c === CR && text.charCodeAt(i + 1) === LF) i++;
      start = i + 1;
    }
    this.pending = start === 0 ? text : text.slice(start);
    if (this.pending.length + this.dataChars > this.maxEventChars) throw new SseEventTooLarge(this.maxEventChars);
  }

  private line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      if (this.data.length > 0) out.push({ event: this.event || 'message', data: this.data.join('\n') });
      this.data = [];
      this.dataChars = 0;
      this.event = '';
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* space */) value = value.slice(1);
    if (field === 'data') {
      this.data.push(value);
      this.dataChars += value.length + 1;
      if (this.dataChars > this.maxEventChars) throw new SseEventTooLarge(this.maxEventChars);
    } else if (field === 'event') {
      this.event = value;
    }
  }
}

/**
 * Server-sent events as OpenAI-compatible streams use them, for both ends: the gateway writes
 * frames with `sseFrame` / `SSE_DONE` and reads upstream streams with `SseDecoder`; the client
 * reads the gateway's with the same decoder.
 *
 * Decoding follows the WHATWG HTML "event stream interpretation": lines end in CRLF, LF or CR (a
 * CR at the end of a chunk waits for the next one, which may start with LF); `data:` lines of one
 * event are joined with `\n`; a blank line dispatches the event, unless it had no `data:` line;
 * lines starting with `:` are comments; one space after the colon is dropped.
 * @module
 */

/** The frame that ends a Chat Completions or Completions stream. */
export const SSE_DONE = 'data: [DONE]\n\n';

/**
 * One frame: `data: <JSON>` (with `event: <name>` first when named, as the Responses API sends
 * its typed events), ended by a blank line. JSON text holds no raw line break, so one `data:`
 * line carries it whole.
 */
export function sseFrame(data: unknown, event?: string): string {
  const json = JSON.stringify(data);
  return event === undefined ? `data: ${json}\n\n` : `event: ${event}\ndata: ${json}\n\n`;
}

export interface SseEvent {
  /** The `event:` field; undefined when the event had none (the Chat Completions case). */
  event: string | undefined;
  data: string;
  /** The last `id:` field seen on the stream so far (it carries over to later events). */
  id: string | undefined;
}

/** Thrown when one event grows past the decoder's limit without ending: a broken or hostile peer. */
export class SseEventTooLarge extends Error {
  constructor(limit: number) {
    super(`an SSE event exceeded ${limit} characters`);
    this.name = 'SseEventTooLarge';
  }
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

/** Incremental: text in (already decoded, split anywhere), events out. */
export class SseDecoder {
  private pending = '';
  /** The event's `data:` lines so far, joined with `\n`; undefined before its first. */
  private data: string | undefined;
  private dataChars = 0;
  private event: string | undefined;
  private id: string | undefined;
  private readonly maxEventChars: number;

  /** `maxEventChars`: the largest event accepted (characters of its lines); unbounded by default. */
  constructor(opts: { maxEventChars?: number } = {}) {
    this.maxEventChars = opts.maxEventChars ?? Infinity;
  }

  /** Feeds text; returns the events it completed. Throws SseEventTooLarge past the limit. */
  push(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    this.scan(text, false, out);
    return out;
  }

  /** End of input: a last event without its blank line is still delivered (some servers end with `data: [DONE]` alone). */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.scan('', true, out);
    if (this.pending.length > 0) this.line(this.pending, out);
    this.pending = '';
    this.line('', out);
    return out;
  }

  /**
   * Splits `text` into lines with indexOf (native, far faster than a loop over characters: this
   * runs for every byte an engine streams). CR is looked for only while the text has one: most
   * streams end lines with LF alone. What `pending` holds (the start of a line cut by the last
   * chunk) is joined to the first line of `text` only, not to the whole of it: joined, each chunk
   * was copied once more (an indexOf flattens the two into one string), for one line's sake.
   */
  private scan(text: string, final: boolean, out: SseEvent[]): void {
    // `pending` holds no line end, except perhaps a trailing CR (whose LF may start `text`).
    let carry = this.pending;
    let start = 0;
    if (carry.length > 0 && carry.charCodeAt(carry.length - 1) === CR) {
      if (text.length === 0 && !final) return;
      this.line(carry.slice(0, -1), out);
      carry = '';
      if (text.charCodeAt(0) === LF) start = 1;
    }
    let from = start;
    let cr = text.indexOf('\r', from);
    for (;;) {
      const lf = text.indexOf('\n', from);
      if (cr !== -1 && cr < from) cr = text.indexOf('\r', from);
      const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      if (end === -1) break;
      if (end === cr && end + 1 === text.length && !final) break;
      const piece = text.slice(start, end);
      this.line(carry === '' ? piece : carry + piece, out);
      carry = '';
      start = end === cr && text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
      from = start;
    }
    const rest = start === 0 ? text : text.slice(start);
    this.pending = carry === '' ? rest : carry + rest;
    if (this.pending.length + this.dataChars > this.maxEventChars) throw new SseEventTooLarge(this.maxEventChars);
  }

  private line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      if (this.data !== undefined) out.push({ event: this.event, data: this.data, id: this.id });
      this.data = undefined;
      this.dataChars = 0;
      this.event = undefined;
      return;
    }
    if (line.charCodeAt(0) === COLON) return;
    let field: string;
    let value: string;
    if (line.startsWith('data:')) {
      // The common line, without the general split below.
      field = 'data';
      value = line.charCodeAt(5) === SPACE ? line.slice(6) : line.slice(5);
    } else {
      const colon = line.indexOf(':');
      field = colon < 0 ? line : line.slice(0, colon);
      value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === SPACE) value = value.slice(1);
    }
    if (field === 'data') {
      this.data = this.data === undefined ? value : `${this.data}\n${value}`;
      this.dataChars += value.length + 1;
      if (this.dataChars > this.maxEventChars) throw new SseEventTooLarge(this.maxEventChars);
    } else if (field === 'event') {
      this.event = value;
    } else if (field === 'id') {
      this.id = value;
    }
  }
}

/**
 * A server-sent-events decoder (WHATWG HTML §9.2 "event stream interpretation"): lines end in
 * CRLF, LF or CR; `data:` lines of one event are joined with `\n`; a blank line dispatches; lines
 * starting with `:` are comments. A CR at the end of a chunk is held back until the next chunk
 * shows whether an LF follows, so a CRLF split across two reads is one line ending, not two.
 * @module
 */

export interface SSEEvent {
  /** The `event:` field; undefined when the event had none (the Chat Completions case). */
  event: string | undefined;
  data: string;
  id: string | undefined;
}

export class SSEDecoder {
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SSEEvent[] {
    this.buffer += text;
    const out: SSEEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 13 && i === this.buffer.length - 1) break; // CR at the end: wait for a possible LF
      const line = this.buffer.slice(start, i);
      if (c === 13 && this.buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  /** End of input: a last event without its blank line is still delivered (lenient, like the SDKs). */
  end(): SSEEvent[] {
    const out: SSEEvent[] = [];
    if (this.buffer.length > 0) {
      const ev = this.line(this.buffer.replace(/\r$/, ''));
      this.buffer = '';
      if (ev) out.push(ev);
    }
    const last = this.line('');
    if (last) out.push(last);
    return out;
  }

  private line(line: string): SSEEvent | undefined {
    if (line === '') {
      if (this.data.length === 0 && this.event === undefined) return undefined;
      const ev: SSEEvent = { event: this.event, data: this.data.join('\n'), id: this.id };
      this.data = [];
      this.event = undefined;
      return ev;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
    return undefined;
  }
}

/** The events of a response body, decoded as UTF-8. Stops reading (and cancels) when the consumer stops. */
export async function* readSSE(body: ReadableStream<Uint8Array>): AsyncGenerator<SSEEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const sse = new SSEDecoder();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* sse.push(decoder.decode(value, { stream: true }));
    }
    finished = true;
    yield* sse.push(decoder.decode());
    yield* sse.end();
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

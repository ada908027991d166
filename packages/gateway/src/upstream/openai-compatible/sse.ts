/**
 * Upstream streams as events: bytes in, whatever way the network splits them (a UTF-8 character
 * split across chunks is decoded whole), events out, through the protocol's SSE decoder with an
 * upper bound on one event. Unnamed events are `message`, as in the EventSource API; `id` and
 * `retry` are ignored.
 */
import { StringDecoder } from 'node:string_decoder';
import { SseDecoder, type SseEvent } from '@tollgate/protocol';

export { SseEventTooLarge, type SseEvent } from '@tollgate/protocol';

export class SseParser {
  private readonly text = new StringDecoder('utf8');
  private readonly events: SseDecoder;

  /** `maxEventChars`: a larger event throws SseEventTooLarge (a broken or hostile upstream). */
  constructor(maxEventChars = 16 * 1024 * 1024) {
    this.events = new SseDecoder({ maxEventChars });
  }

  /** Feeds bytes; returns the events they completed. */
  push(chunk: Buffer): SseEvent[] {
    return this.events.push(this.text.write(chunk)).map(named);
  }

  /** The stream ended: returns what is left, a last event without its blank line included. */
  end(): SseEvent[] {
    return [...this.events.push(this.text.end()), ...this.events.end()].map(named);
  }
}

/** `event` is `message` unless an `event:` field named it; `id` is not used upstream. */
const named = (e: SseEvent): SseEvent => ({ event: e.event || 'message', data: e.data, id: undefined });

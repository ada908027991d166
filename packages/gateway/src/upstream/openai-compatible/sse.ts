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
    return named(this.events.push(this.text.write(chunk)));
  }

  /** The stream ended: returns what is left, a last event without its blank line included. */
  end(): SseEvent[] {
    return named([...this.events.push(this.text.end()), ...this.events.end()]);
  }
}

/** `event` is `message` unless an `event:` field named it; `id` is not used upstream. In place: the decoder's events are new. */
function named(events: SseEvent[]): SseEvent[] {
  for (const e of events) {
    if (!e.event) e.event = 'message';
    e.id = undefined;
  }
  return events;
}

/**
 * A response body as server-sent events, decoded by the protocol's SSE decoder.
 * @module
 */
import { SseDecoder, type SseEvent } from '@tollgate/protocol';

/** The decoder and its events, under the names the client has always exported. */
export { SseDecoder as SSEDecoder, type SseEvent as SSEEvent };

/** The events of a response body, decoded as UTF-8. Stops reading (and cancels) when the consumer stops. */
export async function* readSSE(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const sse = new SseDecoder();
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

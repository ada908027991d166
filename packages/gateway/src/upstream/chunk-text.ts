/**
 * The JSON text a streamed chunk (or a whole JSON answer) arrived as, kept beside the parsed
 * object, so that a relay can send what it did not change as it came instead of serializing it
 * again (JSON.stringify of every chunk was a steady part of the streaming relay's CPU, and of a
 * large embeddings answer a second full pass on the event loop). A WeakMap, not a property: a copy
 * of the object, or one built by another engine, has no text and is serialized as before.
 *
 * Whoever changes a chunk in place must not use its text afterwards; the relay only ever drops
 * the `usage` field, handled by `withoutNullUsage`.
 * @module
 */

const texts = new WeakMap<object, string>();

/** Records `text` as the JSON that `chunk` was parsed from (single-line text only: one SSE data line). */
export function keepChunkText(chunk: object, text: string): void {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) texts.set(chunk, text);
}

/** Records `text` as the JSON body that `answer` (a whole non-streamed answer) was parsed from. */
export function keepAnswerText(answer: object, text: string): void {
  texts.set(answer, text);
}

/** The JSON text `chunk` (or an answer) was parsed from, if known. */
export function chunkText(chunk: object): string | undefined {
  return texts.get(chunk);
}

const NULL_USAGE = ',"usage":null}';

/**
 * The chunk text without its trailing `"usage":null` (what engines send on every chunk when usage
 * is asked for), or undefined when the text does not end that way (then serialize the object).
 */
export function withoutNullUsage(text: string): string | undefined {
  return text.endsWith(NULL_USAGE) ? `${text.slice(0, -NULL_USAGE.length)}}` : undefined;
}

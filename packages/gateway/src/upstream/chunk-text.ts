/**
 * The JSON text a streamed chunk (or a whole JSON answer) arrived as, kept beside the parsed
 * object, so that a relay can send what it did not change as it came instead of serializing it
 * again (JSON.stringify of every chunk was a steady part of the streaming relay's CPU, and of a
 * large embeddings answer a second full pass on the event loop). Never a property of the object:
 * a copy of it, or one built by another engine, has no text and is serialized as before.
 *
 * Whoever changes a chunk in place must not use its text afterwards; the relay only ever drops
 * the `usage` field, handled by `withoutNullUsage`.
 * @module
 */

const texts = new WeakMap<object, string>();

/** Records `text` as the JSON body that `answer` (a whole non-streamed answer) was parsed from. */
export function keepAnswerText(answer: object, text: string): void {
  texts.set(answer, text);
}

/** The JSON text `answer` was parsed from, if known. */
export function answerText(answer: object): string | undefined {
  return texts.get(answer);
}

/**
 * A chunk iterator that knows the text of the chunk it handed out last. A stream's chunks are
 * read one at a time, in order, so that one text is all a relay ever asks for; keeping it on the
 * stream costs nothing per chunk, where a WeakMap entry per chunk cost a few percent of the
 * streaming relay's CPU (and its entries are extra work for every scavenge).
 */
export interface ChunkTexts {
  /** The single-line JSON text `chunk` was parsed from, if it is the chunk handed out last; else undefined. */
  textOf(chunk: object): string | undefined;
}

/** The text of `chunk` as `chunks` (any chunk iterable) received it, if it keeps texts (ChunkTexts). */
export function chunkText(chunks: unknown, chunk: object): string | undefined {
  const source = chunks as Partial<ChunkTexts>;
  return typeof source.textOf === 'function' ? source.textOf(chunk) : undefined;
}

/** Whether `text` can be sent as one SSE data line (it holds no line end). */
export function isOneLine(text: string): boolean {
  return text.indexOf('\n') === -1 && text.indexOf('\r') === -1;
}

const NULL_USAGE = ',"usage":null}';

/**
 * The chunk text without its trailing `"usage":null` (what engines send on every chunk when usage
 * is asked for), or undefined when the text does not end that way (then serialize the object).
 */
export function withoutNullUsage(text: string): string | undefined {
  return text.endsWith(NULL_USAGE) ? `${text.slice(0, -NULL_USAGE.length)}}` : undefined;
}

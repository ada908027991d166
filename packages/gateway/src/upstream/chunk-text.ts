/**
 * The JSON text a streamed chunk (or a whole JSON answer) arrived as, kept beside the parsed
 * object, so that a relay can send what it did not change as it came instead of serializing it
 * again (JSON.stringify of every chunk was a steady part of the streaming relay's CPU, and of a
 * large embeddings answer a second full pass on the event loop). Never a property of the object:
 * a copy of it, or one built by another engine, has no text and is serialized as before. A
 * stream's chunks come with their texts in runs (ChunkRuns).
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
 * The chunks of one upstream read, as a relay takes them: `texts[i]` is the single-line JSON text
 * chunk i arrived as (undefined when unknown or not one line: serialize the chunk), `chunks[i]`
 * the parsed chunk, or undefined for a plain chunk, which was not parsed (chunk-template.ts):
 * a chat chunk with one unfinished choice whose output is its `delta.content`, no usage, no error,
 * and a `usage` field only when its text ends with `,"usage":null}`. `JSON.parse(texts[i])` gives
 * a plain chunk's object when it must be read.
 */
export interface ChunkRun {
  readonly texts: readonly (string | undefined)[];
  readonly chunks: readonly (Record<string, unknown> | undefined)[];
  /** For a plain chunk (`chunks[i]` undefined), the template its text matched; absent when the run has none. */
  readonly templates?: readonly (PlainTemplate | undefined)[];
}

/**
 * What a plain chunk's text shares with the others of its template (chunk-template.ts): all of it
 * but the content slot. One object per template, the same for each of its chunks.
 */
export interface PlainTemplate {
  /** The chunk the template was made of, parsed: a plain chunk's output is its output with the content changed. */
  readonly chunk: Readonly<Record<string, unknown>>;
  /** The content slot of `text` (a text this template matched): one JSON string token, as sent. */
  slot(text: string): string;
}

/**
 * A stream of chunks read a run at a time (one promise per upstream read instead of one per
 * chunk), as the HTTP upstream's stream offers besides the chunk iterator.
 */
export interface ChunkRuns {
  /** The next run, undefined at the end; throws the stream's failure after the runs before it. */
  nextRun(): Promise<ChunkRun | undefined>;
  /** The consumer stopped early (the upstream request is cut). */
  return?(): Promise<unknown>;
}

/** `chunks` read a run at a time: itself when it offers runs (ChunkRuns), else one chunk per run. */
export function chunkRuns(chunks: AsyncIterable<Record<string, unknown>>): ChunkRuns {
  if (typeof (chunks as Partial<ChunkRuns>).nextRun === 'function') return chunks as unknown as ChunkRuns;
  const it = chunks[Symbol.asyncIterator]();
  return {
    async nextRun() {
      const r = await it.next();
      return r.done ? undefined : { texts: [undefined], chunks: [r.value] };
    },
    async return() {
      await it.return?.();
    },
  };
}

/** Whether `text` can be sent as one SSE data line (it holds no line end). */
export function isOneLine(text: string): boolean {
  return text.indexOf('\n') === -1 && text.indexOf('\r') === -1;
}

/** How a chunk ends when the engine sends `usage: null` on every chunk (usage was asked for). */
export const NULL_USAGE = ',"usage":null}';

/**
 * The chunk text without its trailing `"usage":null` (what engines send on every chunk when usage
 * is asked for), or undefined when the text does not end that way (then serialize the object).
 */
export function withoutNullUsage(text: string): string | undefined {
  return text.endsWith(NULL_USAGE) ? `${text.slice(0, -NULL_USAGE.length)}}` : undefined;
}

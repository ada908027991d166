/**
 * Recognizes the common chunk of a chat stream without parsing it. Past its first few chunks, a
 * stream is almost all chunks that differ only in their `delta.content` text: same id, model,
 * choice, `finish_reason: null`, no usage. A template is the text of one such chunk with that
 * string cut out (a prefix and a suffix); a later text that is the prefix, one JSON string token
 * and the suffix is the same chunk with other text, and needs no JSON.parse to be relayed, tracked
 * or checked for an error (JSON.parse of every chunk, and the garbage it made, was the largest cost
 * the streaming relay had per chunk).
 *
 * Exact by construction: the template is accepted only if the prefix ends outside any string (a
 * marker put in the slot parses back to `choices[0].delta.content`), and a match requires the
 * slot to hold a string token as RFC 8259 defines it. A text that is prefix + string + suffix is
 * then valid JSON whose tree is the template chunk's with that one leaf changed.
 * @module
 */
import { isOneLine, NULL_USAGE, type PlainTemplate } from '../chunk-text.js';

type Chunk = Record<string, unknown>;

/** One JSON string token, anchored where `lastIndex` is set (RFC 8259 §7; one alternative per character, so a failed match costs linear time). */
// eslint-disable-next-line no-control-regex -- control characters are what a JSON string may not hold raw
const STRING_TOKEN = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const SLOT_KEY = '"content":';
const MARK = 'tollgate\u0000slot';

export class ChunkTemplate implements PlainTemplate {
  private constructor(
    private readonly prefix: string,
    private readonly suffix: string,
    readonly chunk: Chunk,
  ) {}

  /**
   * Whether `chunk` (parsed from `text`) is a plain chunk, which a template can be made of: a
   * single-line text, one choice with string `delta.content` and no finish_reason, no error, and
   * no usage (or `"usage":null` as the text's end, so that whether a matching text has a `usage`
   * field shows in its end: `withoutNullUsage`). Cheap: no parse.
   */
  static fits(chunk: Chunk, text: string): boolean {
    return plainContent(chunk, text) !== undefined;
  }

  /** The template of `chunk` (parsed from `text`), if it fits; costs a JSON.parse of the text when it does. */
  static of(chunk: Chunk, text: string): ChunkTemplate | undefined {
    const content = plainContent(chunk, text);
    if (content === undefined) return undefined;
    // The content token is usually the last `"content":` (logprobs, when present, come after it).
    for (let key = text.lastIndexOf(SLOT_KEY); key !== -1; key = key === 0 ? -1 : text.lastIndexOf(SLOT_KEY, key - 1)) {
      let start = key + SLOT_KEY.length;
      while (text.charCodeAt(start) === 32) start++;
      STRING_TOKEN.lastIndex = start;
      if (!STRING_TOKEN.test(text)) continue;
      const end = STRING_TOKEN.lastIndex;
      if (JSON.parse(text.slice(start, end)) !== content) continue;
      const template = new ChunkTemplate(text.slice(0, start), text.slice(end), chunk);
      return template.verified() ? template : undefined;
    }
    return undefined;
  }

  /** Whether `text` is this template with a JSON string in its slot (then it is valid JSON, and plain). */
  matches(text: string): boolean {
    const { prefix, suffix } = this;
    const end = text.length - suffix.length;
    // Slices compared, not startsWith/endsWith: those are ~10x slower on Node 20 (a character at a time).
    if (end - prefix.length < 2 || text.slice(0, prefix.length) !== prefix || text.slice(end) !== suffix) return false;
    STRING_TOKEN.lastIndex = prefix.length;
    return STRING_TOKEN.test(text) && STRING_TOKEN.lastIndex === end;
  }

  /** The JSON string token in the slot of `text`, which `matches`. */
  slot(text: string): string {
    return text.slice(this.prefix.length, text.length - this.suffix.length);
  }

  /** The slot is the value of `choices[0].delta.content`: a string there parses back into that place. */
  private verified(): boolean {
    try {
      const c = JSON.parse(`${this.prefix}${JSON.stringify(MARK)}${this.suffix}`) as { choices?: { delta?: { content?: unknown } }[] };
      return c.choices?.[0]?.delta?.content === MARK;
    } catch {
      return false;
    }
  }
}

/** The `delta.content` of a plain chunk (ChunkTemplate.fits); undefined for any other. */
function plainContent(chunk: Chunk, text: string): string | undefined {
  if (chunk.usage !== undefined && (chunk.usage !== null || !text.endsWith(NULL_USAGE))) return undefined;
  if (chunk.error !== undefined || !isOneLine(text)) return undefined;
  const choices = chunk.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice = choices[0] as { finish_reason?: unknown; delta?: { content?: unknown } } | null;
  if (!choice || typeof choice !== 'object' || (choice.finish_reason !== null && choice.finish_reason !== undefined)) return undefined;
  const content = choice.delta && typeof choice.delta === 'object' ? choice.delta.content : undefined;
  return typeof content === 'string' ? content : undefined;
}

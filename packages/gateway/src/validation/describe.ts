/**
 * The nouns and value lists OpenAI's validation messages are made of, so that every message the
 * validators build reads like api.openai.com's:
 * "Invalid type for 'n': expected an integer, but got a decimal number instead." and
 * "Invalid value: 'bot'. Supported values are: 'system', 'assistant', ..., and 'developer'."
 * @module
 */

/**
 * How OpenAI names the kind of a JSON value after "but got": "a string", "an integer",
 * "a decimal number" (observed for `seed: 1.5`), "a boolean", "an array", "an object", "null".
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a decimal number';
    case 'object':
      return Array.isArray(value) ? 'an array' : 'an object';
    default:
      // Not a JSON value (undefined, a function...): only reachable from in-process callers.
      return `a ${typeof value}`;
  }
}

/** `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`: quoted, Oxford comma, as OpenAI lists values. */
export function quotedList(values: readonly string[], conjunction: 'and' | 'or'): string {
  const q = values.map((v) => `'${v}'`);
  if (q.length <= 1) return q.join('');
  if (q.length === 2) return `${q[0]} ${conjunction} ${q[1]}`;
  return `${q.slice(0, -1).join(', ')}, ${conjunction} ${q[q.length - 1]}`;
}

/** A closed set of string values, with its two message fragments computed once at load. */
export interface StringEnum {
  readonly values: ReadonlySet<string>;
  /** For `invalid_value`: "'a', 'b', and 'c'". */
  readonly supported: string;
  /** For `invalid_type` when the value is not even a string: "one of 'a', 'b', or 'c'". */
  readonly expected: string;
}

/**
 * Builds a StringEnum. `listed` are the values the messages name; `alsoAccepted` are accepted
 * without being advertised (older spellings real clients still send).
 */
export function stringEnum(listed: readonly string[], alsoAccepted: readonly string[] = []): StringEnum {
  return {
    values: new Set([...listed, ...alsoAccepted]),
    supported: quotedList(listed, 'and'),
    expected: listed.length === 1 ? `'${listed[0]}'` : `one of ${quotedList(listed, 'or')}`,
  };
}

/**
 * The length of `s` as OpenAI counts it (code points, not UTF-16 units) when that is more than
 * `max`, else undefined. Strings within `max` UTF-16 units are never scanned.
 */
export function lengthOver(s: string, max: number): number | undefined {
  if (s.length <= max) return undefined; // code points <= UTF-16 units
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n > max ? n : undefined;
}

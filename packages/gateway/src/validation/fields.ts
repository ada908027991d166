/**
 * Typed readers for one field of a JSON object: each returns the value when it is valid and
 * throws the OpenAI-worded ApiError when it is not. `prefix` is the path of the object holding
 * the field ('' at the top level); the field's own path is only built when an error is thrown.
 *
 * Optional fields treat `null` like absence: OpenAI's schemas make nearly every optional
 * parameter nullable, and clients (LangChain, LiteLLM) send explicit nulls.
 * @module
 */
import { lengthOver, type StringEnum } from './describe.js';
import {
  arrayTooLong,
  at,
  decimalOutOfRange,
  integerAboveMax,
  integerBelowMin,
  missing,
  notInEnum,
  stringTooLong,
  wrongType,
} from './errors.js';

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function reqString(o: Obj, key: string, prefix: string, maxLength?: number): string {
  const v = o[key];
  if (v === undefined) return missing(at(prefix, key));
  return checkString(v, prefix, key, maxLength);
}

export function optString(o: Obj, key: string, prefix: string, maxLength?: number): string | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : checkString(v, prefix, key, maxLength);
}

function checkString(v: unknown, prefix: string, key: string, maxLength: number | undefined): string {
  if (typeof v !== 'string') return wrongType(at(prefix, key), 'a string', v);
  if (maxLength !== undefined) {
    const over = lengthOver(v, maxLength);
    if (over !== undefined) stringTooLong(at(prefix, key), over, maxLength);
  }
  return v;
}

export function optBoolean(o: Obj, key: string, prefix: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') wrongType(at(prefix, key), 'a boolean', v);
  return v;
}

/** An integer within [min, max] (either bound may be infinite). */
export function optInteger(o: Obj, key: string, prefix: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) return wrongType(at(prefix, key), 'an integer', v);
  if (v < min) integerBelowMin(at(prefix, key), v, min);
  if (v > max) integerAboveMax(at(prefix, key), v, max);
  return v;
}

/** Any number within [min, max]; OpenAI calls these "decimal". */
export function optDecimal(o: Obj, key: string, prefix: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return checkDecimal(v, at(prefix, key), min, max);
}

export function checkDecimal(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number') return wrongType(path, 'a decimal', v);
  if (v < min || v > max) decimalOutOfRange(path, v, min, max);
  return v;
}

export function reqEnum(o: Obj, key: string, prefix: string, e: StringEnum): string {
  const v = o[key];
  if (v === undefined) return missing(at(prefix, key));
  return checkEnum(v, at(prefix, key), e);
}

export function optEnum(o: Obj, key: string, prefix: string, e: StringEnum): string | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : checkEnum(v, at(prefix, key), e);
}

export function checkEnum(v: unknown, path: string, e: StringEnum): string {
  if (typeof v !== 'string') return wrongType(path, e.expected, v);
  if (!e.values.has(v)) notInEnum(path, v, e);
  return v;
}

/**
 * A top-level parameter that is a mode string or an object (`tool_choice`, `function_call`):
 * absent, null or a valid mode leave nothing to judge (undefined); an object is returned for the
 * caller to judge. The wrong-type message is worded as api.openai.com words it (observed),
 * including the doubled "one of".
 */
export function optModeOrObject(o: Obj, key: string, modes: StringEnum): Obj | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') {
    checkEnum(v, key, modes);
    return undefined;
  }
  if (!isObject(v)) return wrongType(key, `one of ${modes.expected} or object`, v);
  return v;
}

export function reqObject(o: Obj, key: string, prefix: string): Obj {
  const v = o[key];
  if (v === undefined) return missing(at(prefix, key));
  if (!isObject(v)) return wrongType(at(prefix, key), 'an object', v);
  return v;
}

export function optObject(o: Obj, key: string, prefix: string): Obj | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) return wrongType(at(prefix, key), 'an object', v);
  return v;
}

/**
 * An optional array. `expected` names it in a type error ("an array of objects");
 * `maxLength` bounds it (array_above_max_length).
 */
export function optArray(o: Obj, key: string, prefix: string, expected: string, maxLength = Infinity): unknown[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return wrongType(at(prefix, key), expected, v);
  if (v.length > maxLength) arrayTooLong(at(prefix, key), v.length, maxLength);
  return v;
}

/** Each item of `items` must be an object; returns it typed. */
export function itemObject(item: unknown, path: string): Obj {
  if (!isObject(item)) return wrongType(path, 'an object', item);
  return item;
}

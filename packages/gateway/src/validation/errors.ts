/**
 * One thrower per validation error kind. Each fills exactly the variables its catalog template
 * names and sets `param` to the offending path, so callers cannot get a message half-rendered.
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { describeValue, type StringEnum } from './describe.js';

/** `prefix.key`, or `key` at the top level. Paths are only built when an error is thrown. */
export function at(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** "Unknown parameter: 'tools[0].container'." (newer endpoints: /v1/responses, the Administration API). */
export function unknownParameter(path: string): never {
  throw new ApiError('unknown_parameter', { param: path }, { param: path });
}

export function missing(path: string): never {
  throw new ApiError('missing_required_parameter', { param: path }, { param: path });
}

/** `expected` is a phrase with its article: "a string", "an array of objects", "one of ...". */
export function wrongType(path: string, expected: string, value: unknown): never {
  throw new ApiError('invalid_type', { param: path, expected, actual: describeValue(value) }, { param: path });
}

export function notInEnum(path: string, value: string, e: StringEnum): never {
  throw new ApiError('invalid_value', { value, supported: e.supported }, { param: path });
}

/** A value outside a fixed set that is not a list of names (e.g. "a non-empty string"). */
export function invalidValue(path: string, value: string, supported: string): never {
  throw new ApiError('invalid_value', { value, supported }, { param: path });
}

export function decimalOutOfRange(path: string, value: number, min: number, max: number): never {
  if (value > max) throw new ApiError('decimal_above_max_value', { param: path, max, value }, { param: path });
  throw new ApiError('decimal_below_min_value', { param: path, min, value }, { param: path });
}

export function integerAboveMax(path: string, value: number, max: number): never {
  throw new ApiError('integer_above_max_value', { param: path, max, value }, { param: path });
}

export function integerBelowMin(path: string, value: number, min: number): never {
  throw new ApiError('integer_below_min_value', { param: path, min, value }, { param: path });
}

export function arrayTooLong(path: string, length: number, max: number): never {
  throw new ApiError('array_above_max_length', { param: path, max, length }, { param: path });
}

/** An object with more properties than allowed (`metadata`). */
export function tooManyProperties(path: string, count: number, max: number): never {
  throw new ApiError('object_above_max_properties', { param: path, max, length: count }, { param: path });
}

export function emptyArray(path: string, min = 1): never {
  throw new ApiError('empty_array', { param: path, min }, { param: path });
}

export function stringTooLong(path: string, length: number, max: number): never {
  throw new ApiError('string_above_max_length', { param: path, max, length }, { param: path });
}

/** "The '<param>' parameter is only allowed when '<requires>' is <requirement>." */
export function onlyAllowedWhen(param: string, requires: string, requirement: string): never {
  throw new ApiError('invalid_parameter_combination', { param, requires, requirement }, { param });
}

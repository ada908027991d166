/**
 * Parameters /v1/chat/completions and /v1/completions share: sampling, stop sequences,
 * streaming, output size, `user`. Also `metadata`, which chat alone takes but which follows
 * the same map rules as `logit_bias`.
 * @module
 */
import { lengthOver } from './describe.js';
import { arrayTooLong, onlyAllowedWhen, stringTooLong, tooManyProperties, wrongType } from './errors.js';
import { checkDecimal, optBoolean, optDecimal, optInteger, optObject, optString, type Obj } from './fields.js';
import { LIMITS } from './vocabulary.js';

/** What the later stages need from the shared parameters. */
export interface GenerationFacts {
  stream: boolean;
  includeUsage: boolean;
  n: number;
  /** `max_completion_tokens ?? max_tokens` when the caller set one, with the name it came from. */
  explicitMax: { param: 'max_tokens' | 'max_completion_tokens' | 'max_output_tokens'; value: number } | undefined;
}

/** Type and range checks of the shared parameters, in a fixed order. */
export function checkGenerationParams(body: Obj): GenerationFacts {
  optDecimal(body, 'frequency_penalty', '', LIMITS.penalty[0], LIMITS.penalty[1]);
  checkLogitBias(body);
  const maxTokens = optInteger(body, 'max_tokens', '', 1, Infinity);
  const n = optInteger(body, 'n', '', LIMITS.n[0], LIMITS.n[1]) ?? 1;
  optDecimal(body, 'presence_penalty', '', LIMITS.penalty[0], LIMITS.penalty[1]);
  optInteger(body, 'seed', '', -Infinity, Infinity);
  checkStop(body);
  const stream = optBoolean(body, 'stream', '') ?? false;
  const options = optObject(body, 'stream_options', '');
  let includeUsage = false;
  if (options !== undefined) {
    includeUsage = optBoolean(options, 'include_usage', 'stream_options') === true;
    optBoolean(options, 'include_obfuscation', 'stream_options');
  }
  optDecimal(body, 'temperature', '', LIMITS.temperature[0], LIMITS.temperature[1]);
  optDecimal(body, 'top_p', '', LIMITS.top_p[0], LIMITS.top_p[1]);
  optString(body, 'user', '', LIMITS.user);
  return {
    stream,
    includeUsage,
    n,
    explicitMax: maxTokens === undefined ? undefined : { param: 'max_tokens', value: maxTokens },
  };
}

/** Checks that need the whole body typed first: a parameter that depends on another. */
export function checkStreamOptionsNeedStream(body: Obj, stream: boolean): void {
  if (body.stream_options !== undefined && body.stream_options !== null && !stream) {
    onlyAllowedWhen('stream_options', 'stream', 'enabled');
  }
}

/** `stop`: a string, or up to 4 strings. */
function checkStop(body: Obj): void {
  const stop = body.stop;
  if (stop === undefined || stop === null || typeof stop === 'string') return;
  if (!Array.isArray(stop)) wrongType('stop', 'one of a string or array of strings', stop);
  if (stop.length > LIMITS.stop_max) arrayTooLong('stop', stop.length, LIMITS.stop_max);
  for (let i = 0; i < stop.length; i++) {
    if (typeof stop[i] !== 'string') wrongType(`stop[${i}]`, 'a string', stop[i]);
  }
}

/** `logit_bias`: token id → bias in [-100, 100]. Keys are not judged (OpenAI's rule is unpublished). */
function checkLogitBias(body: Obj): void {
  const bias = optObject(body, 'logit_bias', '');
  if (bias === undefined) return;
  for (const key of Object.keys(bias)) {
    checkDecimal(bias[key], `logit_bias.${key}`, LIMITS.logit_bias[0], LIMITS.logit_bias[1]);
  }
}

/** `metadata`: at most 16 string pairs, keys <= 64 characters, values <= 512. */
export function checkMetadata(body: Obj): void {
  const metadata = optObject(body, 'metadata', '');
  if (metadata === undefined) return;
  const keys = Object.keys(metadata);
  if (keys.length > LIMITS.metadata_pairs) tooManyProperties('metadata', keys.length, LIMITS.metadata_pairs);
  for (const key of keys) {
    const path = `metadata.${key}`;
    const keyOver = lengthOver(key, LIMITS.metadata_key);
    if (keyOver !== undefined) stringTooLong(path, keyOver, LIMITS.metadata_key);
    const value = metadata[key];
    if (typeof value !== 'string') wrongType(path, 'a string', value);
    const valueOver = lengthOver(value, LIMITS.metadata_value);
    if (valueOver !== undefined) stringTooLong(path, valueOver, LIMITS.metadata_value);
  }
}

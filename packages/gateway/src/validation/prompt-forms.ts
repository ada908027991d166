/**
 * The four shapes of a completions `prompt` and an embeddings `input`: a string, an array of
 * strings, an array of token ids, or an array of token-id arrays. Each array item is one prompt
 * (one input), and the token budget is judged per item, as OpenAI does.
 * @module
 */
import { arrayTooLong, emptyArray, integerBelowMin, invalidValue, wrongType } from './errors.js';

const ANY_FORM = 'one of a string, array of strings, array of integers, or array of arrays of integers';

export interface PromptFormRules {
  /** `prompt` or `input`: the path in messages. */
  name: 'prompt' | 'input';
  /** Embeddings reject an empty string; completions take one. */
  allowEmptyString: boolean;
  maxItems: number;
}

/** Validates the shape; `value` is known to be present. */
export function checkPromptForm(value: unknown, rules: PromptFormRules): void {
  if (typeof value === 'string') {
    if (!rules.allowEmptyString && value === '') emptyString(rules.name);
    return;
  }
  if (!Array.isArray(value)) return wrongType(rules.name, ANY_FORM, value);
  if (value.length === 0) emptyArray(rules.name);
  if (value.length > rules.maxItems) arrayTooLong(rules.name, value.length, rules.maxItems);
  const first = value[0];
  if (typeof first === 'string') {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item !== 'string') wrongType(`${rules.name}[${i}]`, 'a string', item);
      if (!rules.allowEmptyString && item === '') emptyString(`${rules.name}[${i}]`);
    }
  } else if (typeof first === 'number') {
    checkTokenIds(value, rules.name);
  } else if (Array.isArray(first)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const path = `${rules.name}[${i}]`;
      if (!Array.isArray(item)) wrongType(path, 'an array of integers', item);
      if (item.length === 0) emptyArray(path);
      checkTokenIds(item, path);
    }
  } else {
    wrongType(`${rules.name}[0]`, 'one of a string, integer, or array of integers', first);
  }
}

function checkTokenIds(ids: readonly unknown[], path: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'number' || !Number.isInteger(id)) wrongType(`${path}[${i}]`, 'an integer', id);
    if (id < 0) integerBelowMin(`${path}[${i}]`, id, 0);
  }
}

/**
 * OpenAI answers an empty embeddings input with "'$.input' is invalid. Please check the API
 * reference: ..." (code null), which the catalog lacks; the nearest entry is used meanwhile.
 */
function emptyString(path: string): never {
  return invalidValue(path, '', 'a non-empty string');
}

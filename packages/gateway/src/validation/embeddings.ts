/**
 * Type, range and value checks of a /v1/embeddings body. Required parameters and unknown names
 * are judged before this runs.
 * @module
 */
import { optEnum, optInteger, optString, type Obj } from './fields.js';
import { checkPromptForm } from './prompt-forms.js';
import { ENCODING_FORMAT, LIMITS } from './vocabulary.js';

export function checkEmbeddingBody(body: Obj): void {
  checkPromptForm(body.input, { name: 'input', allowEmptyString: false, maxItems: LIMITS.embedding_inputs });
  optInteger(body, 'dimensions', '', 1, Infinity);
  optEnum(body, 'encoding_format', '', ENCODING_FORMAT);
  optString(body, 'user', '', LIMITS.user);
}

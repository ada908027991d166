/**
 * Type, range and value checks of a /v1/chat/completions body, then the checks that relate two
 * parameters. Required parameters and unknown names are judged before this runs.
 * @module
 */
import { missing, onlyAllowedWhen, wrongType } from './errors.js';
import { checkGenerationParams, checkMetadata, checkStreamOptionsNeedStream, type GenerationFacts } from './generation.js';
import { checkMessages } from './messages.js';
import {
  checkEnum,
  isObject,
  itemObject,
  optArray,
  optBoolean,
  optEnum,
  optInteger,
  optObject,
  optString,
  reqEnum,
  reqObject,
  reqString,
  type Obj,
} from './fields.js';
import { checkFunctionCall, checkFunctions, checkResponseFormat, checkToolChoice, checkTools } from './tools.js';
import {
  AUDIO_FORMAT,
  LIMITS,
  MODALITY,
  PREDICTION_TYPE,
  PROMPT_CACHE_RETENTION,
  REASONING_EFFORT,
  SEARCH_CONTEXT_SIZE,
  SERVICE_TIER,
  TEXT_PART_TYPE,
  USER_LOCATION_TYPE,
  VERBOSITY,
} from './vocabulary.js';

export function checkChatBody(body: Obj): GenerationFacts {
  checkMessages(body.messages);
  const facts = checkGenerationParams(body);
  checkAudio(body);
  checkFunctions(body);
  checkFunctionCall(body);
  const logprobs = optBoolean(body, 'logprobs', '');
  const maxCompletion = optInteger(body, 'max_completion_tokens', '', 1, Infinity);
  checkMetadata(body);
  checkModalities(body);
  const parallel = optBoolean(body, 'parallel_tool_calls', '');
  checkPrediction(body);
  optString(body, 'prompt_cache_key', '');
  optEnum(body, 'prompt_cache_retention', '', PROMPT_CACHE_RETENTION);
  optEnum(body, 'reasoning_effort', '', REASONING_EFFORT);
  checkResponseFormat(body);
  optString(body, 'safety_identifier', '', LIMITS.safety_identifier);
  optEnum(body, 'service_tier', '', SERVICE_TIER);
  optBoolean(body, 'store', '');
  const hasTools = checkTools(body);
  checkToolChoice(body);
  const topLogprobs = optInteger(body, 'top_logprobs', '', LIMITS.top_logprobs[0], LIMITS.top_logprobs[1]);
  optEnum(body, 'verbosity', '', VERBOSITY);
  checkWebSearchOptions(body);

  // Parameters that only make sense with another one.
  checkStreamOptionsNeedStream(body, facts.stream);
  if (topLogprobs !== undefined && logprobs !== true) onlyAllowedWhen('top_logprobs', 'logprobs', 'enabled');
  if (!hasTools) {
    if (body.tool_choice !== undefined && body.tool_choice !== null) onlyAllowedWhen('tool_choice', 'tools', 'specified');
    if (parallel !== undefined) onlyAllowedWhen('parallel_tool_calls', 'tools', 'specified');
  }

  if (maxCompletion !== undefined) facts.explicitMax = { param: 'max_completion_tokens', value: maxCompletion };
  return facts;
}

/** `audio`: output voice (a name or `{id}`) and format; needed with `modalities: ['audio']`. */
function checkAudio(body: Obj): void {
  const audio = optObject(body, 'audio', '');
  if (audio === undefined) return;
  const voice = audio.voice;
  if (voice === undefined) missing('audio.voice');
  if (typeof voice !== 'string') {
    if (!isObject(voice)) wrongType('audio.voice', 'one of a string or object', voice);
    reqString(voice, 'id', 'audio.voice');
  }
  reqEnum(audio, 'format', 'audio', AUDIO_FORMAT);
}

function checkModalities(body: Obj): void {
  const modalities = optArray(body, 'modalities', '', 'an array of strings');
  if (modalities === undefined) return;
  for (let i = 0; i < modalities.length; i++) checkEnum(modalities[i], `modalities[${i}]`, MODALITY);
}

/** `prediction`: `{type: 'content', content: string | text parts}` (predicted outputs). */
function checkPrediction(body: Obj): void {
  const prediction = optObject(body, 'prediction', '');
  if (prediction === undefined) return;
  reqEnum(prediction, 'type', 'prediction', PREDICTION_TYPE);
  const content = prediction.content;
  if (content === undefined) missing('prediction.content');
  if (typeof content === 'string') return;
  if (!Array.isArray(content)) wrongType('prediction.content', 'one of a string or array of objects', content);
  for (let i = 0; i < content.length; i++) {
    const path = `prediction.content[${i}]`;
    const part = itemObject(content[i], path);
    reqEnum(part, 'type', path, TEXT_PART_TYPE);
    reqString(part, 'text', path);
  }
}

const LOCATION_FIELDS = ['city', 'country', 'region', 'timezone'] as const;

/** `web_search_options`: context size and an approximate user location. */
function checkWebSearchOptions(body: Obj): void {
  const options = optObject(body, 'web_search_options', '');
  if (options === undefined) return;
  optEnum(options, 'search_context_size', 'web_search_options', SEARCH_CONTEXT_SIZE);
  const location = optObject(options, 'user_location', 'web_search_options');
  if (location === undefined) return;
  const p = 'web_search_options.user_location';
  reqEnum(location, 'type', p, USER_LOCATION_TYPE);
  const approximate = reqObject(location, 'approximate', p);
  for (const key of LOCATION_FIELDS) optString(approximate, key, `${p}.approximate`);
}

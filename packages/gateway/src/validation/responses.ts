/**
 * Type, range and value checks of a `POST /v1/responses` body, in OpenAI's wording and with the
 * nested paths it uses (`input[0].content[1].text`, `tools[0].type`). Unknown top-level names and
 * the model are judged by index.ts's common steps; unknown names inside a function tool here.
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { invalidValue, missing, onlyAllowedWhen, unknownParameter, wrongType } from './errors.js';
import { checkMetadata } from './generation.js';
import {
  checkEnum,
  isObject,
  itemObject,
  optArray,
  optBoolean,
  optDecimal,
  optEnum,
  optInteger,
  optModeOrObject,
  optObject,
  optString,
  reqEnum,
  reqString,
  type Obj,
} from './fields.js';
import {
  IMAGE_DETAIL,
  INPUT_ITEM_TYPE,
  INPUT_PART_TYPE,
  INPUT_ROLE,
  LIMITS,
  PROMPT_CACHE_RETENTION,
  REASONING_EFFORT,
  REASONING_SUMMARY,
  RESPONSES_TOOL_CHOICE_TYPE,
  RESPONSES_TOOL_TYPE,
  SERVICE_TIER,
  TEXT_FORMAT_TYPE,
  TOOL_CHOICE_MODE,
  TRUNCATION,
  VERBOSITY,
} from './vocabulary.js';

export interface ResponsesFacts {
  stream: boolean;
  store: boolean;
  maxOutputTokens: number | undefined;
  previousResponseId: string | undefined;
}

export interface ResponsesCheckOptions {
  /**
   * Refuse names a function tool does not have (`Unknown parameter: 'tools[0].container'.`);
   * off for a model that forwards unknown parameters to an engine that may know them.
   */
  nestedUnknown: boolean;
}

export function checkResponsesBody(body: Obj, opts: ResponsesCheckOptions): ResponsesFacts {
  if (body.input !== undefined && body.input !== null) checkInput(body.input);
  const background = optBoolean(body, 'background', '');
  if (background === true) invalidValue('background', 'true', "'false' (Tollgate answers in the request)");
  const include = optArray(body, 'include', '', 'an array of strings');
  if (include) for (let i = 0; i < include.length; i++) if (typeof include[i] !== 'string') wrongType(`include[${i}]`, 'a string', include[i]);
  optString(body, 'instructions', '');
  const maxOutput = optInteger(body, 'max_output_tokens', '', LIMITS.max_output_tokens_min, Infinity);
  optInteger(body, 'max_tool_calls', '', 1, Infinity);
  checkMetadata(body);
  optBoolean(body, 'parallel_tool_calls', '');
  const previous = optString(body, 'previous_response_id', '');
  optString(body, 'prompt_cache_key', '');
  optEnum(body, 'prompt_cache_retention', '', PROMPT_CACHE_RETENTION);
  checkReasoning(body);
  optString(body, 'safety_identifier', '', LIMITS.safety_identifier);
  optEnum(body, 'service_tier', '', SERVICE_TIER);
  const store = optBoolean(body, 'store', '') ?? true;
  const stream = optBoolean(body, 'stream', '') ?? false;
  const options = optObject(body, 'stream_options', '');
  if (options) optBoolean(options, 'include_obfuscation', 'stream_options');
  optDecimal(body, 'temperature', '', LIMITS.temperature[0], LIMITS.temperature[1]);
  checkText(body);
  checkTools(body, opts.nestedUnknown);
  checkToolChoice(body);
  optInteger(body, 'top_logprobs', '', LIMITS.top_logprobs[0], LIMITS.top_logprobs[1]);
  optDecimal(body, 'top_p', '', LIMITS.top_p[0], LIMITS.top_p[1]);
  optEnum(body, 'truncation', '', TRUNCATION);
  optString(body, 'user', '', LIMITS.user);

  if (options !== undefined && !stream) onlyAllowedWhen('stream_options', 'stream', 'enabled');
  if ((body.input === undefined || body.input === null) && previous === undefined) missing('input');
  return { stream, store, maxOutputTokens: maxOutput, previousResponseId: previous };
}

/**
 * Each `function_call_output` of this turn's `input` answers a `function_call` of the conversation
 * (`earlier`: the turns of `previous_response_id`, then this turn's input), in OpenAI's words with
 * `param: input`. Judged once the earlier turns are loaded, after the body's own checks.
 */
export function checkFunctionCallOutputs(input: readonly Obj[], earlier: readonly Obj[]): void {
  const conversation = [...earlier, ...input];
  const calls = new Set<unknown>();
  const outputs = new Set<unknown>();
  for (const item of conversation) {
    if (item.type === 'function_call') calls.add(item.call_id);
    else if (item.type === 'function_call_output') outputs.add(item.call_id);
  }
  for (const item of input) {
    if (item.type === 'function_call_output' && !calls.has(item.call_id)) throw new ApiError('function_call_output_without_call', { call_id: item.call_id as string });
  }
  checkCallsAnswered(conversation, earlier.length, outputs);
}

/**
 * A `function_call` that no `function_call_output` of the conversation answers, with a message
 * after it in this turn's input, is refused as OpenAI refuses it ("No tool output found for
 * function call …", param `input`): the conversation went on past a call that got no answer. A
 * call with nothing but calls and reasoning after it is a turn in progress and is left alone, as
 * Chat Completions leaves open tool_calls at the end; so are earlier turns on their own.
 */
function checkCallsAnswered(conversation: readonly Obj[], firstOfTurn: number, outputs: ReadonlySet<unknown>): void {
  let open: unknown;
  for (let i = 0; i < conversation.length; i++) {
    const item = conversation[i]!;
    if (item.type === 'function_call') {
      if (open === undefined && !outputs.has(item.call_id)) open = item.call_id;
    } else if (open !== undefined && isMessage(item) && i >= firstOfTurn) {
      throw new ApiError('function_call_without_output', { call_id: String(open) });
    }
  }
}

/** A message item: `type: "message"`, or the short form with only a `role`. */
const isMessage = (item: Obj): boolean => item.type === 'message' || (item.type === undefined && typeof item.role === 'string');

/** `input`: a string, or a list of message, function_call, function_call_output, reasoning and item_reference items. */
function checkInput(input: unknown): void {
  if (typeof input === 'string') return;
  if (!Array.isArray(input)) wrongType('input', 'one of a string or array of objects', input);
  for (let i = 0; i < input.length; i++) checkItem(input[i], `input[${i}]`);
}

function checkItem(value: unknown, path: string): void {
  const item = itemObject(value, path);
  const type = item.type === undefined ? untypedItemType(item) : checkEnum(item.type, `${path}.type`, INPUT_ITEM_TYPE);
  switch (type) {
    case 'message': {
      reqEnum(item, 'role', path, INPUT_ROLE);
      const content = item.content;
      if (content === undefined) missing(`${path}.content`);
      if (typeof content === 'string') break;
      if (!Array.isArray(content)) wrongType(`${path}.content`, 'one of a string or array of objects', content);
      for (let j = 0; j < content.length; j++) checkPart(content[j], `${path}.content[${j}]`);
      break;
    }
    case 'function_call':
      reqString(item, 'call_id', path);
      reqString(item, 'name', path);
      reqString(item, 'arguments', path);
      break;
    case 'function_call_output': {
      reqString(item, 'call_id', path);
      const output = item.output;
      if (output === undefined) missing(`${path}.output`);
      if (typeof output !== 'string' && !Array.isArray(output)) wrongType(`${path}.output`, 'one of a string or array of objects', output);
      break;
    }
    case 'reasoning':
      break;
    case 'item_reference':
      reqString(item, 'id', path);
      break;
  }
}

/**
 * The type of an item without one: an item reference when it has an `id` and no `role` (OpenAI's
 * `ItemReference`, whose `type` is optional), else a message (the easy-input form `{role, content}`).
 */
function untypedItemType(item: Obj): 'message' | 'item_reference' {
  return item.role === undefined && item.id !== undefined ? 'item_reference' : 'message';
}

/** Whether an input item (already checked) is an item reference. */
export function isItemReference(item: unknown): item is { id: string } {
  return isObject(item) && (item.type === 'item_reference' || (item.type === undefined && untypedItemType(item) === 'item_reference'));
}

function checkPart(value: unknown, path: string): void {
  const part = itemObject(value, path);
  switch (reqEnum(part, 'type', path, INPUT_PART_TYPE)) {
    case 'input_text':
    case 'output_text':
      reqString(part, 'text', path);
      break;
    case 'refusal':
      reqString(part, 'refusal', path);
      break;
    case 'input_image':
      optString(part, 'image_url', path);
      optString(part, 'file_id', path);
      optEnum(part, 'detail', path, IMAGE_DETAIL);
      if (part.image_url == null && part.file_id == null) missing(`${path}.image_url`);
      break;
    case 'input_file':
      optString(part, 'file_data', path);
      optString(part, 'file_id', path);
      optString(part, 'filename', path);
      optString(part, 'file_url', path);
      break;
  }
}

function checkReasoning(body: Obj): void {
  const r = optObject(body, 'reasoning', '');
  if (!r) return;
  optEnum(r, 'effort', 'reasoning', REASONING_EFFORT);
  optEnum(r, 'summary', 'reasoning', REASONING_SUMMARY);
  optEnum(r, 'generate_summary', 'reasoning', REASONING_SUMMARY);
}

/** `text`: the output format (text, json_object, json_schema with name and schema) and verbosity. */
function checkText(body: Obj): void {
  const text = optObject(body, 'text', '');
  if (!text) return;
  optEnum(text, 'verbosity', 'text', VERBOSITY);
  const format = optObject(text, 'format', 'text');
  if (!format) return;
  if (reqEnum(format, 'type', 'text.format', TEXT_FORMAT_TYPE) !== 'json_schema') return;
  reqString(format, 'name', 'text.format', LIMITS.name_max);
  const schema = format.schema;
  if (schema === undefined) missing('text.format.schema');
  if (!isObject(schema)) wrongType('text.format.schema', 'an object', schema);
  optString(format, 'description', 'text.format');
  optBoolean(format, 'strict', 'text.format');
}

/**
 * The names of openai-node 6.49's `FunctionTool`. Tollgate uses name, description, parameters and
 * strict; the rest are accepted (and not acted on) because OpenAI accepts them.
 */
const FUNCTION_TOOL_FIELDS = new Set(['type', 'name', 'description', 'parameters', 'strict', 'allowed_callers', 'defer_loading', 'output_schema']);

/** `tools`: function tools (name, parameters, strict, description); other types are refused. */
function checkTools(body: Obj, nestedUnknown: boolean): void {
  const tools = optArray(body, 'tools', '', 'an array of objects', LIMITS.tools_max);
  if (!tools) return;
  for (let i = 0; i < tools.length; i++) {
    const path = `tools[${i}]`;
    const tool = itemObject(tools[i], path);
    reqEnum(tool, 'type', path, RESPONSES_TOOL_TYPE);
    if (nestedUnknown) for (const k of Object.keys(tool)) if (!FUNCTION_TOOL_FIELDS.has(k)) unknownParameter(`${path}.${k}`);
    reqString(tool, 'name', path, LIMITS.name_max);
    optString(tool, 'description', path);
    optObject(tool, 'parameters', path);
    optBoolean(tool, 'strict', path);
  }
}

/** `tool_choice`: 'none' | 'auto' | 'required', or `{type: 'function', name}`. */
function checkToolChoice(body: Obj): void {
  const choice = optModeOrObject(body, 'tool_choice', TOOL_CHOICE_MODE);
  if (choice === undefined) return;
  reqEnum(choice, 'type', 'tool_choice', RESPONSES_TOOL_CHOICE_TYPE);
  reqString(choice, 'name', 'tool_choice');
}

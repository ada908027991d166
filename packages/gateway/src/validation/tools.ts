/**
 * Chat parameters that describe functions and output shape: `tools`, `tool_choice`,
 * `functions`, `function_call` (deprecated but still sent) and `response_format`.
 * @module
 */
import { emptyArray, missing, wrongType } from './errors.js';
import {
  itemObject,
  optArray,
  optBoolean,
  optModeOrObject,
  optObject,
  optString,
  reqEnum,
  reqObject,
  reqString,
  type Obj,
} from './fields.js';
import {
  ALLOWED_TOOLS_MODE,
  CUSTOM_TOOL_FORMAT,
  FUNCTION_CALL_MODE,
  GRAMMAR_SYNTAX,
  LIMITS,
  RESPONSE_FORMAT_TYPE,
  TOOL_CHOICE_MODE,
  TOOL_CHOICE_TYPE,
  TOOL_TYPE,
} from './vocabulary.js';

/** `tools`: 1..128 function or custom tools. Returns whether tools were given. */
export function checkTools(body: Obj): boolean {
  const tools = optArray(body, 'tools', '', 'an array of objects', LIMITS.tools_max);
  if (tools === undefined) return false;
  if (tools.length === 0) emptyArray('tools');
  for (let i = 0; i < tools.length; i++) checkTool(tools[i], `tools[${i}]`);
  return true;
}

function checkTool(item: unknown, path: string): void {
  const tool = itemObject(item, path);
  if (reqEnum(tool, 'type', path, TOOL_TYPE) === 'function') {
    checkFunctionDefinition(reqObject(tool, 'function', path), `${path}.function`);
    return;
  }
  const custom = reqObject(tool, 'custom', path);
  const p = `${path}.custom`;
  reqString(custom, 'name', p, LIMITS.name_max);
  optString(custom, 'description', p);
  const format = optObject(custom, 'format', p);
  if (format === undefined) return;
  const fp = `${p}.format`;
  if (reqEnum(format, 'type', fp, CUSTOM_TOOL_FORMAT) === 'grammar') {
    const grammar = reqObject(format, 'grammar', fp);
    reqString(grammar, 'definition', `${fp}.grammar`);
    reqEnum(grammar, 'syntax', `${fp}.grammar`, GRAMMAR_SYNTAX);
  }
}

function checkFunctionDefinition(fn: Obj, path: string): void {
  reqString(fn, 'name', path, LIMITS.name_max);
  optString(fn, 'description', path);
  optObject(fn, 'parameters', path);
  optBoolean(fn, 'strict', path);
}

/** `tool_choice`: 'none' | 'auto' | 'required' | a named function, custom tool, or allowed set. */
export function checkToolChoice(body: Obj): void {
  const choice = optModeOrObject(body, 'tool_choice', TOOL_CHOICE_MODE);
  if (choice === undefined) return;
  const type = choice.type;
  if (type === 'custom') {
    reqString(reqObject(choice, 'custom', 'tool_choice'), 'name', 'tool_choice.custom');
  } else if (type === 'allowed_tools') {
    const allowed = reqObject(choice, 'allowed_tools', 'tool_choice');
    reqEnum(allowed, 'mode', 'tool_choice.allowed_tools', ALLOWED_TOOLS_MODE);
    const tools = allowed.tools;
    const tp = 'tool_choice.allowed_tools.tools';
    if (tools === undefined) missing(tp);
    if (!Array.isArray(tools)) wrongType(tp, 'an array of objects', tools);
    for (let i = 0; i < tools.length; i++) itemObject(tools[i], `${tp}[${i}]`);
  } else {
    // OpenAI reads any other object as a named function: the function is asked for before the
    // type is judged (observed: `{type: 'bogus'}` → missing 'tool_choice.function').
    reqString(reqObject(choice, 'function', 'tool_choice'), 'name', 'tool_choice.function');
    reqEnum(choice, 'type', 'tool_choice', TOOL_CHOICE_TYPE);
  }
}

/** Deprecated `functions`: up to 128 function definitions. */
export function checkFunctions(body: Obj): void {
  const fns = optArray(body, 'functions', '', 'an array of objects', LIMITS.tools_max);
  if (fns === undefined) return;
  for (let i = 0; i < fns.length; i++) {
    const path = `functions[${i}]`;
    const fn = itemObject(fns[i], path);
    reqString(fn, 'name', path, LIMITS.name_max);
    optString(fn, 'description', path);
    optObject(fn, 'parameters', path);
  }
}

/** Deprecated `function_call`: 'none' | 'auto' | {name}. */
export function checkFunctionCall(body: Obj): void {
  const call = optModeOrObject(body, 'function_call', FUNCTION_CALL_MODE);
  if (call !== undefined) reqString(call, 'name', 'function_call');
}

/** `response_format`: text, json_object, or json_schema (which needs `json_schema.name`). */
export function checkResponseFormat(body: Obj): void {
  const format = optObject(body, 'response_format', '');
  if (format === undefined) return;
  if (reqEnum(format, 'type', 'response_format', RESPONSE_FORMAT_TYPE) !== 'json_schema') return;
  const schema = reqObject(format, 'json_schema', 'response_format');
  const p = 'response_format.json_schema';
  reqString(schema, 'name', p, LIMITS.name_max);
  optString(schema, 'description', p);
  optObject(schema, 'schema', p);
  optBoolean(schema, 'strict', p);
}

/**
 * The `messages` walker of /v1/chat/completions. Strict where OpenAI is strict (roles, content
 * part types, the fields a role or part cannot do without, wrong JSON types), lenient where it
 * is lenient: extra keys are ignored, `content` may be absent or null, content arrays and
 * `tool_calls` arrays may be empty (OpenAI accepts both; some other providers do not).
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { emptyArray, wrongType } from './errors.js';
import { itemObject, optObject, optString, reqEnum, reqObject, reqString, type Obj } from './fields.js';
import { CONTENT_PART_TYPE, INPUT_AUDIO_FORMAT, ROLE, TOOL_CALL_TYPE } from './vocabulary.js';

/** Validates `body.messages` (known to be present) and returns it. */
export function checkMessages(messages: unknown): unknown[] {
  if (!Array.isArray(messages)) return wrongType('messages', 'an array of objects', messages);
  if (messages.length === 0) emptyArray('messages');
  for (let i = 0; i < messages.length; i++) checkMessage(messages[i], `messages[${i}]`);
  checkToolAnswers(messages as Obj[]);
  return messages;
}

/**
 * Tool messages against the tool calls they answer, once every message is well-formed. A run of
 * tool messages answers the assistant message with `tool_calls` right before it: each must name
 * one of its call ids, and the run must answer every id before another message comes. Refused in
 * OpenAI's words, its `param` spelled as OpenAI spells these (`messages.[3].role`, with the dot):
 * a tool message after anything else; a `tool_call_id` that is not one of the calls; an assistant
 * message whose calls are not all answered before the next message. An assistant message with
 * calls that ends the conversation is left alone (a turn in progress), as is an empty
 * `tool_calls` array (no calls) and the legacy `function_call` / `function` pair.
 */
function checkToolAnswers(messages: readonly Obj[]): void {
  let open: { index: number; ids: string[]; answered: Set<string> } | undefined;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === 'tool') {
      if (open === undefined) throw new ApiError('tool_message_without_tool_calls', {}, { param: `messages.[${i}].role` });
      const id = m.tool_call_id as string;
      if (!open.ids.includes(id)) throw new ApiError('tool_call_id_not_found', { id }, { param: `messages.[${i}].tool_call_id` });
      open.answered.add(id);
      continue;
    }
    if (open !== undefined) unanswered(open);
    const calls = m.role === 'assistant' && Array.isArray(m.tool_calls) ? (m.tool_calls as Obj[]) : [];
    open = calls.length > 0 ? { index: i, ids: calls.map((c) => c.id as string), answered: new Set() } : undefined;
  }
}

function unanswered(open: { index: number; ids: string[]; answered: Set<string> }): void {
  const missing = open.ids.filter((id) => !open.answered.has(id));
  if (missing.length > 0) throw new ApiError('tool_calls_without_responses', { ids: missing.join(', ') }, { param: `messages.[${open.index}].role` });
}

function checkMessage(item: unknown, path: string): void {
  const m = itemObject(item, path);
  const role = reqEnum(m, 'role', path, ROLE);
  checkContent(m.content, path);
  if (role === 'function') reqString(m, 'name', path);
  else optString(m, 'name', path);
  if (role === 'tool') reqString(m, 'tool_call_id', path);
  if (role === 'assistant') checkAssistantFields(m, path);
}

/** A string, null/absent, or an array of content parts. */
export function checkContent(content: unknown, messagePath: string): void {
  if (content === undefined || content === null || typeof content === 'string') return;
  const path = `${messagePath}.content`;
  if (!Array.isArray(content)) wrongType(path, 'one of a string or array of objects', content);
  for (let j = 0; j < content.length; j++) checkContentPart(content[j], `${path}[${j}]`);
}

function checkContentPart(item: unknown, path: string): void {
  const part = itemObject(item, path);
  switch (reqEnum(part, 'type', path, CONTENT_PART_TYPE)) {
    case 'text':
      reqString(part, 'text', path);
      break;
    case 'refusal':
      reqString(part, 'refusal', path);
      break;
    case 'image_url': {
      const image = reqObject(part, 'image_url', path);
      const p = `${path}.image_url`;
      reqString(image, 'url', p);
      optString(image, 'detail', p);
      break;
    }
    case 'input_audio': {
      const audio = reqObject(part, 'input_audio', path);
      const p = `${path}.input_audio`;
      reqString(audio, 'data', p);
      reqEnum(audio, 'format', p, INPUT_AUDIO_FORMAT);
      break;
    }
    case 'file': {
      const file = reqObject(part, 'file', path);
      const p = `${path}.file`;
      optString(file, 'file_data', p);
      optString(file, 'file_id', p);
      optString(file, 'filename', p);
      break;
    }
    case 'audio': {
      const audio = reqObject(part, 'audio', path);
      reqString(audio, 'id', `${path}.audio`);
      break;
    }
  }
}

function checkAssistantFields(m: Obj, path: string): void {
  optString(m, 'refusal', path);
  const audio = optObject(m, 'audio', path);
  if (audio) reqString(audio, 'id', `${path}.audio`);
  const call = optObject(m, 'function_call', path);
  if (call) {
    const p = `${path}.function_call`;
    reqString(call, 'name', p);
    reqString(call, 'arguments', p);
  }
  const calls = m.tool_calls;
  if (calls === undefined || calls === null) return;
  const callsPath = `${path}.tool_calls`;
  if (!Array.isArray(calls)) wrongType(callsPath, 'an array of objects', calls);
  for (let k = 0; k < calls.length; k++) checkToolCall(calls[k], `${callsPath}[${k}]`);
}

function checkToolCall(item: unknown, path: string): void {
  const call = itemObject(item, path);
  reqString(call, 'id', path);
  if (reqEnum(call, 'type', path, TOOL_CALL_TYPE) === 'function') {
    const fn = reqObject(call, 'function', path);
    const p = `${path}.function`;
    reqString(fn, 'name', p);
    reqString(fn, 'arguments', p);
  } else {
    const custom = reqObject(call, 'custom', path);
    const p = `${path}.custom`;
    reqString(custom, 'name', p);
    reqString(custom, 'input', p);
  }
}

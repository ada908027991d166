/**
 * A Responses API request as a Chat Completions request: what an engine that only speaks chat
 * (the simulator's generator, a chat-only upstream) is sent for `POST /v1/responses`. The same
 * function feeds the token count of the validate stage, so that a prompt costs the same tokens
 * whichever of the two endpoints carried it.
 *
 * Input items map to messages in order: `instructions` first as a system message, message items
 * by role, `function_call` items as the `tool_calls` of an assistant message (merged into the
 * assistant message just before them, as chat expects), `function_call_output` items as `tool`
 * messages. Reasoning items carry nothing a chat engine can use and are left out.
 * @module
 */
type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The Responses `input` (a string or a list of items) as a list of items. */
export function inputItems(input: unknown): Obj[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? input.filter(isObj) : [];
}

/**
 * The chat body for a Responses body. `stream` adds `stream_options.include_usage` so that a
 * stream can be settled from the engine's own count.
 */
export function responsesToChat(body: Obj): Obj {
  const out: Obj = { model: body.model, messages: toMessages(body.instructions, inputItems(body.input)) };
  const tools = chatTools(body.tools);
  if (tools) out.tools = tools;
  const choice = chatToolChoice(body.tool_choice);
  if (choice !== undefined && tools) out.tool_choice = choice;
  if (typeof body.parallel_tool_calls === 'boolean' && tools) out.parallel_tool_calls = body.parallel_tool_calls;
  if (typeof body.max_output_tokens === 'number') out.max_tokens = body.max_output_tokens;
  if (typeof body.temperature === 'number') out.temperature = body.temperature;
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  if (typeof body.user === 'string') out.user = body.user;
  const format = responseFormat(body.text);
  if (format) out.response_format = format;
  const effort = isObj(body.reasoning) ? body.reasoning.effort : undefined;
  if (typeof effort === 'string') out.reasoning_effort = effort;
  if (body.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}

function toMessages(instructions: unknown, items: readonly Obj[]): Obj[] {
  const messages: Obj[] = [];
  if (typeof instructions === 'string' && instructions.length > 0) messages.push({ role: 'system', content: instructions });
  for (const item of items) {
    const type = item.type ?? 'message';
    if (type === 'message') {
      messages.push(chatMessage(item));
    } else if (type === 'function_call') {
      const call = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
      const last = messages.at(-1);
      if (last && last.role === 'assistant') {
        last.tool_calls = [...((last.tool_calls as unknown[] | undefined) ?? []), call];
      } else {
        messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      }
    } else if (type === 'function_call_output') {
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: outputText(item.output) });
    }
  }
  return messages;
}

function chatMessage(item: Obj): Obj {
  const role = item.role === 'developer' ? 'developer' : item.role;
  const content = item.content;
  if (typeof content === 'string') return { role, content };
  const parts = Array.isArray(content) ? content.filter(isObj) : [];
  // Assistant turns (earlier output) go back as plain text, which every chat server takes.
  if (role === 'assistant' || parts.every((p) => typeof p.text === 'string')) {
    return { role, content: parts.map((p) => (typeof p.text === 'string' ? p.text : typeof p.refusal === 'string' ? p.refusal : '')).join('') };
  }
  return { role, content: parts.map(chatPart) };
}

function chatPart(p: Obj): Obj {
  if (typeof p.text === 'string') return { type: 'text', text: p.text };
  if (p.type === 'input_image') {
    const url = typeof p.image_url === 'string' ? p.image_url : typeof p.file_id === 'string' ? p.file_id : '';
    return { type: 'image_url', image_url: typeof p.detail === 'string' ? { url, detail: p.detail } : { url } };
  }
  if (p.type === 'input_file') {
    const file: Obj = {};
    for (const k of ['file_data', 'file_id', 'filename'] as const) if (typeof p[k] === 'string') file[k] = p[k];
    return { type: 'file', file };
  }
  return { type: 'text', text: '' };
}

/** A function call's output: a string, or the text of its parts. */
function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) return '';
  return output.map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : '')).join('');
}

function chatTools(tools: unknown): Obj[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return tools.filter(isObj).map((t) => {
    const fn: Obj = { name: t.name };
    if (typeof t.description === 'string') fn.description = t.description;
    if (t.parameters !== undefined && t.parameters !== null) fn.parameters = t.parameters;
    if (typeof t.strict === 'boolean') fn.strict = t.strict;
    return { type: 'function', function: fn };
  });
}

function chatToolChoice(choice: unknown): unknown {
  if (typeof choice === 'string') return choice;
  if (isObj(choice) && choice.type === 'function') return { type: 'function', function: { name: choice.name } };
  return undefined;
}

function responseFormat(text: unknown): Obj | undefined {
  const format = isObj(text) ? text.format : undefined;
  if (!isObj(format) || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  const schema: Obj = { name: format.name };
  if (typeof format.description === 'string') schema.description = format.description;
  if (format.schema !== undefined) schema.schema = format.schema;
  if (typeof format.strict === 'boolean') schema.strict = format.strict;
  return { type: 'json_schema', json_schema: schema };
}

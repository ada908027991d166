/**
 * Forced tool calls: when a chat request names a function in `tool_choice` (or says
 * `required`), the simulated model calls it with deterministic JSON arguments shaped by the
 * function's JSON Schema. `auto` and `none` get a text answer.
 */
import { NOUNS } from './text.js';
import { intBetween, pick, type Rng } from './random.js';

export interface ForcedTool {
  name: string;
  parameters: unknown;
  /** OpenAI answers a named tool_choice with `stop` and `required` with `tool_calls`. */
  finishReason: 'stop' | 'tool_calls';
}

interface FunctionTool {
  name: string;
  parameters: unknown;
}

function functionTools(tools: unknown): FunctionTool[] {
  if (!Array.isArray(tools)) return [];
  const out: FunctionTool[] = [];
  for (const t of tools) {
    const fn = t && typeof t === 'object' ? (t as { function?: unknown }).function : undefined;
    if (fn && typeof fn === 'object' && typeof (fn as { name?: unknown }).name === 'string') {
      out.push({ name: (fn as { name: string }).name, parameters: (fn as { parameters?: unknown }).parameters });
    }
  }
  return out;
}

/** The tool the request forces, or null when the model may answer in text. */
export function forcedTool(body: Record<string, unknown>, rng: Rng): ForcedTool | null {
  const tools = functionTools(body.tools);
  if (tools.length === 0) return null;
  const choice = body.tool_choice;
  if (choice === 'required') return { ...pick(rng, tools), finishReason: 'tool_calls' };
  if (choice && typeof choice === 'object') {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    const tool = tools.find((t) => t.name === name);
    if (tool) return { ...tool, finishReason: 'stop' };
  }
  return null;
}

/** A value that satisfies the common parts of a JSON Schema (type, enum, properties, items). */
function valueFor(schema: unknown, rng: Rng, depth: number): unknown {
  const s = schema && typeof schema === 'object' ? (schema as Record<string, unknown>) : {};
  if (Array.isArray(s.enum) && s.enum.length > 0) return pick(rng, s.enum);
  if ('const' in s) return s.const;
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      return pick(rng, NOUNS);
    case 'integer':
      return intBetween(rng, 1, 100);
    case 'number':
      return intBetween(rng, 1, 1000) / 10;
    case 'boolean':
      return rng() < 0.5;
    case 'array':
      return depth > 4 ? [] : [valueFor(s.items, rng, depth + 1)];
    case 'null':
      return null;
    default: {
      const out: Record<string, unknown> = {};
      const props = s.properties && typeof s.properties === 'object' ? (s.properties as Record<string, unknown>) : {};
      if (depth <= 4) for (const [k, v] of Object.entries(props)) out[k] = valueFor(v, rng, depth + 1);
      return out;
    }
  }
}

/** The `arguments` string of the call: compact JSON, as OpenAI sends it. */
export function toolArguments(parameters: unknown, rng: Rng): string {
  return JSON.stringify(valueFor(parameters ?? { type: 'object', properties: {} }, rng, 0));
}

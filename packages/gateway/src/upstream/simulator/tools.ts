/**
 * Forced tool calls: when a chat request names a function in `tool_choice` (or says
 * `required`), the simulated model calls it with deterministic JSON arguments shaped by the
 * function's JSON Schema (schema-instance.ts). `auto` and `none` get a text answer.
 */
import { pick, type Rng } from './random.js';
import { schemaInstance } from './schema-instance.js';

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

/** The `arguments` string of the call: compact JSON, as OpenAI sends it. */
export function toolArguments(parameters: unknown, rng: Rng): string {
  return JSON.stringify(schemaInstance(parameters ?? { type: 'object', properties: {} }, rng));
}

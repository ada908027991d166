import type { Usage } from '@tollgate/protocol';
import { countText } from '../tokens/count.js';

/** Collects the completion text of chunks or choices, to count tokens when an engine reports no usage. */
export class CompletionText {
  private parts: string[] = [];

  addChunk(chunk: Record<string, unknown>): void {
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return;
    for (const c of choices) {
      if (!c || typeof c !== 'object') continue;
      const choice = c as { delta?: { content?: unknown; refusal?: unknown; tool_calls?: unknown }; text?: unknown; message?: { content?: unknown } };
      const d = choice.delta;
      if (d) {
        if (typeof d.content === 'string') this.parts.push(d.content);
        if (typeof d.refusal === 'string') this.parts.push(d.refusal);
        if (d.tool_calls !== undefined) this.parts.push(JSON.stringify(d.tool_calls));
      }
      if (typeof choice.text === 'string') this.parts.push(choice.text);
      if (choice.message && typeof choice.message.content === 'string') this.parts.push(choice.message.content);
    }
  }

  tokens(): number {
    return countText(this.parts.join(''));
  }
}

/** A usage object from an engine, if it is well formed. */
export function readUsage(u: unknown): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const x = u as Record<string, unknown>;
  const p = x.prompt_tokens;
  const c = x.completion_tokens ?? 0;
  if (typeof p !== 'number' || typeof c !== 'number' || p < 0 || c < 0) return undefined;
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
}

export function makeUsage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

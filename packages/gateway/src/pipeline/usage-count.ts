import type { Usage } from '@tollgate/protocol';
import type { PromptCounter } from '../tokens/prompt-counter.js';

/**
 * Collects the output of chunks or choices, to count tokens when an engine reports no usage.
 * Output is everything the model generated, visible or not: text, reasoning (`reasoning_content`,
 * `reasoning`), refusals, tool and function calls. A thinking model's reasoning is billed by every
 * engine that reports usage; an estimate that left it out would undercount it.
 */
export class CompletionText {
  /**
   * Output in order: text as sent, calls as their objects, serialized only when counted (most
   * engines report usage, so a stream of tool-call chunks is not serialized twice for nothing).
   */
  private parts: (string | Call)[] = [];

  /** `counter` counts long output off the event loop (an engine may send a lot of it). */
  constructor(private readonly counter: PromptCounter) {}

  addChunk(chunk: Record<string, unknown>): void {
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return;
    for (const c of choices) {
      if (!c || typeof c !== 'object') continue;
      const choice = c as { delta?: unknown; text?: unknown; message?: unknown };
      if (typeof choice.text === 'string') this.parts.push(choice.text);
      this.addMessage(choice.delta);
      this.addMessage(choice.message);
    }
  }

  /** A streamed `delta` or a whole `message`: the same fields carry output. */
  private addMessage(m: unknown): void {
    if (!m || typeof m !== 'object') return;
    const x = m as Record<string, unknown>;
    for (const field of TEXT_FIELDS) if (typeof x[field] === 'string') this.parts.push(x[field] as string);
    for (const field of CALL_FIELDS) if (x[field] !== undefined && x[field] !== null) this.parts.push(new Call(x[field]));
  }

  async tokens(): Promise<number> {
    return countOutput(this.counter, this.parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p.value))).join(''));
  }
}

/** Tokens of generated text, counted by `counter`: on the event loop when short, in a worker when long. */
export async function countOutput(counter: PromptCounter, text: string): Promise<number> {
  const [counted] = await counter.count([{ fixed: 0, texts: [text] }], Infinity);
  return counted!.tokens;
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

/** A generated call, counted as its JSON. */
class Call {
  constructor(readonly value: unknown) {}
}

/** Generated text fields of a message or delta. */
const TEXT_FIELDS = ['reasoning_content', 'reasoning', 'content', 'refusal'] as const;
/** Generated calls, counted as their JSON. */
const CALL_FIELDS = ['tool_calls', 'function_call'] as const;

export function makeUsage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

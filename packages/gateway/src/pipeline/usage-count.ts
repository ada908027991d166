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
   * Output in order: text as sent, calls as their objects, serialized only when counted, and
   * chunks kept as their JSON text, parsed only when counted (most engines report usage, so a
   * stream is neither parsed nor serialized twice for nothing).
   */
  private parts: Part[] = [];
  /** Where the chunk texts not read yet begin in `parts`, and their characters. */
  private firstKept = 0;
  private keptChars = 0;

  /** `counter` counts long output off the event loop (an engine may send a lot of it). */
  constructor(private readonly counter: PromptCounter) {}

  addChunk(chunk: Record<string, unknown>): void {
    addOutput(chunk, this.parts);
  }

  /**
   * A chunk as its JSON text (valid JSON): the same as `addChunk(JSON.parse(json))`, read only if
   * `tokens()` is called, or once the texts kept pass MAX_KEPT_CHARS (a long stream's texts are
   * not all held to its end: their output is kept instead, as for parsed chunks).
   */
  addChunkText(json: string): void {
    if (this.keptChars === 0) this.firstKept = this.parts.length;
    this.parts.push(new ChunkJson(json));
    this.keptChars += json.length;
    if (this.keptChars > MAX_KEPT_CHARS) this.readKept();
  }

  /** Replaces the kept texts by their output. */
  private readKept(): void {
    const kept = this.parts.splice(this.firstKept);
    for (const p of kept) {
      if (p instanceof ChunkJson) addOutput(JSON.parse(p.json) as Record<string, unknown>, this.parts);
      else this.parts.push(p);
    }
    this.keptChars = 0;
  }

  async tokens(): Promise<number> {
    return countOutput(this.counter, this.text());
  }

  /** The output collected, as it is counted. */
  text(): string {
    const out: string[] = [];
    const add = (p: Part) => {
      if (typeof p === 'string') out.push(p);
      else if (p instanceof Call) out.push(JSON.stringify(p.value));
      else {
        const inner: Part[] = [];
        addOutput(JSON.parse(p.json) as Record<string, unknown>, inner);
        inner.forEach(add);
      }
    };
    this.parts.forEach(add);
    return out.join('');
  }
}

/** Appends the output of a chunk's (or an answer's) choices to `parts`. */
function addOutput(chunk: Record<string, unknown>, parts: Part[]): void {
  const choices = chunk.choices;
  if (!Array.isArray(choices)) return;
  for (const c of choices) {
    if (!c || typeof c !== 'object') continue;
    const choice = c as { delta?: unknown; text?: unknown; message?: unknown };
    if (typeof choice.text === 'string') parts.push(choice.text);
    addMessage(choice.delta, parts);
    addMessage(choice.message, parts);
  }
}

/** A streamed `delta` or a whole `message`: the same fields carry output. */
function addMessage(m: unknown, parts: Part[]): void {
  if (!m || typeof m !== 'object') return;
  const x = m as Record<string, unknown>;
  for (const field of TEXT_FIELDS) if (typeof x[field] === 'string') parts.push(x[field] as string);
  for (const field of CALL_FIELDS) if (x[field] !== undefined && x[field] !== null) parts.push(new Call(x[field]));
}

/**
 * Output tokens of the counted text of an answer that reported no usage. A legacy completion with
 * `echo: true` begins each choice's text with its prompt, which is prompt tokens, not output
 * (OpenAI's usage is the same with and without echo): the prompts' tokens, echoed once per choice
 * of each prompt (`promptTokens` sums the prompts, each answered by `n` choices), are taken off.
 */
export function outputWithoutEcho(counted: number, v: { endpoint: string; body: Record<string, unknown>; promptTokens: number; n: number }): number {
  if (v.endpoint !== 'completions' || v.body.echo !== true) return counted;
  return Math.max(0, counted - v.promptTokens * v.n);
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

type Part = string | Call | ChunkJson;

/** Characters of chunk texts a CompletionText keeps unread (a few hundred chunks; most streams end before). */
const MAX_KEPT_CHARS = 64 * 1024;

/** A generated call, counted as its JSON. */
class Call {
  constructor(readonly value: unknown) {}
}

/** A chunk not parsed yet: its output is read when counted. */
class ChunkJson {
  constructor(readonly json: string) {}
}

/** Generated text fields of a message or delta. */
const TEXT_FIELDS = ['reasoning_content', 'reasoning', 'content', 'refusal'] as const;
/** Generated calls, counted as their JSON. */
const CALL_FIELDS = ['tool_calls', 'function_call'] as const;

export function makeUsage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

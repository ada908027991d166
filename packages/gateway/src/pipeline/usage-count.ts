import type { Usage } from '@tollgate/protocol';
import type { PromptCounter } from '../tokens/prompt-counter.js';
import type { EchoOf } from './echoed-prompts.js';

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

  /**
   * `counter` counts long output off the event loop (an engine may send a lot of it). `echoOf`
   * (echoed-prompts.ts) gives the prompt each legacy completion choice may begin with: a choice
   * whose text (all its chunks in order) starts with it is counted without it; a choice that does
   * not (the engine ignored `echo`, or a stream was cut before the choice's first chunk) is
   * counted whole.
   */
  constructor(
    private readonly counter: PromptCounter,
    private readonly echoOf?: EchoOf,
  ) {}

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

  /** The output collected, as it is counted (echoed prompts taken off). */
  text(): string {
    const out: (string | ChoiceText)[] = [];
    const add = (p: Part) => {
      if (typeof p === 'string' || p instanceof ChoiceText) out.push(p);
      else if (p instanceof Call) out.push(JSON.stringify(p.value));
      else {
        const inner: Part[] = [];
        addOutput(JSON.parse(p.json) as Record<string, unknown>, inner);
        inner.forEach(add);
      }
    };
    this.parts.forEach(add);
    if (this.echoOf) withoutEchoes(out, this.echoOf);
    return out.map((p) => (typeof p === 'string' ? p : p.text)).join('');
  }
}

/**
 * Takes each choice's echo off the start of its texts, in `parts` (replaced by plain strings),
 * where the choice's text (its pieces joined in order) starts with it; the echo may span pieces.
 */
function withoutEchoes(parts: (string | ChoiceText)[], echoOf: EchoOf): void {
  const at = new Map<number, number[]>();
  parts.forEach((p, i) => {
    if (typeof p === 'string') return;
    const list = at.get(p.index);
    if (list) list.push(i);
    else at.set(p.index, [i]);
  });
  for (const [index, list] of at) {
    const echo = echoOf(index);
    if (!echo) continue;
    let head = '';
    for (let k = 0; k < list.length && head.length < echo.length; k++) head += (parts[list[k]!] as ChoiceText).text;
    if (!head.startsWith(echo)) continue;
    let left = echo.length;
    for (let k = 0; k < list.length && left > 0; k++) {
      const text = (parts[list[k]!] as ChoiceText).text;
      parts[list[k]!] = text.slice(left);
      left -= Math.min(left, text.length);
    }
  }
}

/** Appends the output of a chunk's (or an answer's) choices to `parts`. */
function addOutput(chunk: Record<string, unknown>, parts: Part[]): void {
  const choices = chunk.choices;
  if (!Array.isArray(choices)) return;
  for (const c of choices) {
    if (!c || typeof c !== 'object') continue;
    const choice = c as { index?: unknown; delta?: unknown; text?: unknown; message?: unknown };
    if (typeof choice.text === 'string') parts.push(new ChoiceText(typeof choice.index === 'number' ? choice.index : 0, choice.text));
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

type Part = string | ChoiceText | Call | ChunkJson;

/** Characters of chunk texts a CompletionText keeps unread (a few hundred chunks; most streams end before). */
const MAX_KEPT_CHARS = 64 * 1024;

/** A generated call, counted as its JSON. */
class Call {
  constructor(readonly value: unknown) {}
}

/** A legacy completion choice's `text` (or a piece of it on a stream), kept with its choice for the echo. */
class ChoiceText {
  constructor(
    readonly index: number,
    readonly text: string,
  ) {}
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

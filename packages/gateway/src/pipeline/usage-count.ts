import type { Usage } from '@tollgate/protocol';
import type { PromptCounter } from '../tokens/prompt-counter.js';
import type { PlainTemplate } from '../upstream/chunk-text.js';
import type { EchoOf } from './echoed-prompts.js';

/**
 * Collects the output of chunks or choices, to count tokens when an engine reports no usage.
 * Output is everything the model generated, visible or not: text, reasoning (`reasoning_content`,
 * `reasoning`), refusals, tool and function calls. A thinking model's reasoning is billed by every
 * engine that reports usage; an estimate that left it out would undercount it.
 */
export class CompletionText {
  /**
   * Output in order: text as sent, calls as their objects, serialized only when counted, and the
   * content of plain chunks as its JSON string token, parsed only when counted (most engines report
   * usage, so a stream is neither parsed nor serialized twice for nothing).
   */
  private parts: Part[] = [];
  /** A template's output around its content slot, worked out when its chunks are first counted. */
  private readonly around = new Map<PlainTemplate, Around>();

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
   * A plain chunk as its JSON text, which matched `template`: the same as
   * `addChunk(JSON.parse(json))`. Only its content slot (one JSON string token) is kept, and read
   * only if `tokens()` or `text()` is called.
   */
  addPlainChunk(template: PlainTemplate, json: string): void {
    this.parts.push(new Slot(template.slot(json), template));
  }

  /**
   * The output's tokens: each piece (a chunk's text, a call) counted on its own and summed. A
   * streamed chunk holds whole tokens of the engine, so a piece's count matches the engine's; text
   * joined across pieces would merge tokens the engine kept apart, most of all with n > 1, whose
   * choices' chunks interleave ("word" of one choice + "Next" of another), and bill less than was
   * sent (measured: 10,316 against 10,365 tokens received for n = 100).
   */
  async tokens(): Promise<number> {
    return countOutput(this.counter, this.pieces());
  }

  /** The output collected, as it is counted (echoed prompts taken off). */
  text(): string {
    return this.pieces().join('');
  }

  /** The output's pieces in order, echoed prompts taken off. */
  private pieces(): string[] {
    const out: (string | ChoiceText)[] = [];
    for (const p of this.parts) {
      if (!(p instanceof Slot)) {
        out.push(piece(p));
        continue;
      }
      // What the template outputs besides its content, worked out at its first chunk counted (not
      // while relaying: a stream whose engine reports usage is never counted).
      let around = this.around.get(p.template);
      if (around === undefined) this.around.set(p.template, (around = aroundSlot(p.template.chunk)));
      for (const b of around.before) out.push(piece(b));
      out.push(JSON.parse(p.token) as string);
      for (const a of around.after) out.push(piece(a));
    }
    if (this.echoOf) withoutEchoes(out, this.echoOf);
    return out.map((p) => (typeof p === 'string' ? p : p.text));
  }
}

/**
 * The output of the chunks of a template made of `chunk` (a plain chunk: one choice, string
 * `delta.content`), before and after their content, in the order addOutput gives: usually none.
 */
function aroundSlot(chunk: Readonly<Record<string, unknown>>): Around {
  const choice = (chunk.choices as Record<string, unknown>[])[0]!;
  // Longer than any string the choice holds, so no other field's output can equal it.
  const mark = `${JSON.stringify(choice)}\u0000`;
  const marked: Part[] = [];
  addOutput({ choices: [{ ...choice, delta: { ...(choice.delta as object), content: mark } }] }, marked);
  const at = marked.indexOf(mark);
  // addOutput adds no Slot.
  return { before: marked.slice(0, at) as Output[], after: marked.slice(at + 1) as Output[] };
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

/**
 * Tokens of generated text (one text, or pieces counted each on its own and summed), counted by
 * `counter`: on the event loop when short, in a worker when long; never remembered.
 */
export async function countOutput(counter: PromptCounter, text: string | string[]): Promise<number> {
  const [counted] = await counter.count([{ fixed: 0, texts: typeof text === 'string' ? [text] : text }], Infinity, { remember: false });
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

/** Output that is not a plain chunk's content. */
type Output = string | ChoiceText | Call;
type Part = Output | Slot;

/** What a template's chunks output besides their content. */
interface Around {
  readonly before: readonly Output[];
  readonly after: readonly Output[];
}

/** A part other than a plain chunk's content, as its piece: a call as its JSON. */
function piece(p: Output): string | ChoiceText {
  return p instanceof Call ? JSON.stringify(p.value) : p;
}

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

/**
 * A plain chunk's content, as its JSON string token: parsed when counted. Kept raw, a slice of the
 * chunk's text (measured: ~30 ns a chunk, against ~70-100 ns for JSON.parse of the token at once);
 * a token of 13 characters or more may keep that text alive with it (a V8 sliced string).
 */
class Slot {
  constructor(
    readonly token: string,
    /** The template the chunk matched: what else it outputs (aroundSlot) is worked out when counted. */
    readonly template: PlainTemplate,
  ) {}
}

/** Generated text fields of a message or delta. */
const TEXT_FIELDS = ['reasoning_content', 'reasoning', 'content', 'refusal'] as const;
/** Generated calls, counted as their JSON. */
const CALL_FIELDS = ['tool_calls', 'function_call'] as const;

export function makeUsage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

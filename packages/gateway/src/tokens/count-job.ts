/**
 * Counting one prompt up to a limit: what the PromptCounter does on the event loop for small
 * prompts and in its worker threads for large ones.
 * @module
 */
import { countTextUpTo, minTokens } from './bpe.js';
import type { PromptText } from './prompt-text.js';

/** A prompt's tokens; when `exact` is false, a lower bound already above the limit asked for. */
export interface Counted {
  tokens: number;
  exact: boolean;
  /** From countPrompt: the exact counts of the prompt's texts counted whole, in order (not the one counting stopped in). */
  texts?: number[];
}

export interface CountJob {
  prompts: PromptText[];
  stopAbove: number;
}

export type CountReply = { counts: Counted[] } | { error: string };

/** A lower bound from lengths alone: no encoding, no tokenizing. */
export function minPromptTokens(p: PromptText): number {
  let n = p.fixed;
  for (const t of p.texts) n += minTokens(t);
  return n;
}

export function countPrompt(p: PromptText, stopAbove: number): Counted {
  let n = p.fixed;
  const texts: number[] = [];
  if (n > stopAbove) return { tokens: n, exact: false, texts };
  for (const t of p.texts) {
    if (t.length === 0) {
      texts.push(0);
      continue;
    }
    const c = countTextUpTo(t, stopAbove - n);
    n += c.tokens;
    if (!c.exact) return { tokens: n, exact: false, texts };
    texts.push(c.tokens);
  }
  return { tokens: n, exact: true, texts };
}

/**
 * Log probabilities of a chat answer (`logprobs: true`, `top_logprobs: n`), in OpenAI's shape:
 * one entry per output token with its text, log probability, UTF-8 bytes and the `n` likeliest
 * alternatives (the token itself first). The numbers are deterministic in the choice's seed; they
 * are plausible, not a model's.
 */
import { NOUNS } from './text.js';
import { mulberry32, seedFrom, type Rng } from './random.js';

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

/** What the request asks for: null when `logprobs` is not true, else how many alternatives. */
export function logprobsAsked(body: Record<string, unknown>): { top: number } | null {
  if (body.logprobs !== true) return null;
  const n = body.top_logprobs;
  return { top: typeof n === 'number' && Number.isInteger(n) && n > 0 ? Math.min(n, 20) : 0 };
}

const bytesOf = (s: string): number[] => Array.from(Buffer.from(s, 'utf8'));
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** One entry per piece (each piece is one token as sent). */
export function tokenLogprobs(pieces: readonly string[], top: number, seed: number): TokenLogprob[] {
  const rng = mulberry32(seedFrom('logprobs', seed));
  return pieces.map((token) => entry(token, top, rng));
}

function entry(token: string, top: number, rng: Rng): TokenLogprob {
  // Mostly confident tokens, now and then an uncertain one.
  const logprob = round(rng() < 0.8 ? -rng() * 0.2 : -0.2 - rng() * 3);
  const alternatives: TokenLogprob['top_logprobs'] = [];
  if (top > 0) alternatives.push({ token, logprob, bytes: bytesOf(token) });
  let at = logprob;
  const lead = token.startsWith(' ') ? ' ' : '';
  for (let i = 1; i < top; i++) {
    at = round(at - 0.5 - rng() * 2);
    let alt = lead + NOUNS[Math.floor(rng() * NOUNS.length)]!;
    if (alt === token || alternatives.some((a) => a.token === alt)) alt = `${alt}${i}`;
    alternatives.push({ token: alt, logprob: at, bytes: bytesOf(alt) });
  }
  return { token, logprob, bytes: bytesOf(token), top_logprobs: alternatives };
}

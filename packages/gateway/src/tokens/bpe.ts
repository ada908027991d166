/**
 * An o200k_base token counter whose cost is O(n log n) in its input whatever the input is.
 *
 * The tokenizer library counts exactly but merges each pre-tokenized piece with the textbook
 * quadratic loop, so one long piece (100,000 × "a", a run of spaces, CJK text without
 * punctuation) costs seconds. This counter gives the same numbers (the tests compare it with the
 * library on generated inputs) with a heap-driven merge: at every step it merges the lowest-ranked
 * adjacent pair, the leftmost among equals, exactly as the textbook loop does, but finds that pair
 * in O(log n) instead of scanning.
 *
 * Bytes are handled as "binary strings" (one char per byte, 0–255), so a token's bytes are a
 * plain string key and slicing a piece costs no allocation of arrays.
 * @module
 */
import bpeRanks from 'gpt-tokenizer/esm/bpeRanks/o200k_base';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/esm/encodingParams/constants';

/** Token bytes (as a binary string) → rank. */
const RANKS = buildRanks();

/** The longest token, in bytes: a text of b bytes has at least ceil(b / MAX_TOKEN_BYTES) tokens. */
export const MAX_TOKEN_BYTES = longestToken();

function buildRanks(): Map<string, number> {
  const ranks = new Map<string, number>();
  bpeRanks.forEach((value, rank) => {
    ranks.set(typeof value === 'string' ? toBinary(value) : String.fromCharCode(...value), rank);
  });
  return ranks;
}

function longestToken(): number {
  let max = 1;
  for (const k of RANKS.keys()) if (k.length > max) max = k.length;
  return max;
}

/** UTF-8 bytes of `s` as a binary string; ASCII text is returned as is. */
export function toBinary(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) < 0x80) i++;
  if (i === s.length) return s;
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** Counts of pieces seen recently: most text repeats its words. Cleared when full (bounded). */
const pieceCache = new Map<string, number>();
const PIECE_CACHE_MAX = 50_000;
const CACHEABLE_PIECE = 64;

/** Tokens of one pre-tokenized piece. */
export function countPiece(piece: string): number {
  if (piece.length <= CACHEABLE_PIECE) {
    const hit = pieceCache.get(piece);
    if (hit !== undefined) return hit;
  }
  const bytes = toBinary(piece);
  const n = bytes.length === 1 || RANKS.has(bytes) ? 1 : bytes.length <= 16 ? mergeSmall(bytes) : mergeLarge(bytes);
  if (piece.length <= CACHEABLE_PIECE) {
    if (pieceCache.size >= PIECE_CACHE_MAX) pieceCache.clear();
    pieceCache.set(piece, n);
  }
  return n;
}

const rankOf = (bytes: string, from: number, to: number): number => RANKS.get(bytes.slice(from, to)) ?? Infinity;

/** The textbook loop, fastest for short pieces (most words). */
function mergeSmall(bytes: string): number {
  const starts: number[] = [];
  const ranks: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    starts.push(i);
    ranks.push(i + 2 <= bytes.length ? rankOf(bytes, i, i + 2) : Infinity);
  }
  starts.push(bytes.length);
  // ranks[i] = rank of parts i and i+1 merged; parts = starts.length - 1.
  while (starts.length > 2) {
    let best = Infinity;
    let at = -1;
    for (let i = 0; i < starts.length - 2; i++) {
      if (ranks[i]! < best) {
        best = ranks[i]!;
        at = i;
      }
    }
    if (at === -1) break;
    starts.splice(at + 1, 1);
    ranks.splice(at + 1, 1);
    ranks[at] = at + 2 < starts.length ? rankOf(bytes, starts[at]!, starts[at + 2]!) : Infinity;
    if (at > 0) ranks[at - 1] = rankOf(bytes, starts[at - 1]!, starts[at + 1]!);
  }
  return starts.length - 1;
}

/**
 * The same merge order with a binary heap of candidate pairs keyed by (rank, left start).
 * Parts are a linked list over byte offsets; a heap entry is stale when either of its parts has
 * changed since it was pushed (checked by the pair's end offset), and is then skipped.
 */
function mergeLarge(bytes: string): number {
  const n = bytes.length;
  // next[s] = start of the part after the part starting at s (n at the end); prev likewise.
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  const heap = new PairHeap();
  for (let i = 0; i + 2 <= n; i++) {
    const r = rankOf(bytes, i, i + 2);
    if (r !== Infinity) heap.push(r, i, i + 2);
  }
  let parts = n;
  while (heap.size > 0) {
    const { left, end } = heap.pop();
    const right = next[left]!;
    // Stale: `left` was absorbed (its prev link no longer leads to it), or either part grew.
    if (right >= n || next[right] !== end || (left > 0 && next[prev[left]!] !== left)) continue;
    next[left] = end;
    if (end <= n) prev[end] = left;
    parts--;
    if (end < n) {
      const r = rankOf(bytes, left, next[end]!);
      if (r !== Infinity) heap.push(r, left, next[end]!);
    }
    if (left > 0) {
      const p = prev[left]!;
      const r = rankOf(bytes, p, end);
      if (r !== Infinity) heap.push(r, p, end);
    }
  }
  return parts;
}

/** Min-heap of (rank, left, end) ordered by rank, then left (the leftmost pair wins a tie). */
class PairHeap {
  private ranks: number[] = [];
  private lefts: number[] = [];
  private ends: number[] = [];

  get size(): number {
    return this.ranks.length;
  }

  push(rank: number, left: number, end: number): void {
    this.ranks.push(rank);
    this.lefts.push(left);
    this.ends.push(end);
    this.up(this.ranks.length - 1);
  }

  pop(): { rank: number; left: number; end: number } {
    const top = { rank: this.ranks[0]!, left: this.lefts[0]!, end: this.ends[0]! };
    const last = this.ranks.length - 1;
    this.move(last, 0);
    this.ranks.pop();
    this.lefts.pop();
    this.ends.pop();
    if (this.ranks.length > 0) this.down(0);
    return top;
  }

  private less(a: number, b: number): boolean {
    const ra = this.ranks[a]!;
    const rb = this.ranks[b]!;
    return ra < rb || (ra === rb && this.lefts[a]! < this.lefts[b]!);
  }

  private move(from: number, to: number): void {
    this.ranks[to] = this.ranks[from]!;
    this.lefts[to] = this.lefts[from]!;
    this.ends[to] = this.ends[from]!;
  }

  private swap(a: number, b: number): void {
    [this.ranks[a], this.ranks[b]] = [this.ranks[b]!, this.ranks[a]!];
    [this.lefts[a], this.lefts[b]] = [this.lefts[b]!, this.lefts[a]!];
    [this.ends[a], this.ends[b]] = [this.ends[b]!, this.ends[a]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.ranks.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

/**
 * The pre-tokenizer's pieces of `text`, in order (o200k_base's split pattern; special-token
 * strings are ordinary text here, as the gateway counts them).
 */
export function pieces(text: string): IterableIterator<RegExpMatchArray> {
  return text.matchAll(O200K_TOKEN_SPLIT_REGEX);
}

/** Exact o200k_base token count of `text`, on the calling thread (use for short texts). */
export function countTextNow(text: string): number {
  let n = 0;
  for (const m of pieces(text)) n += countPiece(m[0]);
  return n;
}

/**
 * Tokens of `text`, counted only as far as needed: once the count passes `stopAbove` the rest is
 * not counted and `exact` is false (`tokens` is then a lower bound above `stopAbove`). A piece
 * whose byte length alone proves the limit is passed is not merged at all.
 */
export function countTextUpTo(text: string, stopAbove: number): { tokens: number; exact: boolean } {
  let n = 0;
  for (const m of pieces(text)) {
    const piece = m[0];
    if (piece.length > CACHEABLE_PIECE) {
      const atLeast = Math.ceil(Buffer.byteLength(piece, 'utf8') / MAX_TOKEN_BYTES);
      if (n + atLeast > stopAbove) return { tokens: n + atLeast, exact: false };
    }
    n += countPiece(piece);
    if (n > stopAbove) return { tokens: n, exact: false };
  }
  return { tokens: n, exact: true };
}

/** A lower bound on the tokens of `text` from its length alone (no token is longer than MAX_TOKEN_BYTES). */
export function minTokens(text: string): number {
  // UTF-16 length is at most the UTF-8 length, so this needs no encoding pass.
  return Math.ceil(text.length / MAX_TOKEN_BYTES);
}

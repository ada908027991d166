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
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/esm/encodingParams/constants';
import { o200kRanks } from './rank-table.js';

/** Token bytes (a binary string's range) → rank, -1 for none; shared with the worker threads. */
const RANKS = o200kRanks();

/** The longest token, in bytes: a text of b bytes has at least ceil(b / MAX_TOKEN_BYTES) tokens. */
export const MAX_TOKEN_BYTES = RANKS.longest;

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
  const n = bytes.length === 1 || RANKS.rank(bytes, 0, bytes.length) >= 0 ? 1 : bytes.length <= 16 ? mergeSmall(bytes) : mergeLarge(bytes);
  if (piece.length <= CACHEABLE_PIECE) {
    if (pieceCache.size >= PIECE_CACHE_MAX) pieceCache.clear();
    pieceCache.set(piece, n);
  }
  return n;
}

const rankOf = (bytes: string, from: number, to: number): number => {
  const r = RANKS.rank(bytes, from, to);
  return r < 0 ? Infinity : r;
};

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

/** Rank of each single byte (every byte is a token). */
const BYTE_RANKS = Int32Array.from({ length: 256 }, (_, b) => RANKS.rank(String.fromCharCode(b), 0, 1));

/** Ranks fit in 18 bits, byte offsets in 24: both pack exactly into one double. */
const RANK_SHIFT = 2 ** 18;
const LEFT_SHIFT = 2 ** 24;

/**
 * The same merge order with a binary heap of candidate pairs keyed by (rank, left start).
 * Parts are a linked list over byte offsets; a heap entry is stale when either of its parts has
 * changed since it was pushed (checked by the pair's end offset), and is then skipped. Every part
 * is a token, so the rank of a pair depends only on the ranks of its two parts: a per-piece cache
 * on that pair of numbers answers the repetitive pieces (runs of one character) without building
 * strings.
 */
function mergeLarge(bytes: string): number {
  const n = bytes.length;
  if (n >= LEFT_SHIFT) return mergeInChunks(bytes);
  // next[s] = start of the part after the part starting at s (n at the end); prev likewise.
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const rank = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
    if (i < n) rank[i] = BYTE_RANKS[bytes.charCodeAt(i)]!;
  }
  const pairs = new Map<number, number>();
  const pairRank = (left: number, right: number, end: number): number => {
    const key = rank[left]! * RANK_SHIFT + rank[right]!;
    let r = pairs.get(key);
    if (r === undefined) {
      r = RANKS.rank(bytes, left, end);
      pairs.set(key, r);
    }
    return r;
  };
  const heap = new PairHeap(n);
  for (let i = 0; i + 2 <= n; i++) {
    const r = pairRank(i, i + 1, i + 2);
    if (r >= 0) heap.push(r * LEFT_SHIFT + i, i + 2);
  }
  let parts = n;
  while (heap.size > 0) {
    const key = heap.topKey();
    const end = heap.topEnd();
    heap.pop();
    const left = key % LEFT_SHIFT;
    const right = next[left]!;
    // Stale: `left` was absorbed (its prev link no longer leads to it), or either part grew.
    if (right >= n || next[right] !== end || (left > 0 && next[prev[left]!] !== left)) continue;
    rank[left] = (key - left) / LEFT_SHIFT;
    next[left] = end;
    if (end <= n) prev[end] = left;
    parts--;
    if (end < n) {
      const after = next[end]!;
      const r = pairRank(left, end, after);
      if (r >= 0) heap.push(r * LEFT_SHIFT + left, after);
    }
    if (left > 0) {
      const p = prev[left]!;
      const r = pairRank(p, left, end);
      if (r >= 0) heap.push(r * LEFT_SHIFT + p, end);
    }
  }
  return parts;
}

/** Beyond 16 MiB in one piece (far beyond any body the gateway accepts): counted per 8 MiB. */
function mergeInChunks(bytes: string): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i += LEFT_SHIFT / 2) n += mergeLarge(bytes.slice(i, i + LEFT_SHIFT / 2));
  return n;
}

/** Min-heap of (key, end) in typed arrays; key = rank * 2^24 + left, so ties go to the leftmost. */
class PairHeap {
  private keys: Float64Array;
  private ends: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(16, capacity));
    this.ends = new Int32Array(Math.max(16, capacity));
  }

  topKey(): number {
    return this.keys[0]!;
  }

  topEnd(): number {
    return this.ends[0]!;
  }

  push(key: number, end: number): void {
    if (this.size === this.keys.length) this.grow();
    const keys = this.keys;
    const ends = this.ends;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= key) break;
      keys[i] = keys[p]!;
      ends[i] = ends[p]!;
      i = p;
    }
    keys[i] = key;
    ends[i] = end;
  }

  pop(): void {
    const keys = this.keys;
    const ends = this.ends;
    const last = --this.size;
    if (last === 0) return;
    const key = keys[last]!;
    const end = ends[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && keys[r]! < keys[l]! ? r : l;
      if (keys[c]! >= key) break;
      keys[i] = keys[c]!;
      ends[i] = ends[c]!;
      i = c;
    }
    keys[i] = key;
    ends[i] = end;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const ends = new Int32Array(this.ends.length * 2);
    ends.set(this.ends);
    this.keys = keys;
    this.ends = ends;
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
      const atLeast = minPieceTokens(piece);
      if (n + atLeast > stopAbove) return { tokens: n + atLeast, exact: false };
    }
    n += countPiece(piece);
    if (n > stopAbove) return { tokens: n, exact: false };
  }
  return { tokens: n, exact: true };
}

/**
 * A lower bound on the tokens of one long piece: its bytes over the longest token, or — for a run
 * of one repeated character, the costliest piece to merge — over the longest token that fits
 * inside such a run (at any byte alignment).
 */
function minPieceTokens(piece: string): number {
  const bytes = Buffer.byteLength(piece, 'utf8');
  const first = piece.codePointAt(0)!;
  const unit = piece.slice(0, first > 0xffff ? 2 : 1);
  for (let i = unit.length; i < piece.length; i += unit.length) {
    if (!piece.startsWith(unit, i)) return Math.ceil(bytes / MAX_TOKEN_BYTES);
  }
  return Math.ceil(bytes / longestTokenInRun(unit));
}

const runTokens = new Map<string, number>();

/** Bytes of the longest token found inside a long run of `char` (at least 1: every byte is a token). */
function longestTokenInRun(char: string): number {
  const known = runTokens.get(char);
  if (known !== undefined) return known;
  const unit = toBinary(char);
  const run = unit.repeat(Math.ceil(MAX_TOKEN_BYTES / unit.length) + 2);
  let longest = 1;
  for (let offset = 0; offset < unit.length; offset++) {
    for (let len = 2; len <= MAX_TOKEN_BYTES; len++) if (len > longest && RANKS.rank(run, offset, offset + len) >= 0) longest = len;
  }
  if (runTokens.size < 10_000) runTokens.set(char, longest);
  return longest;
}

/** A lower bound on the tokens of `text` from its length alone (no token is longer than MAX_TOKEN_BYTES). */
export function minTokens(text: string): number {
  // UTF-16 length is at most the UTF-8 length, so this needs no encoding pass.
  return Math.ceil(text.length / MAX_TOKEN_BYTES);
}
